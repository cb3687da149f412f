package member

import (
	"errors"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/validation"
)

// Reasons a member's sign-in is refused. Pages branch on them with errors.Is.
var (
	// ErrWrongPassword: the address is not a member of the tenant, has no
	// password, or the password does not match. One answer for all three,
	// so the page reveals nothing about which.
	ErrWrongPassword = errors.New("the address or password is not correct")
	// ErrDisabled: the member's accountEnabled is false. Returned only after
	// the password was right.
	ErrDisabled = errors.New("this account is disabled")
)

// ThrottledError: too many wrong passwords for the account or from the
// client address; no password is checked until RetryAt.
type ThrottledError struct{ RetryAt time.Time }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many wrong passwords; try again at %s", e.RetryAt.Format(time.RFC3339))
}

// Reasons a new member is refused, wrapped in a *ValidationError; the API
// maps each to Graph's message.
var (
	// ErrUnverifiedDomain: the userPrincipalName's domain is not one of the
	// tenant's verified domains.
	ErrUnverifiedDomain = errors.New("the domain is not a verified domain of this organization")
	// ErrAddressTaken: another user of the tenant has the address.
	ErrAddressTaken = errors.New("another user of this organization has this address")
)

// ValidationError is a property of a request an admin must correct; the
// API answers 400. Its Resource is validation.ResourceUser; Err, when set,
// is the reason (ErrUnverifiedDomain, ErrAddressTaken, a *PasswordError)
// for errors.Is and errors.As.
type ValidationError = validation.Error

// PasswordError says why a new password is refused (CheckPassword). Reason
// is a sentence for the person choosing the password; it never contains
// the password.
type PasswordError struct{ Reason string }

func (e *PasswordError) Error() string { return "the password is refused: " + e.Reason }
