package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/httpx"
)

// Limiter applies Decide against a Store. It is safe for concurrent use.
type Limiter struct {
	store Store
	clock clock.Clock
	// next picks the shard the next count goes to (round robin).
	next atomic.Uint32
}

// Shards is how many rows of the store one counter is spread over. Every
// send of a tenant counts on the tenant's counter, in the transaction that
// sends, and a row's lock is held until that transaction commits: on one
// row, concurrent sends of a tenant (or of one client network, such as a
// company's NAT) queued behind each other's commits. Count adds one to one
// shard, in turn; Check reads and sums them all in the one read it made
// before. Shard 0 keeps the key of the single counter there was before.
// The count is the last statement before the commit, so a shard's lock
// is held for the commit alone: at 32 concurrent sign-ins of one tenant
// from one network, four shards still queued now and then and eight did
// not; each more costs Check two more keys to read.
const Shards = 8

// shardKeys appends key's shard keys to dst.
func shardKeys(dst []string, key string) []string {
	dst = append(dst, key)
	for i := 1; i < Shards; i++ {
		dst = append(dst, key+"#"+strconv.Itoa(i))
	}
	return dst
}

// shardKey is the key of key's shard i.
func shardKey(key string, i int) string {
	if i == 0 {
		return key
	}
	return key + "#" + strconv.Itoa(i)
}

// New returns a Limiter.
func New(s Store, c clock.Clock) *Limiter {
	if c == nil {
		c = clock.Real{}
	}
	return &Limiter{store: s, clock: c}
}

// Subject is who an attempt is counted against: the client's IP address
// ("" when there is none), counted by its network (httpx.Network: an IPv4
// address, an IPv6 /64, whose host picks any address in it), and the
// tenant id (for Graph's limit, the tenant and the app).
type Subject struct {
	Client string
	Tenant string
}

func (sc Scope) keys(s Subject) (client, tenant string) {
	if s.Client != "" && !sc.PerClient.Off() {
		client = sc.Action + "|client|" + httpx.Network(s.Client)
	}
	if !sc.PerTenant.Off() {
		tenant = sc.Action + "|tenant|" + s.Tenant
	}
	return client, tenant
}

// Check reads the subject's counters and returns a *LimitedError when one
// more attempt must wait. It writes nothing.
func (l *Limiter) Check(ctx context.Context, sc Scope, s Subject) error {
	ck, tk := sc.keys(s)
	var keys []string
	for _, k := range []string{ck, tk} {
		if k != "" {
			keys = shardKeys(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	cs, err := l.store.GetRateCounters(ctx, keys)
	if err != nil {
		return fmt.Errorf("rate limit %s: %w", sc.Action, err)
	}
	now := l.clock.Now()
	merged := func(key string, r Rule) Counter {
		if key == "" {
			return Counter{}
		}
		shards := make([]Counter, 0, Shards)
		for i := range Shards {
			if c, ok := cs[shardKey(key, i)]; ok {
				shards = append(shards, c)
			}
		}
		return Merge(shards, now, r)
	}
	return Decide(merged(ck, sc.PerClient), merged(tk, sc.PerTenant), ck != "", now, sc.PerClient, sc.PerTenant)
}

// Count counts one attempt against the subject's counters, on one shard
// of each. Inside a transaction it joins it: a rolled-back attempt is not
// counted.
func (l *Limiter) Count(ctx context.Context, sc Scope, s Subject) error {
	now := l.clock.Now()
	ck, tk := sc.keys(s)
	shard := int(l.next.Add(1) % Shards)
	for _, k := range []struct {
		key  string
		rule Rule
	}{{ck, sc.PerClient}, {tk, sc.PerTenant}} {
		if k.key == "" {
			continue
		}
		if _, err := l.store.AddRateCount(ctx, shardKey(k.key, shard), now, StaleBefore(now, k.rule)); err != nil {
			return fmt.Errorf("rate limit %s: count: %w", sc.Action, err)
		}
	}
	return nil
}

// Purge deletes counters whose window opened before the longest window
// of limits ended, and returns how many.
func (l *Limiter) Purge(ctx context.Context, limits Limits) (int, error) {
	longest := time.Duration(0)
	for _, s := range []Scope{limits.Send, limits.Verify, limits.Token, limits.GraphWrites} {
		longest = max(longest, s.PerClient.Window, s.PerTenant.Window)
	}
	return l.store.DeleteRateCounters(ctx, l.clock.Now().Add(-longest))
}

// Run purges stale counters every interval until ctx ends; a failed purge
// is logged and tried again at the next tick.
func (l *Limiter) Run(ctx context.Context, limits Limits, interval time.Duration, log *slog.Logger) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if _, err := l.Purge(ctx, limits); err != nil && ctx.Err() == nil {
				log.WarnContext(ctx, "purge rate-limit counters", "err", err)
			}
		}
	}
}
