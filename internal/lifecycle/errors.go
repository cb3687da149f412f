package lifecycle

import (
	"errors"

	"github.com/guestgate/guestgate/internal/validation"
)

// Reasons a change is refused, for errors.Is; the API maps each to Graph's
// message.
var (
	// ErrAddressTaken: another user of the tenant has the address.
	ErrAddressTaken = errors.New("another user of this organization has this address")
	// ErrRestoreConflict: a user created since the deletion has the deleted
	// user's address or userPrincipalName; the deleted user stays deleted.
	ErrRestoreConflict = errors.New("another user of this organization now has this user's address")
)

// ValidationError is a property of a change an admin must correct (400).
// Its Resource is validation.ResourceUser; Err, when set, is the reason
// (ErrAddressTaken) for errors.Is.
type ValidationError = validation.Error
