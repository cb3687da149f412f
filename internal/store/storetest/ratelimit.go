package storetest

import (
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/ratelimit"
)

// addRate counts one attempt for key at now with the suite's window.
func addRate(t *testing.T, s Store, key string, now time.Time) ratelimit.Counter {
	t.Helper()
	c, err := s.AddRateCount(t.Context(), key, now, now.Add(-window))
	must(t, "add rate count", err)
	return c
}

func testRateLimit(t *testing.T, open Open) {
	t.Run("counted_in_window", func(t *testing.T) {
		s := open(t)
		k1, k2 := "send|client|"+uuid.NewString(), "send|tenant|"+uuid.NewString()
		cs, err := s.GetRateCounters(t.Context(), []string{k1, k2})
		must(t, "get counters before any", err)
		wantEqual(t, "counters before any", len(cs), 0)
		for i := 1; i <= 3; i++ {
			c := addRate(t, s, k1, at(time.Duration(i)*time.Minute))
			wantEqual(t, "counter", c, ratelimit.Counter{WindowStart: at(time.Minute), Count: i})
		}
		addRate(t, s, k2, at(2*time.Minute))
		cs, err = s.GetRateCounters(t.Context(), []string{k1, k2, "send|client|none"})
		must(t, "get counters", err)
		wantEqual(t, "counters", cs, map[string]ratelimit.Counter{
			k1: {WindowStart: at(time.Minute), Count: 3},
			k2: {WindowStart: at(2 * time.Minute), Count: 1},
		})
	})
	t.Run("window_restarts_after_it_ends", func(t *testing.T) {
		s := open(t)
		k := "verify|client|" + uuid.NewString()
		addRate(t, s, k, at(0))
		addRate(t, s, k, at(window-time.Microsecond))
		c := addRate(t, s, k, at(window))
		wantEqual(t, "counter at the window's end", c, ratelimit.Counter{WindowStart: at(window), Count: 1})
	})
	t.Run("purge_deletes_only_stale_counters", func(t *testing.T) {
		s := open(t)
		old, live := "token|client|"+uuid.NewString(), "token|client|"+uuid.NewString()
		addRate(t, s, old, at(0))
		addRate(t, s, live, at(window))
		n, err := s.DeleteRateCounters(t.Context(), at(window))
		must(t, "purge", err)
		if n < 1 {
			t.Fatalf("purged %d counters, want the stale one", n)
		}
		cs, err := s.GetRateCounters(t.Context(), []string{old, live})
		must(t, "get counters after purge", err)
		wantEqual(t, "counters after purge", cs, map[string]ratelimit.Counter{live: {WindowStart: at(window), Count: 1}})
	})
}

func testRateLimitConcurrent(t *testing.T, open Open) {
	t.Run("concurrent_attempts_all_counted", func(t *testing.T) {
		s := open(t)
		k := "send|tenant|" + uuid.NewString()
		counts := make([]int, racers)
		ok := race(t, nil, func(i int) error {
			c, err := s.AddRateCount(t.Context(), k, at(time.Second), at(time.Second-window))
			counts[i] = c.Count
			return err
		})
		wantEqual(t, "counted attempts", ok, racers)
		sort.Ints(counts)
		for i, n := range counts {
			if n != i+1 {
				t.Fatalf("counts returned %v, want 1…%d each once", counts, racers)
			}
		}
	})
}
