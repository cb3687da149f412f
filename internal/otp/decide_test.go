package otp

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func TestCheck(t *testing.T) {
	l := DefaultLimits
	fresh := Code{IssuedAt: t0}
	cases := []struct {
		rule  string
		code  Code
		match bool
		now   time.Time
		want  error
	}{
		{"R3_accepted_at_29m59s", fresh, true, t0.Add(29*time.Minute + 59*time.Second), nil},
		{"R3_refused_at_30m01s", fresh, true, t0.Add(30*time.Minute + time.Second), ErrExpired},
		{"R3_refused_at_exactly_30m", fresh, true, t0.Add(30 * time.Minute), ErrExpired},
		{"R3_refused_on_second_use", Code{IssuedAt: t0, UsedAt: t0.Add(time.Minute)}, true, t0.Add(2 * time.Minute), ErrUsed},
		{"R3_wrong_code", fresh, false, t0.Add(time.Minute), ErrWrongCode},
		{"R3_void_after_5_wrong_entries_even_if_right", Code{IssuedAt: t0, Attempts: 5}, true, t0.Add(time.Minute), ErrTooManyAttempts},
		{"R3_4_wrong_entries_still_usable", Code{IssuedAt: t0, Attempts: 4}, true, t0.Add(time.Minute), nil},
		{"R3_expired_and_wrong_says_expired", fresh, false, t0.Add(31 * time.Minute), ErrExpired},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if err := Check(c.code, c.match, c.now, l); !errors.Is(err, c.want) {
				t.Fatalf("Check = %v, want %v", err, c.want)
			}
		})
	}
}

func TestCheckSend(t *testing.T) {
	l := DefaultLimits // 1 a minute and 10 an hour per client network, 30 an hour per address
	m := func(d time.Duration) time.Time { return t0.Add(d) }
	sent := func(start time.Time, n int, last time.Time) Sends {
		return Sends{WindowStart: start, Count: n, LastAt: last}
	}
	cases := []struct {
		rule            string
		client, address Sends
		now             time.Time
		want            SendCounts
		retryAt         time.Time // zero: allowed
		hourly, budget  bool
	}{
		{rule: "R3_first_send", now: t0,
			want: SendCounts{Client: sent(t0, 1, t0), Address: sent(t0, 1, t0)}},
		{rule: "R3_second_send_within_60s_throttled", client: sent(t0, 1, t0), address: sent(t0, 1, t0),
			now: m(59 * time.Second), retryAt: m(60 * time.Second)},
		{rule: "R3_second_send_after_60s_allowed", client: sent(t0, 1, t0), address: sent(t0, 1, t0),
			now: m(60 * time.Second), want: SendCounts{Client: sent(t0, 2, m(time.Minute)), Address: sent(t0, 2, m(time.Minute))}},
		{rule: "R3_eleventh_send_within_hour_throttled", client: sent(t0, 10, m(50*time.Minute)), address: sent(t0, 10, m(50*time.Minute)),
			now: m(55 * time.Minute), retryAt: m(time.Hour), hourly: true},
		{rule: "R3_new_hour_window_opens", client: sent(t0, 10, m(50*time.Minute)), address: sent(t0, 10, m(50*time.Minute)),
			now: m(time.Hour), want: SendCounts{Client: sent(m(time.Hour), 1, m(time.Hour)), Address: sent(m(time.Hour), 1, m(time.Hour))}},
		{rule: "R3_resend_interval_spans_a_window_end", client: sent(t0, 3, m(59*time.Minute+30*time.Second)),
			now: m(time.Hour), retryAt: m(time.Hour + 30*time.Second)},
		{rule: "finding5_another_clients_ten_sends_leave_a_clean_client_its_code", address: sent(t0, 10, m(9*time.Minute)),
			now: m(10 * time.Minute), want: SendCounts{Client: sent(m(10*time.Minute), 1, m(10*time.Minute)), Address: sent(t0, 11, m(10*time.Minute))}},
		{rule: "finding5_no_resend_interval_across_clients", address: sent(t0, 5, m(4*time.Minute)),
			now: m(4*time.Minute + time.Second), want: SendCounts{Client: sent(m(4*time.Minute+time.Second), 1, m(4*time.Minute+time.Second)), Address: sent(t0, 6, m(4*time.Minute+time.Second))}},
		{rule: "finding5_budget_spent_a_clean_client_still_sends", address: sent(t0, 30, m(40*time.Minute)),
			now: m(41 * time.Minute), want: SendCounts{Client: sent(m(41*time.Minute), 1, m(41*time.Minute)), Address: sent(t0, 31, m(41*time.Minute))}},
		{rule: "finding5_budget_spent_a_client_with_sends_waits_for_the_earlier_window", client: sent(m(20*time.Minute), 2, m(21*time.Minute)), address: sent(t0, 30, m(40*time.Minute)),
			now: m(41 * time.Minute), retryAt: m(time.Hour), hourly: true, budget: true},
		{rule: "finding5_budget_refusal_ends_with_the_clients_own_window", client: sent(m(-50*time.Minute), 2, m(-49*time.Minute)), address: sent(t0, 30, m(40*time.Minute)),
			now: m(5 * time.Minute), retryAt: m(10 * time.Minute), hourly: true, budget: true},
		{rule: "finding5_budget_window_ended_counts_nothing", client: sent(t0, 2, m(time.Minute)), address: sent(t0, 30, m(40*time.Minute)),
			now: m(time.Hour + time.Minute), want: SendCounts{Client: sent(m(time.Hour+time.Minute), 1, m(time.Hour+time.Minute)), Address: sent(m(time.Hour+time.Minute), 1, m(time.Hour+time.Minute))}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, err := CheckSend(c.client, c.address, c.now, l)
			if c.retryAt.IsZero() {
				if err != nil || got != c.want {
					t.Fatalf("CheckSend = %+v, %v; want %+v", got, err, c.want)
				}
				return
			}
			var te *ThrottledError
			if !errors.As(err, &te) || te.Hourly != c.hourly || te.Address != c.budget || !te.RetryAt.Equal(c.retryAt) {
				t.Fatalf("CheckSend = %+v, %v; want throttled (hourly %v, budget %v) until %v", got, err, c.hourly, c.budget, c.retryAt)
			}
			if wait := te.RetryAt.Sub(c.now); wait > SendWindow {
				t.Fatalf("refused for %s, longer than one window", wait)
			}
		})
	}
}

// TestCheckCounted: concurrent sends from several clients that each read
// the budget below its limit are re-checked with the count taken
// atomically (finding 5: the budget still bounds mail to the address).
func TestCheckCounted(t *testing.T) {
	l := DefaultLimits
	now := t0.Add(30 * time.Minute)
	withSends := Sends{WindowStart: t0, Count: 1, LastAt: t0}
	cases := []struct {
		rule    string
		client  Sends
		counted Sends // the budget including this send
		refused bool
	}{
		{"finding5_within_budget", withSends, Sends{WindowStart: t0, Count: 30, LastAt: now}, false},
		{"finding5_past_budget_client_with_sends_refused", withSends, Sends{WindowStart: t0, Count: 31, LastAt: now}, true},
		{"finding5_past_budget_clean_client_sends", Sends{}, Sends{WindowStart: t0, Count: 31, LastAt: now}, false},
		{"finding5_new_budget_window", withSends, Sends{WindowStart: now, Count: 1, LastAt: now}, false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			err := CheckCounted(c.client, c.counted, now, l)
			var te *ThrottledError
			if c.refused != errors.As(err, &te) || (!c.refused && err != nil) {
				t.Fatalf("CheckCounted = %v, want refused %v", err, c.refused)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		c, err := Generate(8)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) != 8 || NormalizeInput(c) != c {
			t.Fatalf("Generate(8) = %q", c)
		}
		for _, r := range c {
			if r < '0' || r > '9' {
				t.Fatalf("Generate(8) = %q has a non-digit", c)
			}
		}
		seen[c] = true
	}
	if len(seen) < 195 {
		t.Fatalf("only %d distinct codes of 200: not random", len(seen))
	}
}

func TestHasherBindsTenantAndAddress(t *testing.T) {
	h, err := NewHasher(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	stored := h.Hash("t1", "Teri@X.example", "12345678")
	if !h.Matches("t1", "teri@x.example", "12345678", stored) {
		t.Fatal("same tenant, address (any case) and code must match")
	}
	if h.Matches("t2", "teri@x.example", "12345678", stored) || h.Matches("t1", "kim@x.example", "12345678", stored) {
		t.Fatal("a code must not match in another tenant or for another address")
	}
	if _, err := NewHasher(make([]byte, 16)); err == nil {
		t.Fatal("a short key must be refused")
	}
}

func TestStateOf(t *testing.T) {
	l := DefaultLimits
	w := func(c Code) Sends { return Sends{WindowStart: c.IssuedAt, Count: 1, LastAt: c.IssuedAt} }
	fresh := Code{IssuedAt: t0}
	cases := []struct {
		rule            string
		code            Code
		exists          bool
		client, address Sends
		now             time.Time
		live            bool
		void            error
		attemptsLeft    int
		resendAt        time.Time
	}{
		{"R3_no_code_offers_a_send_now", Code{}, false, Sends{}, Sends{}, t0, false, ErrNoCode, 0, time.Time{}},
		{"R3_fresh_code_live_resend_after_60s", fresh, true, w(fresh), w(fresh), t0.Add(15 * time.Second), true, nil, 5, t0.Add(time.Minute)},
		{"R3_wrong_entries_count_down", Code{IssuedAt: t0, Attempts: 2}, true, w(fresh), w(fresh), t0.Add(2 * time.Minute), true, nil, 3, time.Time{}},
		{"R3_void_after_5_wrong_entries_waits_for_resend", Code{IssuedAt: t0, Attempts: 5}, true, w(fresh), w(fresh), t0.Add(30 * time.Second), false, ErrTooManyAttempts, 0, t0.Add(time.Minute)},
		{"R3_used_code_is_void", Code{IssuedAt: t0, UsedAt: t0.Add(time.Minute)}, true, w(fresh), w(fresh), t0.Add(2 * time.Minute), false, ErrUsed, 5, time.Time{}},
		{"R3_expired_code_is_void", fresh, true, w(fresh), w(fresh), t0.Add(31 * time.Minute), false, ErrExpired, 5, time.Time{}},
		{"R3_hourly_limit_waits_for_the_window", Code{IssuedAt: t0.Add(50 * time.Minute), Attempts: 5},
			true, Sends{WindowStart: t0, Count: 10, LastAt: t0.Add(50 * time.Minute)}, Sends{WindowStart: t0, Count: 10, LastAt: t0.Add(50 * time.Minute)},
			t0.Add(55 * time.Minute), false, ErrTooManyAttempts, 0, t0.Add(time.Hour)},
		{"finding5_another_clients_sends_leave_a_new_requester_a_send_now", Code{}, false,
			Sends{}, Sends{WindowStart: t0, Count: 10, LastAt: t0.Add(50 * time.Minute)}, t0.Add(50*time.Minute + time.Second), false, ErrNoCode, 0, time.Time{}},
		{"finding5_no_code_of_ones_own_yet_waits_as_CheckSend_says", Code{}, false,
			Sends{WindowStart: t0, Count: 1, LastAt: t0}, Sends{WindowStart: t0, Count: 1, LastAt: t0}, t0.Add(20 * time.Second), false, ErrNoCode, 0, t0.Add(time.Minute)},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			st := StateOf(c.code, c.exists, c.client, c.address, c.now, l)
			if st.Live != c.live || !errors.Is(st.Void, c.void) || (c.void == nil) != (st.Void == nil) || st.AttemptsLeft != c.attemptsLeft || !st.ResendAt.Equal(c.resendAt) {
				t.Fatalf("StateOf = %+v, want live %v void %v left %d resend %s", st, c.live, c.void, c.attemptsLeft, c.resendAt)
			}
		})
	}
}

func TestLimitsValidate(t *testing.T) {
	if err := DefaultLimits.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := DefaultLimits
	bad.AddressPerHour = bad.PerHour - 1
	if bad.Validate() == nil {
		t.Fatal("a budget per address below the sends per client must be refused")
	}
}
