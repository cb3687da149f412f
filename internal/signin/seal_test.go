package signin

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSeal(t *testing.T) {
	s, err := newSealer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	other, _ := newSealer([]byte(strings.Repeat("x", 32)))
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tok, err := seal(s, "proof", Identity{UserID: "u1"}, now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := open[Identity](s, "proof", tok, now); err != nil || got.UserID != "u1" {
		t.Fatalf("open = %+v, %v", got, err)
	}
	flipped := []byte(tok)
	flipped[len(flipped)/2] ^= 1
	cases := []struct {
		name, purpose, token string
		s                    *sealer
		at                   time.Time
	}{
		{"expired", "proof", tok, s, now.Add(2 * time.Minute)},
		{"other_purpose", "handoff", tok, s, now},
		{"other_key", "proof", tok, other, now},
		{"tampered", "proof", string(flipped), s, now},
		{"garbage", "proof", "not-a-token", s, now},
		{"empty", "proof", "", s, now},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := open[Identity](c.s, c.purpose, c.token, c.at); !errors.Is(err, ErrExpiredState) {
				t.Fatalf("open = %v, want ErrExpiredState", err)
			}
		})
	}
}
