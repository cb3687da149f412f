package bulkinvite

import (
	"errors"
	"fmt"
	"testing"

	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/validation"
)

// TestFailureOf: the errors an admin can correct are recorded as reasons
// in no surface's words (the console words them); any other error is not.
func TestFailureOf(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want Failure
		ok   bool
	}{
		{"blocked_domain", fmt.Errorf("invite: %w", &collab.DomainError{Domain: "contoso.example"}), Failure{ReasonDeniedDomain, "contoso.example"}, true},
		{"own_domain", fmt.Errorf("invite: %w", invitation.ErrOwnDomain), Failure{ReasonOwnDomain, ""}, true},
		{"member_exists", invitation.ErrMemberExists, Failure{ReasonMemberExists, ""}, true},
		{"invalid_row", &validation.Error{Property: "invitedUserEmailAddress", Message: "is not an email address"}, Failure{ReasonInvalid, (&validation.Error{Property: "invitedUserEmailAddress", Message: "is not an email address"}).Error()}, true},
		{"R10_inviter_refused", ErrInviterRefused, Failure{ReasonInviterRefused, ""}, true},
		{"other_error", errors.New("disk full"), Failure{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := failureOf(c.err)
			if got != c.want || ok != c.ok {
				t.Fatalf("failureOf = %+v, %v; want %+v, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

// TestRowFailure: Row.Error round-trips a Failure, a detail may hold a
// colon, and words an earlier version recorded come back as the detail.
func TestRowFailure(t *testing.T) {
	for _, c := range []struct {
		name string
		row  Row
		want Failure
	}{
		{"reason_only", Row{State: RowFailed, Error: "own_domain"}, Failure{ReasonOwnDomain, ""}},
		{"detail_with_colon", Row{State: RowFailed, Error: "invalid:invitedUserEmailAddress: is not an email address"}, Failure{ReasonInvalid, "invitedUserEmailAddress: is not an email address"}},
		{"earlier_version_words", Row{State: RowFailed, Error: "internal error"}, Failure{"", "internal error"}},
		{"succeeded_row", Row{State: RowOK}, Failure{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.row.Failure(); got != c.want {
				t.Fatalf("Failure() = %+v, want %+v", got, c.want)
			}
			if c.want.Reason != "" && c.want.String() != c.row.Error {
				t.Fatalf("String() = %q, want %q", c.want.String(), c.row.Error)
			}
		})
	}
}
