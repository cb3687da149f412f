package inactivepolicy

import (
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

func TestDecide(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	old := now.Add(-400 * day)
	on := Policy{Days: 90, WarnDays: 14}
	guest := func(created, lastOK time.Time) directory.User {
		return directory.User{
			UserType: directory.UserTypeGuest, CreatedAt: created, AccountEnabled: true,
			SignInActivity: directory.SignInActivity{LastSuccessfulSignIn: lastOK},
		}
	}
	disabled := guest(old, now.Add(-200*day))
	disabled.AccountEnabled = false
	member := guest(old, time.Time{})
	member.UserType = directory.UserTypeMember
	for _, tc := range []struct {
		rule     string
		p        Policy
		u        directory.User
		warnedAt time.Time
		want     Step
	}{
		{"off_does_nothing", Policy{}, guest(old, now.Add(-300*day)), time.Time{}, StepNone},
		{"active_guest_is_left_alone", on, guest(old, now.Add(-10*day)), time.Time{}, StepNone},
		{"not_yet_in_the_warning_time", on, guest(old, now.Add(-75*day)), time.Time{}, StepNone},
		{"exactly_at_the_warning_threshold_is_not_yet", on, guest(old, now.Add(-76*day)), time.Time{}, StepNone},
		{"warned_once_inside_the_warning_time", on, guest(old, now.Add(-77*day)), time.Time{}, StepWarn},
		{"warned_already_this_cycle_waits", on, guest(old, now.Add(-80*day)), now.Add(-3 * day), StepNone},
		{"invited_never_redeemed_is_warned", on, guest(now.Add(-80*day), time.Time{}), time.Time{}, StepWarn},
		{"invited_never_redeemed_disabled_after_days", on, guest(now.Add(-91*day), time.Time{}), now.Add(-15 * day), StepDisable},
		{"disabled_after_days_and_warning_time", on, guest(old, now.Add(-91*day)), now.Add(-15 * day), StepDisable},
		{"never_warned_long_inactive_is_warned_first", on, guest(old, now.Add(-300*day)), time.Time{}, StepWarn},
		{"long_inactive_warned_recently_gets_the_whole_warning_time", on, guest(old, now.Add(-300*day)), now.Add(-13 * day), StepNone},
		{"long_inactive_warned_warn_days_ago_is_disabled", on, guest(old, now.Add(-300*day)), now.Add(-14 * day), StepDisable},
		{"warning_before_the_last_sign_in_is_a_past_cycle", on, guest(old, now.Add(-80*day)), now.Add(-100 * day), StepWarn},
		{"signed_in_after_warning_is_left_alone", on, guest(old, now.Add(-day)), now.Add(-5 * day), StepNone},
		{"no_warning_time_disables_at_days", Policy{Days: 30}, guest(old, now.Add(-31*day)), time.Time{}, StepDisable},
		{"no_warning_time_nothing_before_days", Policy{Days: 30}, guest(old, now.Add(-29*day)), time.Time{}, StepNone},
		{"disabled_guest_is_left_alone", on, disabled, time.Time{}, StepNone},
		{"member_is_never_acted_on", on, member, time.Time{}, StepNone},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := Decide(tc.p, tc.u, tc.warnedAt, now); got != tc.want {
				t.Fatalf("Decide = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDisableOn(t *testing.T) {
	day := 24 * time.Hour
	last := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := Policy{Days: 90, WarnDays: 14}
	for _, tc := range []struct {
		rule     string
		warnedAt time.Time
		want     time.Time
	}{
		{"warned_on_time_disabled_days_after_last_activity", last.Add(76 * day), last.Add(90 * day)},
		{"warned_late_disabled_warn_days_after_warning", last.Add(200 * day), last.Add(214 * day)},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := DisableOn(p, last, tc.warnedAt); !got.Equal(tc.want) {
				t.Fatalf("DisableOn = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestPolicyCheck(t *testing.T) {
	for _, tc := range []struct {
		rule string
		p    Policy
		ok   bool
	}{
		{"off_is_valid", Policy{}, true},
		{"off_with_warn_days_refused", Policy{WarnDays: 14}, false},
		{"ninety_with_fourteen", Policy{Days: 90, WarnDays: 14}, true},
		{"no_warning", Policy{Days: 90}, true},
		{"negative_days_refused", Policy{Days: -1}, false},
		{"beyond_ten_years_refused", Policy{Days: 3651}, false},
		{"warning_as_long_as_days_refused", Policy{Days: 14, WarnDays: 14}, false},
		{"negative_warning_refused", Policy{Days: 90, WarnDays: -1}, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if err := tc.p.Check(); (err == nil) != tc.ok {
				t.Fatalf("Check(%+v) = %v, want ok=%t", tc.p, err, tc.ok)
			}
		})
	}
}
