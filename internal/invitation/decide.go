package invitation

import (
	"errors"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/policy"
)

// Decision errors: why a guest cannot sign in. Pages explain each.
var (
	// ErrOTPDisabled: the guest may only sign in with a passcode (they
	// redeemed with one, R9, or the tenant's fallback is
	// emailOneTimePasscode) and the tenant has turned passcodes off. A
	// reset of redemption lets a redeemed guest redeem again.
	ErrOTPDisabled = errors.New("this organization turned off sign-in with email one-time passcodes")
	// ErrNoSignInMethod: no identity provider applies to the address (section 3).
	ErrNoSignInMethod = errors.New("no way to sign in is available for this address")
)

// Upstream is an identity the guest already holds outside the inviting
// tenant, found by a directory look-up before the decision.
type Upstream struct {
	// Issuer names the identity provider (the ID token's idp claim).
	Issuer string
	// TenantID is the home or unmanaged tenant that holds the account, if any.
	TenantID string
	// Managed is false for an unmanaged (self-service) tenant.
	Managed bool
}

// Found is what the look-ups found for the guest's address. A nil field
// means "none": the identity does not exist, or guestgate does not offer
// it yet (then the look-up never fills it and the branch stays dormant).
type Found struct {
	// HomeTenant: the address is a member of a tenant of this deployment
	// (matched by that tenant's verified domain, then by the member).
	HomeTenant *Upstream
	// Federation: the inviting tenant federates the address's domain.
	Federation *Upstream
	// Google: the inviting tenant configured Google federation.
	Google *Upstream
	// Personal: the address has a personal account (consumers directory).
	Personal *Upstream
	// Unmanaged: the address has an account in an unmanaged tenant, from
	// redeeming here before a reset or not (section 5, rows 1 and 2 differ
	// only while the guest is redeemed, which step 0 covers).
	Unmanaged *Upstream
}

// DecisionInput is everything the decision of section 3 depends on. It is
// gathered by the caller (directory look-ups, the tenant's policies) so
// that DecideIdP has no I/O.
type DecisionInput struct {
	User   directory.User // the guest; its state and fixed IdP (R7)
	Tenant directory.Tenant
	// Config is the tenant's invitationRedemptionIdentityProviderConfiguration.
	Config policy.RedemptionConfig
	// OTPEnabled is policy.EffectiveEmailOTP(...).Enabled for the tenant.
	OTPEnabled bool
	Found      Found
	// UnmanagedRetired: the deployment never creates or uses unmanaged
	// accounts for new redemptions (today's behaviour of the reproduced product).
	UnmanagedRetired bool
	// FixedFederation is, for a guest redeemed with a federation (SAML,
	// OpenID Connect or Google), the tenant's federation with the guest's
	// issuer as it is now; nil when the tenant removed it. Left unset, a
	// federation guest is refused (the rule fails closed).
	FixedFederation *Upstream
	// PublicMailDomain: the address is at a public consumer mail domain
	// (gmail.com, outlook.com, …; directory.PublicMailDomains). No
	// unmanaged account is used or created for it; the personal-account
	// path instead (R15).
	PublicMailDomain bool
}

// Decision is the identity provider a guest signs in with.
type Decision struct {
	IdP directory.IdP
	// Issuer is the upstream issuer for every IdP but mail (which is "mail").
	Issuer string
	// UpstreamTenantID is the home or unmanaged tenant, when there is one.
	UpstreamTenantID string
	// Redeeming is true when this sign-in is the redemption (the IdP gets fixed).
	Redeeming bool
	// CreateAccount: the fallback says to create a personal or unmanaged
	// account (by email verification) before redeeming with it.
	CreateAccount bool
	// Step names the step of section 3 that decided, for logs and tests.
	Step string
}

// Steps of section 3, as Decision.Step reports them.
const (
	StepRedeemed        = "0_redeemed"
	StepHomeTenant      = "1_" + policy.PrimaryAzureAD
	StepFederation      = "1_" + policy.PrimaryExternalFederation
	StepSocial          = "1_" + policy.PrimarySocial
	StepPersonal        = "2_existing_personal_account"
	StepOTP             = "2_email_otp"
	StepUnmanaged       = "2_unmanaged_account"
	StepCreateUnmanaged = "2_create_unmanaged_account"
	StepCreatePersonal  = "2_create_personal_account"
)

// mailIssuer is the issuer of passcode guests (the idp claim "mail").
const mailIssuer = string(directory.IdPMail)

// DecideIdP applies section 3 of DESIGN. Step 0: a redeemed guest keeps
// the IdP fixed at redemption (R7), which fails when that was a passcode
// and passcodes are now off (R9), or a federation the tenant has removed
// since (federation.ErrRemoved; issue 20, finding 7). Step 1: the primary
// IdPs in the tenant's precedence order. Step 2: the fallback: always a
// passcode (emailOneTimePasscode), always a personal account
// (microsoftAccount), or by default an existing personal account, then a
// passcode when enabled (R1; the rollout table of section 5 then always
// says passcode for a guest who is not redeemed), then, passcodes off, an
// unmanaged account in the public cloud (existing or created; a personal
// account once unmanaged redemption is retired, and always for an address
// at a public consumer mail domain, R15) and no way in for US Government
// tenants (R11, R12).
func DecideIdP(in DecisionInput) (Decision, error) {
	if in.User.ExternalUserState == directory.StateAccepted {
		if in.User.IdP == directory.IdPMail && !in.OTPEnabled {
			return Decision{}, ErrOTPDisabled
		}
		if in.User.IdP == directory.IdPFederation && (in.FixedFederation == nil || in.FixedFederation.Issuer != in.User.IdPIssuer) {
			return Decision{}, federation.ErrRemoved
		}
		return Decision{IdP: in.User.IdP, Issuer: in.User.IdPIssuer, Step: StepRedeemed}, nil
	}
	if d, ok := primary(in); ok {
		d.Redeeming = true
		return d, nil
	}
	d, err := fallback(in)
	d.Redeeming = err == nil
	return d, err
}

// primary is step 1: the first primary IdP, in the tenant's order, that
// applies to the address.
func primary(in DecisionInput) (Decision, bool) {
	f := in.Found
	for _, p := range in.Config.Precedence {
		switch p {
		case policy.PrimaryAzureAD:
			if h := f.HomeTenant; h != nil && h.Managed && h.TenantID != in.Tenant.ID {
				return Decision{IdP: directory.IdPHomeTenant, Issuer: h.Issuer, UpstreamTenantID: h.TenantID, Step: StepHomeTenant}, true
			}
		case policy.PrimaryExternalFederation:
			if f.Federation != nil {
				return Decision{IdP: directory.IdPFederation, Issuer: f.Federation.Issuer, Step: StepFederation}, true
			}
		case policy.PrimarySocial:
			if f.Google != nil && isGoogleDomain(in.User.Mail) {
				return Decision{IdP: directory.IdPFederation, Issuer: f.Google.Issuer, Step: StepSocial}, true
			}
		}
	}
	return Decision{}, false
}

// fallback is step 2.
func fallback(in DecisionInput) (Decision, error) {
	otp := Decision{IdP: directory.IdPMail, Issuer: mailIssuer, Step: StepOTP}
	switch in.Config.Fallback {
	case policy.FallbackEmailOTP:
		if !in.OTPEnabled {
			return Decision{}, ErrOTPDisabled
		}
		return otp, nil
	case policy.FallbackPersonalMSA:
		return personal(in), nil
	}
	if p := in.Found.Personal; p != nil {
		return Decision{IdP: directory.IdPPersonal, Issuer: p.Issuer, Step: StepPersonal}, nil
	}
	if in.OTPEnabled {
		return otp, nil
	}
	if in.Tenant.Cloud == directory.CloudUSGov {
		return Decision{}, ErrNoSignInMethod
	}
	if in.UnmanagedRetired || in.PublicMailDomain {
		return personal(in), nil
	}
	if u := in.Found.Unmanaged; u != nil {
		return Decision{IdP: directory.IdPUnmanaged, Issuer: u.Issuer, UpstreamTenantID: u.TenantID, Step: StepUnmanaged}, nil
	}
	return Decision{IdP: directory.IdPUnmanaged, CreateAccount: true, Step: StepCreateUnmanaged}, nil
}

// personal is an existing personal account, or the offer to create one.
func personal(in DecisionInput) Decision {
	if p := in.Found.Personal; p != nil {
		return Decision{IdP: directory.IdPPersonal, Issuer: p.Issuer, Step: StepPersonal}
	}
	return Decision{IdP: directory.IdPPersonal, CreateAccount: true, Step: StepCreatePersonal}
}

// isGoogleDomain reports an address Google federation applies to.
func isGoogleDomain(addr string) bool {
	d := strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
	return d == "gmail.com" || d == "googlemail.com"
}

// SignUpDecision is how a person with no invitation may sign up to an app
// that offers sign-up (R13).
type SignUpDecision struct {
	// Primary, when set, is the only way: a primary identity provider of
	// step 1 applies (their home tenant, the partner the tenant federates
	// the domain with, Google), exactly as at a redemption.
	Primary *Decision
	// Otherwise the person chooses among the fallback's identities:
	// Passcode, an email one-time passcode; Personal, a personal account
	// (existing, or created on the way).
	Passcode, Personal bool
}

// Allows reports whether the decision lets the person sign up with idp
// (and, for a primary identity provider, its issuer).
func (d SignUpDecision) Allows(idp directory.IdP, issuer string) bool {
	switch {
	case d.Primary != nil:
		return d.Primary.IdP == idp && d.Primary.Issuer == issuer
	case idp == directory.IdPMail:
		return d.Passcode
	case idp == directory.IdPPersonal:
		return d.Personal
	}
	return false
}

// DecideSignUp applies section 3 to a sign-up, as to a redemption (R13;
// security round 2, finding 8): in.User is a guest with the address who
// has not redeemed. Step 1 decides alone: a member of a managed home
// tenant signs up there, an address the tenant federates signs up at the
// partner, a Google address with Google configured at Google; never with
// a passcode or a personal account. Otherwise the fallback says what the
// person may choose: emailOneTimePasscode a passcode (ErrOTPDisabled
// while passcodes are off), microsoftAccount a personal account, and
// defaultConfiguredIdp a passcode when passcodes are on and a personal
// account (an existing one anywhere; a new one outside the US Government
// cloud, where the decision offers none, ErrNoSignInMethod). Sign-up never
// creates an unmanaged account.
func DecideSignUp(in DecisionInput) (SignUpDecision, error) {
	if d, ok := primary(in); ok {
		d.Redeeming = true
		return SignUpDecision{Primary: &d}, nil
	}
	var sd SignUpDecision
	switch in.Config.Fallback {
	case policy.FallbackEmailOTP:
		if !in.OTPEnabled {
			return sd, ErrOTPDisabled
		}
		sd.Passcode = true
	case policy.FallbackPersonalMSA:
		sd.Personal = true
	default:
		sd.Passcode = in.OTPEnabled
		sd.Personal = in.Found.Personal != nil || in.Tenant.Cloud != directory.CloudUSGov
	}
	if !sd.Passcode && !sd.Personal {
		return sd, ErrNoSignInMethod
	}
	return sd, nil
}
