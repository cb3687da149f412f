package ratelimit

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func TestDecide(t *testing.T) {
	w := 15 * time.Minute
	perClient, perTenant := Rule{Limit: 3, Window: w}, Rule{Limit: 10, Window: w}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	cases := []struct {
		rule           string
		client, tenant Counter
		hasClient      bool
		now            time.Time
		clientOff      bool      // the per-client rule is off
		wantRetry      time.Time // zero: allowed
		wantTenant     bool
	}{
		{rule: "nothing_counted_allowed", hasClient: true, now: t0},
		{rule: "client_below_limit_allowed", client: Counter{t0, 2}, tenant: Counter{t0, 2}, hasClient: true, now: at(time.Minute)},
		{rule: "client_at_limit_refused_until_its_window_ends", client: Counter{t0, 3}, hasClient: true, now: at(time.Minute), wantRetry: at(w)},
		{rule: "client_window_ended_counts_nothing", client: Counter{t0, 3}, hasClient: true, now: at(w)},
		{rule: "tenant_at_limit_refuses_a_counted_client", client: Counter{at(5 * time.Minute), 1}, tenant: Counter{t0, 10}, hasClient: true,
			now: at(6 * time.Minute), wantRetry: at(w), wantTenant: true},
		{rule: "tenant_at_limit_lets_a_clean_client_in", tenant: Counter{t0, 10}, hasClient: true, now: at(6 * time.Minute)},
		{rule: "tenant_at_limit_lets_a_client_whose_window_ended_in", client: Counter{at(-w), 2}, tenant: Counter{t0, 10}, hasClient: true, now: at(time.Minute)},
		{rule: "tenant_refusal_ends_with_the_clients_earlier_window", client: Counter{at(-10 * time.Minute), 1}, tenant: Counter{t0, 10}, hasClient: true,
			now: at(time.Minute), wantRetry: at(5 * time.Minute), wantTenant: true},
		{rule: "no_client_tenant_at_limit_refused", tenant: Counter{t0, 10}, now: at(time.Minute), wantRetry: at(w), wantTenant: true},
		{rule: "tenant_window_ended_counts_nothing", client: Counter{at(w), 1}, tenant: Counter{t0, 10}, hasClient: true, now: at(w + time.Second)},
		{rule: "client_rule_off_tenant_refuses", client: Counter{t0, 100}, tenant: Counter{t0, 10}, hasClient: true, clientOff: true,
			now: at(time.Minute), wantRetry: at(w), wantTenant: true},
		{rule: "never_refused_beyond_one_window", client: Counter{at(14 * time.Minute), 3}, tenant: Counter{at(14 * time.Minute), 10}, hasClient: true,
			now: at(14 * time.Minute), wantRetry: at(29 * time.Minute)},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			pc := perClient
			if c.clientOff {
				pc = Rule{}
			}
			err := Decide(c.client, c.tenant, c.hasClient, c.now, pc, perTenant)
			var le *LimitedError
			if c.wantRetry.IsZero() {
				if err != nil {
					t.Fatalf("Decide = %v, want allowed", err)
				}
				return
			}
			if !errors.As(err, &le) || !le.RetryAt.Equal(c.wantRetry) || le.Tenant != c.wantTenant {
				t.Fatalf("Decide = %v, want refused until %v (tenant %v)", err, c.wantRetry, c.wantTenant)
			}
			if le.RetryAt.Sub(c.now) > w {
				t.Fatalf("refused for %s, longer than the window %s", le.RetryAt.Sub(c.now), w)
			}
		})
	}
}

func TestDecideOffRules(t *testing.T) {
	if err := Decide(Counter{t0, 1000}, Counter{t0, 1000}, true, t0, Rule{}, Rule{}); err != nil {
		t.Fatalf("rules that are off refused: %v", err)
	}
}

func TestRetryAfter(t *testing.T) {
	e := &LimitedError{RetryAt: t0.Add(1500 * time.Millisecond)}
	if got := e.RetryAfter(t0); got != 2*time.Second {
		t.Fatalf("RetryAfter = %s, want 2s (rounded up)", got)
	}
	if got := e.RetryAfter(t0.Add(time.Hour)); got != time.Second {
		t.Fatalf("RetryAfter past = %s, want 1s", got)
	}
}

func TestValidate(t *testing.T) {
	if err := DefaultLimits.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := DefaultLimits
	bad.Send.PerClient.Window = 0
	if bad.Validate() == nil {
		t.Fatal("a limit without a window must be refused")
	}
	bad = DefaultLimits
	bad.Token.PerTenant.Limit = -1
	if bad.Validate() == nil {
		t.Fatal("a negative limit must be refused")
	}
}

func TestMerge(t *testing.T) {
	w := 15 * time.Minute
	r := Rule{Limit: 10, Window: w}
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	cases := []struct {
		rule   string
		shards []Counter
		now    time.Time
		want   Counter
	}{
		{rule: "no_shards_count_nothing", now: t0},
		{rule: "one_shard_is_the_counter", shards: []Counter{{t0, 4}}, now: at(time.Minute), want: Counter{t0, 4}},
		{rule: "live_shards_add_up", shards: []Counter{{at(2 * time.Minute), 3}, {t0, 4}, {at(time.Minute), 2}}, now: at(3 * time.Minute),
			want: Counter{t0, 9}},
		{rule: "ended_shards_count_nothing", shards: []Counter{{at(-w), 8}, {t0, 4}}, now: at(time.Minute), want: Counter{t0, 4}},
		{rule: "at_limit_the_window_is_the_one_whose_end_lets_one_through", shards: []Counter{{t0, 2}, {at(time.Minute), 8}, {at(2 * time.Minute), 5}},
			now: at(3 * time.Minute), want: Counter{at(time.Minute), 15}},
		{rule: "at_limit_the_earliest_end_when_it_is_enough", shards: []Counter{{t0, 6}, {at(time.Minute), 4}}, now: at(3 * time.Minute),
			want: Counter{t0, 10}},
		{rule: "never_refused_beyond_one_window", shards: []Counter{{t0, 20}, {at(10 * time.Minute), 20}}, now: at(11 * time.Minute),
			want: Counter{at(10 * time.Minute), 40}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got := Merge(c.shards, c.now, r)
			if got.Count != c.want.Count || !got.WindowStart.Equal(c.want.WindowStart) {
				t.Fatalf("Merge = %+v, want %+v", got, c.want)
			}
			if got.Count >= r.Limit && !got.WindowStart.Add(w).After(c.now) {
				t.Fatalf("refused until %s, which is not after now", got.WindowStart.Add(w))
			}
		})
	}
}
