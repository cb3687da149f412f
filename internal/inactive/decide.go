package inactive

import (
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

// Reason says why a guest is inactive.
type Reason string

// Reasons (also the CLI's and console's spelling).
const (
	// ReasonNoRecentSignIn: the last successful sign-in is older than N days.
	ReasonNoRecentSignIn Reason = "noRecentSignIn"
	// ReasonNeverSignedIn: no successful sign-in, invited more than N days ago.
	ReasonNeverSignedIn Reason = "neverSignedIn"
)

// Limits of the number of days an admin may ask for.
const (
	MinDays = 1
	MaxDays = 3650
)

// ConsoleDays are the choices the console offers.
var ConsoleDays = []int{30, 60, 90, 180}

// Verdict is Decide's answer for one user.
type Verdict struct {
	Inactive bool
	Reason   Reason // empty unless Inactive
	// LastActive is the last successful sign-in, or the creation (the
	// invitation) of a guest who never signed in.
	LastActive time.Time
	// Disabled marks an inactive guest whose account is already disabled:
	// still listed, so an admin can delete them, but not disabled again.
	Disabled bool
}

// CheckDays refuses a number of days outside MinDays…MaxDays.
func CheckDays(days int) error {
	if days < MinDays || days > MaxDays {
		return fmt.Errorf("days must be %d to %d, not %d", MinDays, MaxDays, days)
	}
	return nil
}

// Cutoff is the instant before which activity is too old: now minus days
// whole days of 24 hours.
func Cutoff(now time.Time, days int) time.Time {
	return now.Add(-time.Duration(days) * 24 * time.Hour)
}

// Decide says whether u is an inactive guest after days days at now.
// Members are never inactive guests. A guest whose last successful
// sign-in is before the cutoff is inactive (ReasonNoRecentSignIn); a guest
// who never signed in successfully is inactive when created before it
// (ReasonNeverSignedIn). Activity exactly at the cutoff is recent enough.
// It does no I/O.
func Decide(u directory.User, days int, now time.Time) Verdict {
	if u.UserType != directory.UserTypeGuest {
		return Verdict{}
	}
	cutoff := Cutoff(now, days)
	last := u.SignInActivity.LastSuccessfulSignIn
	v := Verdict{LastActive: last, Reason: ReasonNoRecentSignIn}
	if last.IsZero() {
		v.LastActive, v.Reason = u.CreatedAt, ReasonNeverSignedIn
	}
	if !v.LastActive.Before(cutoff) {
		return Verdict{}
	}
	v.Inactive, v.Disabled = true, !u.AccountEnabled
	return v
}
