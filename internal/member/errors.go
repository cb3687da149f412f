package member

import (
	"errors"
	"fmt"
	"time"
)

// Reasons a member's sign-in is refused. Pages branch on them with errors.Is.
var (
	// ErrWrongPassword: the address is not a member of the tenant, has no
	// password, or the password does not match. One answer for all three,
	// so the page reveals nothing about which.
	ErrWrongPassword = errors.New("the address or password is not correct")
	// ErrDisabled: the member's accountEnabled is false.
	ErrDisabled = errors.New("this account is disabled")
)

// ThrottledError: too many wrong passwords for the account or from the
// client address; no password is checked until RetryAt.
type ThrottledError struct{ RetryAt time.Time }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many wrong passwords; try again at %s", e.RetryAt.Format(time.RFC3339))
}
