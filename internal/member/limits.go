package member

import (
	"fmt"
	"time"
)

// Limits are the deployment's wrong-password throttle. DefaultLimits holds
// the defaults; each is configurable per deployment.
type Limits struct {
	// AccountFailures is how many wrong passwords one address (account)
	// absorbs in a window before sign-in is refused until the window ends.
	AccountFailures int
	// AddressFailures is the same for one client (IP) address, across accounts.
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

// DefaultLimits: 5 wrong passwords per account, 20 per client address and
// 2,000 per tenant in 15 minutes.
var DefaultLimits = Limits{AccountFailures: 5, AddressFailures: 20, TenantFailures: 2000, Window: 15 * time.Minute}

// Validate reports limits that make no sense.
func (l Limits) Validate() error {
	switch {
	case l.AccountFailures < 1:
		return fmt.Errorf("wrong passwords per account must be at least 1, got %d", l.AccountFailures)
	case l.AddressFailures < 1:
		return fmt.Errorf("wrong passwords per client address must be at least 1, got %d", l.AddressFailures)
	case l.TenantFailures < 0:
		return fmt.Errorf("wrong passwords per tenant must not be negative, got %d", l.TenantFailures)
	case l.Window < time.Second:
		return fmt.Errorf("wrong-password window must be at least 1s, got %s", l.Window)
	}
	return nil
}
