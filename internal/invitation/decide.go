package invitation

import (
	"errors"

	"github.com/guestgate/guestgate/internal/directory"
)

// Decision errors: why a guest cannot sign in. Pages explain each.
var (
	// ErrOTPDisabled: the guest redeemed with a passcode and the tenant has
	// since turned passcodes off (R9). A reset of redemption lets them redeem again.
	ErrOTPDisabled = errors.New("this organisation turned off sign-in with email one-time passcodes")
	// ErrNoSignInMethod: no identity provider applies to the address (section 3).
	ErrNoSignInMethod = errors.New("no way to sign in is available for this address")
)

// DecisionInput is everything the decision of section 3 depends on. It is
// gathered by the caller (directory look-ups, the policy's effective state)
// so that DecideIdP has no I/O.
type DecisionInput struct {
	User   directory.User // the guest; its state and fixed IdP (R7)
	Tenant directory.Tenant
	// OTPEnabled is policy.EffectiveEmailOTP(...).Enabled for the tenant.
	OTPEnabled bool
}

// Decision is the identity provider a guest signs in with.
type Decision struct {
	IdP directory.IdP
	// Redeeming is true when this sign-in is the redemption (the IdP gets fixed).
	Redeeming bool
}

// DecideIdP applies section 3: a redeemed guest keeps the IdP fixed at
// redemption (R7), which fails when that was a passcode and passcodes are
// now off (R9); otherwise, with no primary IdP applying, the fallback is an
// email passcode when effectively enabled (R1). Without it, public-cloud
// guests would redeem with an unmanaged or personal account, which this
// deployment does not offer yet, and US Government guests have no way in.
func DecideIdP(in DecisionInput) (Decision, error) {
	if in.User.ExternalUserState == directory.StateAccepted {
		if in.User.IdP == directory.IdPMail && !in.OTPEnabled {
			return Decision{}, ErrOTPDisabled
		}
		return Decision{IdP: in.User.IdP}, nil
	}
	if in.OTPEnabled {
		return Decision{IdP: directory.IdPMail, Redeeming: true}, nil
	}
	return Decision{}, ErrNoSignInMethod
}
