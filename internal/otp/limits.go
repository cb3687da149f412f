package otp

import (
	"fmt"
	"time"
)

// Limits are the deployment's passcode rules (R3). DefaultLimits holds the
// product's values; each is configurable per deployment.
//
// R3's send limits count per address and client network (the requester's
// httpx.Network), so that nobody else's sends refuse a guest; the
// address's own budget, AddressPerHour, bounds the mail one address
// receives (issue 20, finding 5).
type Limits struct {
	Digits      int           // length of a code
	Validity    time.Duration // how long a code is valid after it is sent
	MaxAttempts int           // wrong entries a code absorbs before it is void
	ResendAfter time.Duration // minimum time between two sends to one address from one client network
	PerHour     int           // sends to one address from one client network per hour window
	// AddressPerHour is the address's budget: sends to it from all
	// client networks per hour window. Past it, only a client network
	// without a send of its own in its window may send (CheckSend).
	AddressPerHour int
}

// DefaultLimits are the values of R3, and a budget of 30 sends an hour
// per address (three clients' worth).
var DefaultLimits = Limits{
	Digits:         8,
	Validity:       30 * time.Minute,
	MaxAttempts:    5,
	ResendAfter:    60 * time.Second,
	PerHour:        10,
	AddressPerHour: 30,
}

// Validate reports limits that make no sense.
func (l Limits) Validate() error {
	switch {
	case l.Digits < 6 || l.Digits > 12:
		return fmt.Errorf("passcode digits must be 6 to 12, got %d", l.Digits)
	case l.Validity < time.Minute:
		return fmt.Errorf("passcode validity must be at least 1m, got %s", l.Validity)
	case l.MaxAttempts < 1:
		return fmt.Errorf("passcode max attempts must be at least 1, got %d", l.MaxAttempts)
	case l.ResendAfter < 0:
		return fmt.Errorf("passcode resend interval must not be negative, got %s", l.ResendAfter)
	case l.PerHour < 1:
		return fmt.Errorf("passcode sends per hour must be at least 1, got %d", l.PerHour)
	case l.AddressPerHour < l.PerHour:
		return fmt.Errorf("passcode sends per address per hour must be at least the sends per client (%d), got %d", l.PerHour, l.AddressPerHour)
	}
	return nil
}
