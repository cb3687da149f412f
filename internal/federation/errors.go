package federation

import (
	"errors"
	"fmt"

	"github.com/guestgate/guestgate/internal/validation"
)

// Problem names what went wrong with a partner's identity provider, in
// words a guest can act on; pages explain each, and the sign-in log keeps
// the technical detail.
type Problem string

// Problems a partner's provider causes.
const (
	// ProblemClock: the answer is not yet valid or already expired (the
	// partner's clock is off, or the guest took too long).
	ProblemClock Problem = "clock"
	// ProblemAudience: the answer was made for another service (the
	// partner configured the wrong audience or recipient).
	ProblemAudience Problem = "audience"
	// ProblemCertificate: the signing certificate is not the one
	// configured, expired, or the partner rotated it.
	ProblemCertificate Problem = "certificate"
	// ProblemSignature: the answer's signature does not verify.
	ProblemSignature Problem = "signature"
	// ProblemReplay: the answer was already used.
	ProblemReplay Problem = "replay"
	// ProblemUnreachable: the partner's provider cannot be reached.
	ProblemUnreachable Problem = "unreachable"
	// ProblemWrongAccount: the partner signed in someone other than the
	// invited address.
	ProblemWrongAccount Problem = "wrong_account"
	// ProblemUnverifiedEmail: the provider did not say the address is
	// verified, and is not authoritative for the domain.
	ProblemUnverifiedEmail Problem = "unverified_email"
	// ProblemRefused: the partner refused the sign-in or sent an answer
	// that is not valid for another reason.
	ProblemRefused Problem = "refused"
)

// PartnerError is a sign-in a partner's identity provider failed.
type PartnerError struct {
	Problem Problem
	// Detail is the technical cause, for the sign-in log and the admin.
	Detail string
	Err    error
}

func (e *PartnerError) Error() string {
	return fmt.Sprintf("partner identity provider: %s: %s", e.Problem, e.Detail)
}

func (e *PartnerError) Unwrap() error { return e.Err }

// ValidationError: a configuration value is not acceptable. Property is
// the Graph property name; Code names the rule that refused the value, for translations of
// Message (the console's); Args are the values Message names, in order.
type ValidationError = validation.Error

// invalid is a ValidationError of property prop under rule code.
func invalid(prop, code, msg string, args ...string) *ValidationError {
	return &ValidationError{Property: prop, Message: msg, Code: code, Args: args}
}

// Sentinels of configuration changes.
var (
	// ErrWSFedUnsupported: guestgate does not run WS-Fed (no maintained Go
	// library makes it sound), so such a configuration is not saved.
	ErrWSFedUnsupported = errors.New("WS-Fed is not supported by this deployment: no maintained library verifies WS-Fed tokens soundly in Go; configure the partner with preferredAuthenticationProtocol \"saml\"")
	// ErrBuiltIn: built-in identity providers cannot be changed or removed.
	ErrBuiltIn = errors.New("built-in identity providers cannot be created, changed or deleted")
	// ErrMetadataUnavailable: the metadata URL could not be fetched, or its
	// answer is not SAML metadata, when the configuration was saved. It
	// carries no cause (the log has it), so callers can show it as is.
	ErrMetadataUnavailable = errors.New("the federation metadata could not be fetched or read")
	// ErrRemoved: the guest redeemed with a federation the tenant has since
	// removed; an admin resets the redemption (R7) to let them in again.
	ErrRemoved = errors.New("the identity provider this guest signs in with was removed by the organization")
)
