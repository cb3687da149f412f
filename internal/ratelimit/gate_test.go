package ratelimit

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
)

// TestGate: security round 2, finding 3 (one tenant's heavy queries took
// every pooled connection): a tenant's requests run at most perKey at
// once, all tenants' at most all; a request past them is refused (429)
// rather than queued without end, and places come back.
func TestGate(t *testing.T) {
	ctx := context.Background()
	t.Run("finding3_a_tenant_past_its_places_is_refused_others_are_not", func(t *testing.T) {
		fake := clock.NewFake(t0)
		g := NewGate(2, 0, 0, fake)
		r1, err1 := g.Enter(ctx, "contoso")
		r2, err2 := g.Enter(ctx, "contoso")
		if err1 != nil || err2 != nil {
			t.Fatalf("first two places: %v, %v", err1, err2)
		}
		_, err := g.Enter(ctx, "contoso")
		var le *LimitedError
		if !errors.As(err, &le) || !le.RetryAt.Equal(t0.Add(GateRetry)) {
			t.Fatalf("third place = %v, want refused for %s", err, GateRetry)
		}
		rf, err := g.Enter(ctx, "fabrikam")
		if err != nil {
			t.Fatalf("another tenant refused: %v", err)
		}
		rf()
		r1()
		r1() // a second release gives nothing back twice
		if n := g.held("contoso"); n != 1 {
			t.Fatalf("places held after one release = %d, want 1", n)
		}
		r3, err := g.Enter(ctx, "contoso")
		if err != nil {
			t.Fatalf("a freed place refused: %v", err)
		}
		r2()
		r3()
		if len(g.keys) != 0 {
			t.Fatalf("keys kept after every release: %v", g.keys)
		}
	})
	t.Run("finding3_all_tenants_share_the_overall_bound", func(t *testing.T) {
		g := NewGate(2, 3, 0, clock.NewFake(t0))
		var rel []func()
		for _, k := range []string{"a", "a", "b"} {
			r, err := g.Enter(ctx, k)
			if err != nil {
				t.Fatal(err)
			}
			rel = append(rel, r)
		}
		var le *LimitedError
		if _, err := g.Enter(ctx, "c"); !errors.As(err, &le) {
			t.Fatalf("past the overall bound = %v, want refused", err)
		}
		if g.held("c") != 0 {
			t.Fatal("a refused request kept its tenant's place")
		}
		rel[0]()
		if _, err := g.Enter(ctx, "c"); err != nil {
			t.Fatalf("after a release: %v", err)
		}
	})
	t.Run("a_waiting_request_gets_the_next_free_place", func(t *testing.T) {
		g := NewGate(1, 0, time.Hour, clock.NewFake(t0))
		r1, _ := g.Enter(ctx, "a")
		got := make(chan error, 1)
		go func() {
			r, err := g.Enter(ctx, "a")
			if err == nil {
				r()
			}
			got <- err
		}()
		for waiting := false; !waiting; { // the second request is queued
			g.mu.Lock()
			waiting = g.keys["a"].users == 2
			g.mu.Unlock()
			runtime.Gosched()
		}
		r1()
		if err := <-got; err != nil {
			t.Fatalf("the waiting request: %v", err)
		}
	})
	t.Run("a_client_that_goes_away_stops_waiting", func(t *testing.T) {
		g := NewGate(1, 0, time.Hour, clock.NewFake(t0))
		r1, _ := g.Enter(ctx, "a")
		defer r1()
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := g.Enter(cctx, "a"); !errors.Is(err, context.Canceled) {
			t.Fatalf("Enter with a cancelled context = %v, want context.Canceled", err)
		}
	})
	t.Run("no_places_bounds_nothing", func(t *testing.T) {
		g := NewGate(0, 0, 0, nil)
		for range 10 {
			if _, err := g.Enter(ctx, "a"); err != nil {
				t.Fatal(err)
			}
		}
	})
}
