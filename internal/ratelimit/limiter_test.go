package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
)

// memStore is a Store in memory, for the Limiter's own tests; the SQL
// engines pass the same behaviour in storetest.
type memStore struct {
	mu sync.Mutex
	m  map[string]Counter
}

func (s *memStore) GetRateCounters(_ context.Context, keys []string) (map[string]Counter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]Counter{}
	for _, k := range keys {
		if c, ok := s.m[k]; ok {
			out[k] = c
		}
	}
	return out, nil
}

func (s *memStore) AddRateCount(_ context.Context, key string, now, staleBefore time.Time) (Counter, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[key]
	if !ok || !c.WindowStart.After(staleBefore) {
		c = Counter{WindowStart: now}
	}
	c.Count++
	s.m[key] = c
	return c, nil
}

func (s *memStore) DeleteRateCounters(_ context.Context, before time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, c := range s.m {
		if c.WindowStart.Before(before) {
			delete(s.m, k)
			n++
		}
	}
	return n, nil
}

// TestAttackerNeverLocksGuestOutBeyondWindow: an attacker's failures from
// many addresses fill the tenant's limit; the real guest, from an address
// with a clean record, is not refused at all; a guest who shares the
// attacker's address is refused for at most one window, and gets in once
// it ends even while the attack goes on from elsewhere.
func TestAttackerNeverLocksGuestOutBeyondWindow(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(t0)
	l := New(&memStore{m: map[string]Counter{}}, clk)
	w := 15 * time.Minute
	sc := Scope{Action: "verify", PerClient: Rule{5, w}, PerTenant: Rule{20, w}}
	attack := func(client string) {
		t.Helper()
		if err := l.Check(ctx, sc, Subject{Client: client, Tenant: "t1"}); err != nil {
			return // refused attempts are not counted
		}
		if err := l.Count(ctx, sc, Subject{Client: client, Tenant: "t1"}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 40; i++ {
		attack("198.51.100." + string(rune('a'+i%8)))
	}
	if err := l.Check(ctx, sc, Subject{Client: "198.51.100.a", Tenant: "t1"}); err == nil {
		t.Fatal("the attacker's address is not refused")
	}
	if err := l.Check(ctx, sc, Subject{Client: "203.0.113.7", Tenant: "t1"}); err != nil {
		t.Fatalf("a guest with a clean address is refused while the tenant is attacked: %v", err)
	}
	// The guest behind the attacker's address waits at most one window.
	clk.Advance(3 * time.Minute)
	err := l.Check(ctx, sc, Subject{Client: "198.51.100.a", Tenant: "t1"})
	var le *LimitedError
	if !errors.As(err, &le) {
		t.Fatalf("Check = %v, want *LimitedError", err)
	}
	if wait := le.RetryAt.Sub(clk.Now()); wait <= 0 || wait > w {
		t.Fatalf("refused for %s; want at most the window %s", wait, w)
	}
	for clk.Now().Before(le.RetryAt) {
		attack("198.51.100.z") // the attack goes on from another address
		clk.Advance(time.Minute)
	}
	if err := l.Check(ctx, sc, Subject{Client: "198.51.100.a", Tenant: "t1"}); err != nil {
		t.Fatalf("still refused after the window ended: %v", err)
	}
}

func TestLimiterCountsPerScopeAndPurges(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(t0)
	st := &memStore{m: map[string]Counter{}}
	l := New(st, clk)
	send := Scope{Action: "send", PerClient: Rule{2, time.Minute}}
	verify := Scope{Action: "verify", PerClient: Rule{2, time.Minute}}
	s := Subject{Client: "192.0.2.1", Tenant: "t1"}
	for i := 0; i < 2; i++ {
		if err := l.Count(ctx, send, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Check(ctx, send, s); err == nil {
		t.Fatal("two sends of two allowed: the third must wait")
	}
	if err := l.Check(ctx, verify, s); err != nil {
		t.Fatalf("another action is limited by sends: %v", err)
	}
	// Another address of one IPv6 /64 is the same client (finding 5 of
	// issue 20: a clean client gets past a tenant's limit).
	for _, a := range []string{"2001:db8:1:1::1", "2001:db8:1:1::2"} {
		if err := l.Count(ctx, send, Subject{Client: a, Tenant: "t1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Check(ctx, send, Subject{Client: "2001:db8:1:1::3", Tenant: "t1"}); err == nil {
		t.Fatal("a third address of one IPv6 /64 is a new client")
	}
	if err := l.Check(ctx, send, Subject{Client: "2001:db8:1:2::1", Tenant: "t1"}); err != nil {
		t.Fatalf("another /64 is limited: %v", err)
	}
	if err := l.Check(ctx, send, Subject{Tenant: "t1"}); err != nil {
		t.Fatalf("no client address and no tenant rule: %v", err)
	}
	clk.Advance(DefaultWindow + time.Minute)
	n, err := l.Purge(ctx, DefaultLimits)
	// Two clients, each counted twice: each count went to a shard of its
	// own (Shards), so four rows, all stale.
	if err != nil || n != 4 || len(st.m) != 0 {
		t.Fatalf("Purge = %d, %v, %d left; want the four stale shards of the two counters", n, err, len(st.m))
	}
}

// TestLimiterShardsCountTogether: counts spread over the shards of a
// counter refuse at the limit as one counter does, until the windows end.
func TestLimiterShardsCountTogether(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewFake(t0)
	st := &memStore{m: map[string]Counter{}}
	l := New(st, clk)
	w := 15 * time.Minute
	sc := Scope{Action: "send", PerClient: Rule{2 * Shards, w}, PerTenant: Rule{3 * Shards, w}}
	s := Subject{Client: "192.0.2.1", Tenant: "t1"}
	for i := 0; i < 2*Shards; i++ {
		if err := l.Check(ctx, sc, s); err != nil {
			t.Fatalf("send %d of %d refused: %v", i+1, 2*Shards, err)
		}
		if err := l.Count(ctx, sc, s); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	if len(st.m) != 2*Shards {
		t.Fatalf("%d rows; want the counts spread over the %d shards of each counter", len(st.m), Shards)
	}
	var le *LimitedError
	if err := l.Check(ctx, sc, s); !errors.As(err, &le) || le.Tenant {
		t.Fatalf("Check at the client's limit = %v; want the client refused", err)
	}
	if wait := le.RetryAt.Sub(clk.Now()); wait <= 0 || wait > w {
		t.Fatalf("refused for %s; want at most the window %s", wait, w)
	}
	for i := 0; i < Shards; i++ { // other clients fill the tenant's limit
		other := Subject{Client: "198.51.100." + strconv.Itoa(i), Tenant: "t1"}
		if err := l.Count(ctx, sc, other); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Check(ctx, sc, Subject{Client: "198.51.100.0", Tenant: "t1"}); !errors.As(err, &le) || !le.Tenant {
		t.Fatalf("Check of a counted client at the tenant's limit = %v; want the tenant's refusal", err)
	}
	clk.Advance(w)
	if err := l.Check(ctx, sc, s); err != nil {
		t.Fatalf("still refused after the windows ended: %v", err)
	}
}
