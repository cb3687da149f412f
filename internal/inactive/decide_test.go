package inactive

import (
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

func TestDecide(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	guest := func(created, lastOK time.Time, enabled bool) directory.User {
		return directory.User{
			UserType: directory.UserTypeGuest, CreatedAt: created, AccountEnabled: enabled,
			SignInActivity: directory.SignInActivity{LastSuccessfulSignIn: lastOK},
		}
	}
	old := now.Add(-400 * day)
	for _, tc := range []struct {
		rule string
		u    directory.User
		days int
		want Verdict
	}{
		{"signed_in_before_cutoff_is_inactive", guest(old, now.Add(-91*day), true), 90,
			Verdict{Inactive: true, Reason: ReasonNoRecentSignIn, LastActive: now.Add(-91 * day)}},
		{"signed_in_after_cutoff_is_active", guest(old, now.Add(-89*day), true), 90, Verdict{}},
		{"signed_in_exactly_at_cutoff_is_active", guest(old, now.Add(-90*day), true), 90, Verdict{}},
		{"never_signed_in_invited_before_cutoff_is_inactive", guest(now.Add(-31*day), time.Time{}, true), 30,
			Verdict{Inactive: true, Reason: ReasonNeverSignedIn, LastActive: now.Add(-31 * day)}},
		{"never_signed_in_invited_recently_is_active", guest(now.Add(-29*day), time.Time{}, true), 30, Verdict{}},
		{"old_invitation_but_recent_sign_in_is_active", guest(old, now.Add(-day), true), 30, Verdict{}},
		{"only_a_failed_sign_in_counts_as_never", directory.User{
			UserType: directory.UserTypeGuest, CreatedAt: old, AccountEnabled: true,
			SignInActivity: directory.SignInActivity{LastSignIn: now.Add(-time.Hour)},
		}, 30, Verdict{Inactive: true, Reason: ReasonNeverSignedIn, LastActive: old}},
		{"disabled_guest_is_listed_but_marked", guest(old, now.Add(-200*day), false), 90,
			Verdict{Inactive: true, Reason: ReasonNoRecentSignIn, LastActive: now.Add(-200 * day), Disabled: true}},
		{"member_is_never_an_inactive_guest", directory.User{
			UserType: directory.UserTypeMember, CreatedAt: old, AccountEnabled: true,
		}, 30, Verdict{}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if got := Decide(tc.u, tc.days, now); got != tc.want {
				t.Fatalf("Decide = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestCheckDays(t *testing.T) {
	for _, tc := range []struct {
		rule string
		days int
		ok   bool
	}{
		{"zero_refused", 0, false},
		{"negative_refused", -5, false},
		{"one_allowed", MinDays, true},
		{"ninety_allowed", 90, true},
		{"ten_years_allowed", MaxDays, true},
		{"beyond_ten_years_refused", MaxDays + 1, false},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			if err := CheckDays(tc.days); (err == nil) != tc.ok {
				t.Fatalf("CheckDays(%d) = %v, want ok=%t", tc.days, err, tc.ok)
			}
		})
	}
}
