package signin

import (
	"errors"
	"fmt"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// Reasons a sign-in stops. Pages branch on them with errors.Is / errors.As;
// the decision's own reasons are invitation.ErrOTPDisabled and
// invitation.ErrNoSignInMethod, and the identities' are otp's and member's.
var (
	// ErrNotMember: the address is no user of the tenant; nothing is sent.
	ErrNotMember = errors.New("the address is not an account in this organization")
	// ErrDecisionChanged: between the address and the proof, the way this
	// guest signs in changed (a policy change, a new home tenant); the
	// guest starts again and the decision is made anew.
	ErrDecisionChanged = errors.New("the way you sign in changed; start again")
	// ErrAccountDisabled: the user's accountEnabled is false.
	ErrAccountDisabled = errors.New("this account is disabled")
	// ErrConsentDeclined: the guest chose Cancel on Review permissions; the
	// invitation stays PendingAcceptance.
	ErrConsentDeclined = errors.New("the invitation was not accepted")
	// ErrNotInvited: a person whom a tenant's sign-in sent to create an
	// account (a direct app link while passcodes are off, section 5's
	// footnote) proved the address, but the tenant never invited it:
	// nothing is created, no account and no directory (R15). It is said
	// only after that proof: until then the pages are an invited guest's
	// (docs/security.md, Enumeration).
	ErrNotInvited = fmt.Errorf("this organization has not invited this address: %w", ErrNotMember)
)

// UnavailableError: the decision names an identity provider this
// deployment cannot run yet (no page for it); the guest gets no code.
type UnavailableError struct {
	IdP directory.IdP
	// OTPDisabled says passcodes, the usual fallback, are turned off.
	OTPDisabled bool
}

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("the guest signs in with identity provider %q, which is not available here", e.IdP)
}

func notFoundAs(err, sentinel error, what string) error {
	if errors.Is(err, store.ErrNotFound) {
		return sentinel
	}
	return fmt.Errorf("%s: %w", what, err)
}
