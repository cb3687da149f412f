package otp

import (
	"errors"
	"fmt"
	"time"
)

// Reasons a submitted code is refused. Pages branch on them with errors.Is.
var (
	// ErrNoCode: no code was ever sent to the address in this tenant.
	ErrNoCode = errors.New("no passcode was sent to this address")
	// ErrExpired: the code is older than Limits.Validity (R3).
	ErrExpired = errors.New("the passcode has expired")
	// ErrUsed: the code was already accepted once (R3).
	ErrUsed = errors.New("the passcode was already used")
	// ErrTooManyAttempts: the code absorbed Limits.MaxAttempts wrong entries and is void (R3).
	ErrTooManyAttempts = errors.New("too many wrong entries; the passcode is void")
	// ErrWrongCode: the code does not match the latest one sent to this
	// browser. A code replaced by a newer one is refused this way too (R3),
	// and so is a code entered in a browser other than the one that asked
	// for it.
	ErrWrongCode = errors.New("the passcode is not correct")
)

// ThrottledError says a send was refused by the send limits and when the
// requester may try again (R3).
type ThrottledError struct {
	RetryAt time.Time
	// Hourly is true when an hourly limit, not the resend interval, applies.
	Hourly bool
	// Address is true when the address's budget across clients
	// (Limits.AddressPerHour), not the requester's own limit, applies.
	Address bool
}

func (e *ThrottledError) Error() string {
	if e.Hourly {
		return fmt.Sprintf("too many passcodes sent this hour; try again at %s", e.RetryAt.Format(time.RFC3339))
	}
	return fmt.Sprintf("a passcode was just sent; try again at %s", e.RetryAt.Format(time.RFC3339))
}
