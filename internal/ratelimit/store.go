package ratelimit

import (
	"context"
	"time"
)

// Store keeps the counters. Keys are opaque strings the Limiter builds
// (action, dimension and id); methods join the transaction in ctx.
type Store interface {
	// GetRateCounters returns the counters of the keys that have one, in
	// one read; keys without a counter are absent from the map.
	GetRateCounters(ctx context.Context, keys []string) (map[string]Counter, error)
	// AddRateCount counts one for key at now, atomically (an upsert:
	// concurrent callers in any process are all counted), and returns the
	// counter: one whose window opened at or before staleBefore restarts
	// as {now, 1}.
	AddRateCount(ctx context.Context, key string, now, staleBefore time.Time) (Counter, error)
	// DeleteRateCounters removes counters whose window opened before
	// before (they count nothing any more) and returns how many.
	DeleteRateCounters(ctx context.Context, before time.Time) (int, error)
}
