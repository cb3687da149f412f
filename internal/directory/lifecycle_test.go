package directory

import (
	"testing"
	"time"
)

func TestTokensRevoked(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		rule       string
		validAfter time.Time
		authTime   time.Time
		want       bool
	}{
		{"never_revoked", time.Time{}, t0, false},
		{"signed_in_before_revocation_dead", t0, t0.Add(-time.Microsecond), true},
		{"signed_in_long_before_dead", t0, t0.Add(-23 * time.Hour), true},
		{"signed_in_at_the_instant_alive", t0, t0, false},
		{"signed_in_after_revocation_alive", t0, t0.Add(time.Second), false},
		{"unknown_sign_in_time_dead", t0, time.Time{}, true},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := TokensRevoked(User{TokensValidAfter: c.validAfter}, c.authTime); got != c.want {
				t.Fatalf("TokensRevoked = %t, want %t", got, c.want)
			}
		})
	}
}

func TestPurgeDue(t *testing.T) {
	deleted := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		rule string
		now  time.Time
		want bool
	}{
		{"restorable_right_after", deleted, false},
		{"restorable_at_30d_minus_1s", deleted.Add(PurgeAfter - time.Second), false},
		{"purged_at_30d", deleted.Add(PurgeAfter), true},
		{"purged_after_31d", deleted.Add(31 * 24 * time.Hour), true},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := PurgeDue(deleted, c.now); got != c.want {
				t.Fatalf("PurgeDue = %t, want %t", got, c.want)
			}
		})
	}
}
