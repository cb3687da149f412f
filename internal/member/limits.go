package member

import (
	"fmt"
	"time"
)

// Limits are the deployment's wrong-password throttle. DefaultLimits holds
// the defaults; each is configurable per deployment.
//
// Every count is per client network (an IPv4 address, an IPv6 /64) or
// shared by many networks; a shared count refuses only networks with
// failures of their own, so nobody else's wrong passwords lock a member
// out (issue 20, finding 5).
type Limits struct {
	// AccountFailures is how many wrong passwords one client network may
	// enter for one account (address) in a window before its sign-in to
	// that account is refused until the window ends.
	AccountFailures int
	// AccountCeiling is how many wrong passwords one account absorbs in a
	// window from all client networks (a guess spread over many
	// addresses); past it, only client networks without a failure of
	// their own in their window may try until the window ends. Zero turns
	// it off.
	AccountCeiling int
	// AddressFailures is how many wrong passwords one client network may
	// enter in a window, across accounts.
	AddressFailures int
	// TenantFailures is how many wrong passwords one tenant absorbs in a
	// window (a spray across accounts and addresses); past it, only client
	// addresses without a failure of their own in their window may try
	// until the window ends. Zero turns it off.
	TenantFailures int
	// Window is the length of a fixed counting window, opened by the first
	// failure; it is also the longest a lockout lasts.
	Window time.Duration
}

// DefaultLimits: in 15 minutes, 5 wrong passwords per account from one
// client network, 25 per account from all of them, 20 per client network
// and 2,000 per tenant.
var DefaultLimits = Limits{AccountFailures: 5, AccountCeiling: 25, AddressFailures: 20, TenantFailures: 2000, Window: 15 * time.Minute}

// Validate reports limits that make no sense.
func (l Limits) Validate() error {
	switch {
	case l.AccountFailures < 1:
		return fmt.Errorf("wrong passwords per account must be at least 1, got %d", l.AccountFailures)
	case l.AccountCeiling < 0:
		return fmt.Errorf("wrong passwords per account from all clients must not be negative, got %d", l.AccountCeiling)
	case l.AddressFailures < 1:
		return fmt.Errorf("wrong passwords per client address must be at least 1, got %d", l.AddressFailures)
	case l.TenantFailures < 0:
		return fmt.Errorf("wrong passwords per tenant must not be negative, got %d", l.TenantFailures)
	case l.Window < time.Second:
		return fmt.Errorf("wrong-password window must be at least 1s, got %s", l.Window)
	}
	return nil
}
