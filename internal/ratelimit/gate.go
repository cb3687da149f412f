package ratelimit

import (
	"context"
	"sync"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
)

// Gate bounds how many requests run at once: per key (a tenant) and in
// all. A request waits for a place until its context ends or Wait passes,
// then is refused with a *LimitedError to retry in GateRetry, so one key's
// burst queues behind its own places and never takes every pooled
// database connection. Counts are this process's; it is safe for
// concurrent use.
type Gate struct {
	perKey int
	all    chan struct{} // nil: no bound in all
	wait   time.Duration
	clock  clock.Clock

	mu   sync.Mutex
	keys map[string]*gateKey
}

type gateKey struct {
	places chan struct{}
	users  int // holders and waiters; the key is dropped at 0
}

// GateRetry is the Retry-After of a request the Gate refused.
const GateRetry = time.Second

// NewGate returns a Gate of perKey places per key and all places in all
// (0: no bound in all); a request waits at most wait for a place (0: it is
// refused at once when none is free). perKey 0 bounds nothing.
func NewGate(perKey, all int, wait time.Duration, c clock.Clock) *Gate {
	if c == nil {
		c = clock.Real{}
	}
	g := &Gate{perKey: perKey, wait: wait, clock: c, keys: map[string]*gateKey{}}
	if all > 0 {
		g.all = make(chan struct{}, all)
	}
	return g
}

// Enter takes a place for key and returns the function that gives it back
// (call it exactly once). When no place frees up in time it returns a
// *LimitedError, or the context's error if ctx ended first (the client
// went away).
func (g *Gate) Enter(ctx context.Context, key string) (release func(), err error) {
	if g == nil || g.perKey <= 0 {
		return func() {}, nil
	}
	k := g.join(key)
	var timeout <-chan time.Time
	if g.wait > 0 {
		t := time.NewTimer(g.wait)
		defer t.Stop()
		timeout = t.C
	}
	if !take(ctx, k.places, timeout) {
		g.leave(key, k)
		return nil, g.refusal(ctx)
	}
	if g.all != nil && !take(ctx, g.all, timeout) {
		<-k.places
		g.leave(key, k)
		return nil, g.refusal(ctx)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			if g.all != nil {
				<-g.all
			}
			<-k.places
			g.leave(key, k)
		})
	}, nil
}

// take puts a token in places, at once when there is room, else waiting
// until ctx ends or timeout fires (nil: no waiting).
func take(ctx context.Context, places chan struct{}, timeout <-chan time.Time) bool {
	select {
	case places <- struct{}{}:
		return true
	default:
	}
	if timeout == nil {
		return false
	}
	select {
	case places <- struct{}{}:
		return true
	case <-ctx.Done():
	case <-timeout:
	}
	return false
}

func (g *Gate) refusal(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return &LimitedError{RetryAt: g.clock.Now().Add(GateRetry), Tenant: true}
}

func (g *Gate) join(key string) *gateKey {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := g.keys[key]
	if k == nil {
		k = &gateKey{places: make(chan struct{}, g.perKey)}
		g.keys[key] = k
	}
	k.users++
	return k
}

func (g *Gate) leave(key string, k *gateKey) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if k.users--; k.users == 0 {
		delete(g.keys, key)
	}
}

// held returns how many places of key are taken (tests).
func (g *Gate) held(key string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	if k := g.keys[key]; k != nil {
		return len(k.places)
	}
	return 0
}
