package member

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCheckPassword(t *testing.T) {
	cases := []struct {
		rule     string
		password string
		address  string
		ok       bool
		reason   string // a part of the refusal's reason
	}{
		{"length_12_accepted", "tulip-Quarry9", "teri@fabrikam.example", true, ""},
		{"length_11_refused", "tulipQuarr9", "teri@fabrikam.example", false, "at least 12"},
		{"length_counts_characters_not_bytes", "ツツツツツツツツツツツツ", "teri@fabrikam.example", true, ""},
		{"length_11_multibyte_refused", "ツツツツツツツツツツツ", "teri@fabrikam.example", false, "11 characters"},
		{"length_256_accepted", strings.Repeat("abcdefgh", 32), "teri@fabrikam.example", true, ""},
		{"length_257_refused", strings.Repeat("abcdefgh", 32) + "x", "teri@fabrikam.example", false, "at most 256"},
		{"common_password_refused", "password1234", "teri@fabrikam.example", false, "commonly used"},
		{"common_password_any_case_refused", "PassWord1234", "teri@fabrikam.example", false, "commonly used"},
		{"common_password_with_space_refused", "correct horse battery staple", "teri@fabrikam.example", false, "commonly used"},
		{"local_part_refused", "my-teri.ng-password", "Teri.Ng@fabrikam.example", false, "user name"},
		{"local_part_any_case_refused", "xxTERI.NGxx-2026", "teri.ng@fabrikam.example", false, "user name"},
		{"domain_alone_accepted", "fabrikam-blue-kite", "teri@fabrikam.example", true, ""},
		{"short_local_part_not_looked_for", "joyful-blue-kite", "jo@fabrikam.example", true, ""},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			err := CheckPassword(c.password, c.address)
			if c.ok {
				if err != nil {
					t.Fatalf("CheckPassword(%q) = %v, want accepted", c.password, err)
				}
				return
			}
			var pe *PasswordError
			if !errors.As(err, &pe) || !strings.Contains(pe.Reason, c.reason) {
				t.Fatalf("CheckPassword(%q) = %v, want a *PasswordError saying %q", c.password, err, c.reason)
			}
			if strings.Contains(pe.Error(), c.password) {
				t.Fatalf("the refusal %q repeats the password", pe.Error())
			}
		})
	}
}

func TestCommonPasswordList(t *testing.T) {
	if len(commonPasswords) < 300 {
		t.Fatalf("the embedded list has %d passwords, want a few hundred", len(commonPasswords))
	}
	long := 0
	for p := range commonPasswords {
		if len([]rune(p)) >= MinPasswordLength {
			long++
		}
	}
	if long < 100 {
		t.Fatalf("only %d listed passwords are long enough to matter", long)
	}
}

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func TestCheckThrottle(t *testing.T) {
	l := DefaultLimits // in 15 minutes: 5 per account per client, 25 per account, 20 per client, 2,000 per tenant
	m := func(d time.Duration) time.Time { return t0.Add(d) }
	cases := []struct {
		rule    string
		c       Counts
		now     time.Time
		retryAt time.Time // zero: allowed
	}{
		{rule: "no_failures_allowed", c: Counts{HasClient: true}, now: t0},
		{rule: "pair_4_failures_allowed", c: Counts{Pair: Failures{t0, 4}, Account: Failures{t0, 4}, Client: Failures{t0, 4}, HasClient: true}, now: m(time.Minute)},
		{rule: "pair_5_failures_refused_until_window_end", c: Counts{Pair: Failures{t0, 5}, Account: Failures{t0, 5}, Client: Failures{t0, 5}, HasClient: true},
			now: m(time.Minute), retryAt: m(15 * time.Minute)},
		{rule: "pair_refused_just_before_window_end", c: Counts{Pair: Failures{t0, 5}, HasClient: true}, now: m(15*time.Minute - time.Nanosecond), retryAt: m(15 * time.Minute)},
		{rule: "pair_allowed_at_window_end", c: Counts{Pair: Failures{t0, 5}, HasClient: true}, now: m(15 * time.Minute)},
		{rule: "lockout_never_longer_than_window_even_after_many", c: Counts{Pair: Failures{t0, 500}, Account: Failures{t0, 500}, HasClient: true}, now: m(15 * time.Minute)},
		{rule: "finding5_another_clients_5_failures_leave_a_clean_client_in", c: Counts{Account: Failures{t0, 5}, HasClient: true}, now: m(time.Minute)},
		{rule: "finding5_account_ceiling_lets_a_clean_client_in", c: Counts{Account: Failures{t0, 25}, HasClient: true}, now: m(time.Minute)},
		{rule: "finding5_account_ceiling_refuses_a_client_with_failures", c: Counts{Account: Failures{t0, 25}, Client: Failures{m(2 * time.Minute), 1}, HasClient: true},
			now: m(3 * time.Minute), retryAt: m(15 * time.Minute)},
		{rule: "finding5_account_ceiling_refusal_ends_with_the_clients_earlier_window", c: Counts{Account: Failures{t0, 25}, Client: Failures{m(-10 * time.Minute), 1}, HasClient: true},
			now: m(time.Minute), retryAt: m(5 * time.Minute)},
		{rule: "finding5_account_ceiling_without_client_refused", c: Counts{Account: Failures{t0, 25}}, now: m(time.Minute), retryAt: m(15 * time.Minute)},
		{rule: "finding5_account_below_ceiling_allowed", c: Counts{Account: Failures{t0, 24}, Client: Failures{t0, 3}, HasClient: true}, now: m(time.Minute)},
		{rule: "client_19_failures_allowed", c: Counts{Client: Failures{t0, 19}, HasClient: true}, now: m(time.Minute)},
		{rule: "client_20_failures_refused_until_window_end", c: Counts{Client: Failures{t0, 20}, HasClient: true}, now: m(time.Minute), retryAt: m(15 * time.Minute)},
		{rule: "client_allowed_at_window_end", c: Counts{Client: Failures{t0, 20}, HasClient: true}, now: m(15 * time.Minute)},
		{rule: "pair_and_client_refused_retry_at_later_end", c: Counts{Pair: Failures{t0, 5}, Client: Failures{m(5 * time.Minute), 20}, HasClient: true},
			now: m(6 * time.Minute), retryAt: m(20 * time.Minute)},
		{rule: "tenant_spray_refuses_a_client_with_failures", c: Counts{Tenant: Failures{t0, 2000}, Client: Failures{t0, 1}, HasClient: true},
			now: m(time.Minute), retryAt: m(15 * time.Minute)},
		{rule: "tenant_spray_lets_a_clean_client_in", c: Counts{Tenant: Failures{t0, 2000}, HasClient: true}, now: m(time.Minute)},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			err := CheckThrottle(c.c, c.now, l)
			if c.retryAt.IsZero() {
				if err != nil {
					t.Fatalf("CheckThrottle = %v, want allowed", err)
				}
				return
			}
			var te *ThrottledError
			if !errors.As(err, &te) || !te.RetryAt.Equal(c.retryAt) {
				t.Fatalf("CheckThrottle = %v, want throttled until %s", err, c.retryAt)
			}
			if wait := te.RetryAt.Sub(c.now); wait > l.Window {
				t.Fatalf("refused for %s, longer than one window", wait)
			}
		})
	}
	off := l
	off.AccountCeiling = 0
	if err := CheckThrottle(Counts{Account: Failures{t0, 1 << 20}, Client: Failures{t0, 1}, HasClient: true}, t0, off); err != nil {
		t.Fatalf("an account ceiling of 0 is off, got %v", err)
	}
}

func TestCheckTenantThrottle(t *testing.T) {
	l := Limits{AccountFailures: 5, AddressFailures: 20, TenantFailures: 100, Window: 15 * time.Minute}
	cases := []struct {
		rule      string
		tenant    Failures
		client    Failures
		hasClient bool
		now       time.Time
		retryAt   time.Time // zero: allowed
	}{
		{rule: "tenant_below_limit_allowed", tenant: Failures{t0, 99}, client: Failures{t0, 3}, hasClient: true, now: t0.Add(time.Minute)},
		{rule: "spray_over_limit_refuses_a_client_with_failures", tenant: Failures{t0, 100}, client: Failures{t0.Add(2 * time.Minute), 1}, hasClient: true,
			now: t0.Add(3 * time.Minute), retryAt: t0.Add(15 * time.Minute)},
		{rule: "spray_over_limit_lets_a_clean_client_in", tenant: Failures{t0, 100}, hasClient: true, now: t0.Add(3 * time.Minute)},
		{rule: "refusal_ends_with_the_clients_earlier_window", tenant: Failures{t0, 100}, client: Failures{t0.Add(-10 * time.Minute), 2}, hasClient: true,
			now: t0.Add(time.Minute), retryAt: t0.Add(5 * time.Minute)},
		{rule: "no_client_address_refused", tenant: Failures{t0, 100}, now: t0.Add(time.Minute), retryAt: t0.Add(15 * time.Minute)},
		{rule: "tenant_window_ended_allowed", tenant: Failures{t0, 1000}, client: Failures{t0, 1}, hasClient: true, now: t0.Add(15 * time.Minute)},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			err := CheckTenantThrottle(c.tenant, c.client, c.hasClient, c.now, l)
			if c.retryAt.IsZero() {
				if err != nil {
					t.Fatalf("CheckTenantThrottle = %v, want allowed", err)
				}
				return
			}
			var te *ThrottledError
			if !errors.As(err, &te) || !te.RetryAt.Equal(c.retryAt) {
				t.Fatalf("CheckTenantThrottle = %v, want throttled until %s", err, c.retryAt)
			}
		})
	}
	off := l
	off.TenantFailures = 0
	if err := CheckTenantThrottle(Failures{t0, 1 << 20}, Failures{t0, 1}, true, t0, off); err != nil {
		t.Fatalf("a tenant limit of 0 is off, got %v", err)
	}
}

func TestNeedsClear(t *testing.T) {
	l := DefaultLimits
	cases := []struct {
		rule    string
		account Failures
		now     time.Time
		want    bool
	}{
		{"no_failures_no_write", Failures{}, t0, false},
		{"live_failures_of_the_client_for_the_account_cleared", Failures{t0, 2}, t0.Add(time.Minute), true},
		{"ended_window_no_write", Failures{t0, 2}, t0.Add(15 * time.Minute), false},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			if got := NeedsClear(c.account, c.now, l); got != c.want {
				t.Fatalf("NeedsClear = %v, want %v", got, c.want)
			}
		})
	}
	if got, want := StaleBefore(t0, l), t0.Add(-15*time.Minute); !got.Equal(want) {
		t.Fatalf("StaleBefore = %s, want %s", got, want)
	}
}

func TestLimitsValidate(t *testing.T) {
	if err := DefaultLimits.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []Limits{
		{AccountFailures: 0, AddressFailures: 20, Window: time.Minute},
		{AccountFailures: 5, AddressFailures: 0, Window: time.Minute},
		{AccountFailures: 5, AddressFailures: 20, Window: 0},
		{AccountFailures: 5, AddressFailures: 20, TenantFailures: -1, Window: time.Minute},
		{AccountFailures: 5, AccountCeiling: -1, AddressFailures: 20, Window: time.Minute},
	} {
		if bad.Validate() == nil {
			t.Errorf("Limits %+v accepted", bad)
		}
	}
}
