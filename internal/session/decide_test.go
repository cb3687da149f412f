package session

import (
	"errors"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	live := Session{AuthTime: t0, ExpiresAt: t0.Add(DefaultLifetime)}
	cases := []struct {
		rule string
		s    Session
		now  time.Time
		want error
	}{
		{"R4_live_at_24h_minus_1s", live, t0.Add(DefaultLifetime - time.Second), nil},
		{"R4_expired_at_24h_plus_1s", live, t0.Add(DefaultLifetime + time.Second), ErrExpired},
		{"R4_expired_at_exactly_24h", live, t0.Add(DefaultLifetime), ErrExpired},
		{"signed_out", Session{ExpiresAt: t0.Add(time.Hour), RevokedAt: t0}, t0.Add(time.Minute), ErrRevoked},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if err := Check(c.s, c.now); !errors.Is(err, c.want) {
				t.Fatalf("Check = %v, want %v", err, c.want)
			}
		})
	}
}
