package ratelimit

import (
	"sync"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
)

// Local counts attempts in this process's memory under one Rule per key,
// with Decide's rule for a subject without a client address: at most
// Limit attempts in a fixed window opened by the first, refused attempts
// not counted, no refusal longer than one window.
//
// Unlike Limiter it writes nothing to the store, so it suits what is too
// frequent to cost a commit each (the admin API's reads). The price is
// that each process counts on its own: a deployment of n processes behind
// a balancer lets a caller make up to n times the limit. It is safe for
// concurrent use; memory holds one counter per key seen in its window.
type Local struct {
	clock clock.Clock
	mu    sync.Mutex
	keys  map[string]localCounter
	swept time.Time
}

type localCounter struct {
	Counter
	window time.Duration
}

// NewLocal returns an empty Local.
func NewLocal(c clock.Clock) *Local {
	if c == nil {
		c = clock.Real{}
	}
	return &Local{clock: c, keys: map[string]localCounter{}}
}

// Take counts one attempt for key under r, or returns a *LimitedError
// (and counts nothing) while key is at its limit. An Off rule allows all.
func (l *Local) Take(key string, r Rule) error {
	if r.Off() {
		return nil
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	c := l.keys[key].live(now, r.Window)
	if err := Decide(Counter{}, c, false, now, Rule{}, r); err != nil {
		return err
	}
	if c.Count == 0 {
		c.WindowStart = now
	}
	c.Count++
	l.keys[key] = localCounter{Counter: c, window: r.Window}
	return nil
}

// sweepEvery is how often Take drops the counters whose window ended.
const sweepEvery = time.Minute

func (l *Local) sweep(now time.Time) {
	if now.Sub(l.swept) < sweepEvery {
		return
	}
	l.swept = now
	for k, c := range l.keys {
		if c.live(now, c.window).Count == 0 {
			delete(l.keys, k)
		}
	}
}

// size is how many counters are held (tests).
func (l *Local) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.keys)
}
