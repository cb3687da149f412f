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
	l := DefaultLimits
	cases := []struct {
		rule       string
		prev       Code
		exists     bool
		now        time.Time
		want       SendWindow
		throttled  bool
		hourly     bool
		retryAfter time.Time
	}{
		{rule: "R3_first_send", now: t0, want: SendWindow{Start: t0, Count: 1}},
		{rule: "R3_second_send_within_60s_throttled", exists: true, prev: Code{IssuedAt: t0, WindowStart: t0, WindowCount: 1},
			now: t0.Add(59 * time.Second), throttled: true, retryAfter: t0.Add(60 * time.Second)},
		{rule: "R3_second_send_after_60s_allowed", exists: true, prev: Code{IssuedAt: t0, WindowStart: t0, WindowCount: 1},
			now: t0.Add(60 * time.Second), want: SendWindow{Start: t0, Count: 2}},
		{rule: "R3_eleventh_send_within_hour_throttled", exists: true, prev: Code{IssuedAt: t0.Add(50 * time.Minute), WindowStart: t0, WindowCount: 10},
			now: t0.Add(55 * time.Minute), throttled: true, hourly: true, retryAfter: t0.Add(time.Hour)},
		{rule: "R3_new_hour_window_opens", exists: true, prev: Code{IssuedAt: t0.Add(50 * time.Minute), WindowStart: t0, WindowCount: 10},
			now: t0.Add(time.Hour), want: SendWindow{Start: t0.Add(time.Hour), Count: 1}},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, err := CheckSend(c.prev, c.exists, c.now, l)
			var te *ThrottledError
			if c.throttled {
				if !errors.As(err, &te) || te.Hourly != c.hourly || !te.RetryAt.Equal(c.retryAfter) {
					t.Fatalf("CheckSend = %v, %v; want throttled hourly=%v until %v", got, err, c.hourly, c.retryAfter)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("CheckSend = %+v, %v; want %+v", got, err, c.want)
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
	w := func(c Code) Code { c.WindowStart, c.WindowCount = c.IssuedAt, 1; return c }
	cases := []struct {
		rule         string
		code         Code
		exists       bool
		now          time.Time
		live         bool
		void         error
		attemptsLeft int
		resendAt     time.Time
	}{
		{"R3_no_code_offers_a_send_now", Code{}, false, t0, false, ErrNoCode, 0, time.Time{}},
		{"R3_fresh_code_live_resend_after_60s", w(Code{IssuedAt: t0}), true, t0.Add(15 * time.Second), true, nil, 5, t0.Add(time.Minute)},
		{"R3_wrong_entries_count_down", w(Code{IssuedAt: t0, Attempts: 2}), true, t0.Add(2 * time.Minute), true, nil, 3, time.Time{}},
		{"R3_void_after_5_wrong_entries_waits_for_resend", w(Code{IssuedAt: t0, Attempts: 5}), true, t0.Add(30 * time.Second), false, ErrTooManyAttempts, 0, t0.Add(time.Minute)},
		{"R3_used_code_is_void", w(Code{IssuedAt: t0, UsedAt: t0.Add(time.Minute)}), true, t0.Add(2 * time.Minute), false, ErrUsed, 5, time.Time{}},
		{"R3_expired_code_is_void", w(Code{IssuedAt: t0}), true, t0.Add(31 * time.Minute), false, ErrExpired, 5, time.Time{}},
		{"R3_hourly_limit_waits_for_the_window", Code{IssuedAt: t0.Add(50 * time.Minute), Attempts: 5, WindowStart: t0, WindowCount: 10}, true, t0.Add(55 * time.Minute), false, ErrTooManyAttempts, 0, t0.Add(time.Hour)},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			st := StateOf(c.code, c.exists, c.now, l)
			if st.Live != c.live || !errors.Is(st.Void, c.void) || (c.void == nil) != (st.Void == nil) || st.AttemptsLeft != c.attemptsLeft || !st.ResendAt.Equal(c.resendAt) {
				t.Fatalf("StateOf = %+v, want live %v void %v left %d resend %s", st, c.live, c.void, c.attemptsLeft, c.resendAt)
			}
		})
	}
}
