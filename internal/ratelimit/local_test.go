package ratelimit

import (
	"errors"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
)

// TestLocal: security round 2, finding 3 (no read limit): the admin API's
// per-caller read limit, counted in memory with Decide's rule.
func TestLocal(t *testing.T) {
	w := 10 * time.Second
	r := Rule{Limit: 3, Window: w}
	cases := []struct {
		rule  string
		takes []time.Duration // offsets from t0 of the attempts
		// refused lists, for each attempt, the retry time a refusal names
		// (0: allowed)
		refused []time.Duration
	}{
		{"finding3_under_the_limit_allowed", []time.Duration{0, time.Second, 2 * time.Second}, []time.Duration{0, 0, 0}},
		{"finding3_over_the_limit_refused_until_the_window_ends",
			[]time.Duration{0, time.Second, 2 * time.Second, 3 * time.Second, 9 * time.Second}, []time.Duration{0, 0, 0, w, w}},
		{"refused_attempts_are_not_counted_and_the_next_window_starts_fresh",
			[]time.Duration{0, 0, 0, time.Second, w, w, w, w}, []time.Duration{0, 0, 0, w, 0, 0, 0, 2 * w}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			fake := clock.NewFake(t0)
			l := NewLocal(fake)
			for i, at := range c.takes {
				fake.Set(t0.Add(at))
				err := l.Take("tenant/app", r)
				var le *LimitedError
				switch want := c.refused[i]; {
				case want == 0 && err != nil:
					t.Fatalf("attempt %d at +%s refused: %v", i, at, err)
				case want != 0 && (!errors.As(err, &le) || !le.RetryAt.Equal(t0.Add(want))):
					t.Fatalf("attempt %d at +%s = %v, want refused until +%s", i, at, err, want)
				case want != 0 && le.RetryAfter(fake.Now()) > w:
					t.Fatalf("refused for %s, longer than the window", le.RetryAfter(fake.Now()))
				}
			}
		})
	}
	t.Run("keys_are_counted_apart", func(t *testing.T) {
		l := NewLocal(clock.NewFake(t0))
		for range 3 {
			_ = l.Take("a", r)
		}
		if err := l.Take("a", r); err == nil {
			t.Fatal("a's fourth attempt allowed")
		}
		if err := l.Take("b", r); err != nil {
			t.Fatalf("b refused for a's attempts: %v", err)
		}
	})
	t.Run("off_rule_allows_all", func(t *testing.T) {
		l := NewLocal(clock.NewFake(t0))
		for range 100 {
			if err := l.Take("a", Rule{}); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("ended_windows_are_dropped", func(t *testing.T) {
		fake := clock.NewFake(t0)
		l := NewLocal(fake)
		for i := range 50 {
			_ = l.Take(string(rune('a'+i)), r)
		}
		fake.Advance(sweepEvery + w)
		_ = l.Take("z", r)
		if n := l.size(); n != 1 {
			t.Fatalf("%d counters held after their windows ended, want 1", n)
		}
	})
}
