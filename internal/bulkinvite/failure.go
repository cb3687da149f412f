package bulkinvite

import (
	"errors"
	"strings"

	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/validation"
)

// Reason is why a row failed, in no surface's words: the console words it
// in the reader's language. Row.Error records it as "reason" or
// "reason:detail".
type Reason string

// Reasons a row fails.
const (
	// ReasonDeniedDomain: the collaboration restrictions block the
	// address's domain (Detail).
	ReasonDeniedDomain Reason = "denied_domain"
	// ReasonOwnDomain: the address is in one of the tenant's own domains.
	ReasonOwnDomain Reason = "own_domain"
	// ReasonMemberExists: a member of the tenant has the address.
	ReasonMemberExists Reason = "member_exists"
	// ReasonInvalid: the row does not validate (Detail: which property, why).
	ReasonInvalid Reason = "invalid"
	// ReasonInviterRefused: the job's creator may no longer invite.
	ReasonInviterRefused Reason = "inviter_refused"
	// ReasonInternal: a failure the admin cannot correct (logged).
	ReasonInternal Reason = "internal_error"
)

// Failure is a failed row's reason and its detail.
type Failure struct {
	Reason Reason
	// Detail is the blocked domain (ReasonDeniedDomain), the validation
	// message (ReasonInvalid), or, for a row recorded in words by an
	// earlier version (no Reason), those words.
	Detail string
}

// String is the failure as Row.Error records it.
func (f Failure) String() string {
	if f.Detail == "" {
		return string(f.Reason)
	}
	return string(f.Reason) + ":" + f.Detail
}

// Failure is why the row failed (zero for a row that did not).
func (r Row) Failure() Failure {
	if r.State != RowFailed {
		return Failure{}
	}
	reason, detail, _ := strings.Cut(r.Error, ":")
	switch Reason(reason) {
	case ReasonDeniedDomain, ReasonOwnDomain, ReasonMemberExists, ReasonInvalid, ReasonInviterRefused, ReasonInternal:
		return Failure{Reason: Reason(reason), Detail: detail}
	}
	return Failure{Detail: r.Error}
}

// failureOf classifies an invitation error the admin can correct; ok is
// false for any other error.
func failureOf(err error) (f Failure, ok bool) {
	var (
		de *collab.DomainError
		ve *validation.Error
	)
	switch {
	case errors.As(err, &de):
		return Failure{Reason: ReasonDeniedDomain, Detail: de.Domain}, true
	case errors.Is(err, invitation.ErrOwnDomain):
		return Failure{Reason: ReasonOwnDomain}, true
	case errors.Is(err, invitation.ErrMemberExists):
		return Failure{Reason: ReasonMemberExists}, true
	case errors.As(err, &ve):
		return Failure{Reason: ReasonInvalid, Detail: ve.Error()}, true
	case errors.Is(err, ErrInviterRefused):
		return Failure{Reason: ReasonInviterRefused}, true
	}
	return Failure{}, false
}
