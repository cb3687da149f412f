package inactivepolicy

import (
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactive"
)

// Policy is a tenant's inactive-guest policy. The zero Policy (Days 0) is
// off, the default.
type Policy struct {
	TenantID string
	// Days: a guest inactive for more than Days days is disabled; 0 is off.
	Days int
	// WarnDays: the sponsors are warned WarnDays days before; 0 warns no
	// one (the guest is disabled as soon as they are inactive).
	WarnDays int
	// UpdatedAt is when an admin last set the policy.
	UpdatedAt time.Time
	// SetBy is the object id of the member who last set the policy (in
	// the console); empty: the operator (the guestgate CLI). The policy
	// disables with its setter's authority as it is at each disable (R14,
	// see Runner.authority), so setting it gets no one a disable they
	// could not make themselves.
	SetBy string
}

// On reports whether the policy disables anyone.
func (p Policy) On() bool { return p.Days > 0 }

// DefaultWarnDays is the warning time a policy gets unless set.
const DefaultWarnDays = 14

// Check refuses a policy that is on with Days outside inactive's limits,
// or with WarnDays negative or not shorter than Days (the warning would
// come before the guest could be called inactive at all). An off policy
// must have no WarnDays.
func (p Policy) Check() error {
	if !p.On() {
		if p.Days != 0 || p.WarnDays != 0 {
			return fmt.Errorf("an inactive-guest policy that is off has no days (days %d, warn days %d)", p.Days, p.WarnDays)
		}
		return nil
	}
	if err := inactive.CheckDays(p.Days); err != nil {
		return err
	}
	if p.WarnDays < 0 || p.WarnDays >= p.Days {
		return fmt.Errorf("warn days must be 0 to %d (less than days), not %d", p.Days-1, p.WarnDays)
	}
	return nil
}

// Step is what the policy does to one guest now.
type Step string

// Steps.
const (
	StepNone    Step = ""
	StepWarn    Step = "warn"
	StepDisable Step = "disable"
)

// Decide says what p does now to u, whose sponsors were last warned at
// warnedAt (zero: never). The rules:
//
//   - Only an enabled guest is acted on (members never; a disabled guest
//     is left alone), and nothing happens while the policy is off.
//   - The guest's last activity is inactive.Decide's: the last successful
//     sign-in, else the creation (the invitation).
//   - A warning counts for the current cycle only if it came after the
//     last activity: a guest who signs in after a warning starts a new
//     cycle and is warned again the next time, once.
//   - The sponsors are warned once the guest has been inactive for
//     Days-WarnDays days (inactive.Decide with that many days).
//   - The guest is disabled once inactive for Days days (inactive.Decide)
//     and, when WarnDays > 0, at least WarnDays after the warning: a
//     sponsor always gets the whole warning time, also for a guest who was
//     long inactive when the policy was turned on.
//
// It does no I/O.
func Decide(p Policy, u directory.User, warnedAt, now time.Time) Step {
	if !p.On() || !u.AccountEnabled || u.UserType != directory.UserTypeGuest {
		return StepNone
	}
	warnAfter := p.Days - p.WarnDays
	v := inactive.Decide(u, warnAfter, now)
	if !v.Inactive {
		return StepNone
	}
	warned := !warnedAt.IsZero() && warnedAt.After(v.LastActive)
	if p.WarnDays > 0 && !warned {
		return StepWarn
	}
	if !inactive.Decide(u, p.Days, now).Inactive {
		return StepNone
	}
	if p.WarnDays > 0 && now.Before(warnedAt.Add(days(p.WarnDays))) {
		return StepNone
	}
	return StepDisable
}

// DisableOn is when a guest whose sponsors are warned at warnedAt, last
// active at lastActive, is disabled under p (what the warning mail says):
// Days after the last activity, and not before WarnDays after the
// warning.
func DisableOn(p Policy, lastActive, warnedAt time.Time) time.Time {
	at := lastActive.Add(days(p.Days))
	if w := warnedAt.Add(days(p.WarnDays)); w.After(at) {
		at = w
	}
	return at
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }
