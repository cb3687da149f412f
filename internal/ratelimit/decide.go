package ratelimit

import (
	"slices"
	"time"
)

// Rule is a limit on one key: at most Limit attempts in a fixed window of
// length Window, opened by the first attempt. A zero Limit turns it off.
type Rule struct {
	Limit  int
	Window time.Duration
}

// Off reports a rule that limits nothing.
func (r Rule) Off() bool { return r.Limit <= 0 || r.Window <= 0 }

// Counter is a key's count in the window that opened at WindowStart.
type Counter struct {
	WindowStart time.Time
	Count       int
}

// live returns c if its window is still open at now, else an empty
// counter: a window that ended counts nothing.
func (c Counter) live(now time.Time, window time.Duration) Counter {
	if c.Count <= 0 || !now.Before(c.WindowStart.Add(window)) {
		return Counter{}
	}
	return c
}

// StaleBefore is when a window must have opened to have ended by now: the
// store restarts such a counter at the next attempt.
func StaleBefore(now time.Time, r Rule) time.Time { return now.Add(-r.Window) }

// Decide says whether one more attempt may run now, given the counters of
// the client address and of the tenant (or app) and their rules. hasClient
// is false when there is no client address to count (the CLI, an app
// limited as a whole); then the tenant's limit refuses everyone.
//
//   - client at its limit: refused until the client's window ends;
//   - tenant at its limit: refused, until the earlier of the two windows
//     ends, only if the client was counted in its own live window (or
//     there is no client); a client with no live count gets through.
//
// Refused attempts are not counted by callers, and windows never move, so
// no refusal lasts longer than one window.
func Decide(client, tenant Counter, hasClient bool, now time.Time, perClient, perTenant Rule) error {
	var c, t Counter
	if hasClient && !perClient.Off() {
		c = client.live(now, perClient.Window)
		if c.Count >= perClient.Limit {
			return &LimitedError{RetryAt: c.WindowStart.Add(perClient.Window)}
		}
	}
	if perTenant.Off() {
		return nil
	}
	if t = tenant.live(now, perTenant.Window); t.Count < perTenant.Limit {
		return nil
	}
	retry := t.WindowStart.Add(perTenant.Window)
	if hasClient && !perClient.Off() {
		if c.Count == 0 {
			return nil
		}
		if end := c.WindowStart.Add(perClient.Window); end.Before(retry) {
			retry = end
		}
	}
	return &LimitedError{RetryAt: retry, Tenant: true}
}

// Merge combines the shards of one counter (see Limiter) into the counter
// Decide reads under r at now: the count of every live shard, and the
// window start whose end lets one more attempt through. Shards open and
// end their windows on their own, so once the earliest-ending ones have
// ended the count may still be at the limit; the window start returned is
// that of the shard whose end brings the count below r.Limit. Every live
// window ends within r.Window of now, so no refusal lasts longer than one
// window, as with a single counter.
func Merge(shards []Counter, now time.Time, r Rule) Counter {
	live := make([]Counter, 0, len(shards))
	total := 0
	for _, s := range shards {
		if s = s.live(now, r.Window); s.Count > 0 {
			live = append(live, s)
			total += s.Count
		}
	}
	if total == 0 {
		return Counter{}
	}
	slices.SortFunc(live, func(a, b Counter) int { return a.WindowStart.Compare(b.WindowStart) })
	left := total
	for _, s := range live {
		left -= s.Count
		if left < r.Limit || r.Off() {
			return Counter{WindowStart: s.WindowStart, Count: total}
		}
	}
	return Counter{WindowStart: live[len(live)-1].WindowStart, Count: total}
}
