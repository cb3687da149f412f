package signin

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/store"
)

// Self-service sign-up to an app (R13): a person with no invitation and
// no account in the tenant follows the sign-in link of an app that offers
// sign-up. Sign-up follows the decision of section 3, as a redemption
// does (invitation.DecideSignUp; security round 2, finding 8): a primary
// identity provider that applies is the only way (a member of another
// managed tenant signs up at home, an address the tenant federates at
// the partner, a Google address at Google); otherwise the person chooses
// among the fallback's identities: an email passcode when the policy
// enables it, a personal account (existing, or created on the way). Once
// the address is proved the person reviews permissions like every first
// redemption; Accept creates the guest (creationType SelfServiceSignUp,
// Accepted, audited, invitation.SignUpGuest) and signs them in, in one
// transaction that makes the decision again; Cancel creates nothing. The
// tenant may restrict sign-up to listed domains. This is not the retired
// email-verified sign-up (signup.go), which created unmanaged accounts.
//
//	OfferAppSignUp → SendAppSignUpCode → CompleteAppSignUpPasscode → Accept
//	OfferAppSignUp → StartAppSignUpElsewhere → (home tenant, consumers or partner) → HomeReturn | FederationReturn → Accept

// SignUps says which apps offer sign-up (the store has it).
type SignUps interface {
	// AppSignUp reports whether the app offers sign-up; an unknown app is store.ErrNotFound.
	AppSignUp(ctx context.Context, tenantID, appID string) (bool, error)
	// SignUpDomains are the domains the tenant restricts sign-up to (none: any).
	SignUpDomains(ctx context.Context, tenantID string) ([]string, error)
}

// ErrSignUpDomain: the app offers sign-up, but the tenant does not open
// it to the address's domain.
var ErrSignUpDomain = errors.New("sign-up is not open to addresses in your domain")

const purposeAppSignUp = "app-sign-up"

type appSignUpState struct {
	Tenant  string    `json:"t"`
	Address string    `json:"addr"`
	Request string    `json:"ar"`
	Started time.Time `json:"started"`
	Browser string    `json:"b"`
}

// AppSignUpOffer is what a person signing up to an app may choose.
type AppSignUpOffer struct {
	Tenant  directory.Tenant
	Address string
	AppName string
	// Passcode: an email one-time passcode (the fallback allows it and
	// the tenant's policy enables it).
	Passcode bool
	// Home is the address's managed home tenant when the decision names
	// it: then it is the only choice.
	Home *directory.Tenant
	// Partner names the partner's identity provider (SAML, OpenID Connect
	// or Google) when the decision names it: then it is the only choice.
	Partner string
	// Personal: a personal account may be used; HasPersonal says the
	// address has one (else it is created on the way).
	Personal, HasPersonal bool
	// Token is the sealed offer the page's forms carry.
	Token string
	st    appSignUpState
	app   audit.Actor
	dec   invitation.SignUpDecision
}

// OfferAppSignUp is called with the route Begin gave an address: when
// the address is no user of the tenant and the app of the pending request
// (reqID) offers sign-up, it returns the offer; otherwise nil, and the
// sign-in goes on as Begin said. A domain the tenant does not allow is
// ErrSignUpDomain.
func (s *Service) OfferAppSignUp(ctx context.Context, r Route, reqID, browser string) (*AppSignUpOffer, error) {
	if !r.unknown || reqID == "" || s.d.SignUps == nil || browser == "" || r.User.UserType != directory.UserTypeGuest {
		return nil, nil
	}
	st := appSignUpState{Tenant: r.Tenant.ID, Address: r.User.Mail, Request: reqID, Started: s.d.Clock.Now(), Browser: bind(browser)}
	o, err := s.appSignUpOffer(ctx, r.Tenant, st)
	if err != nil || o == nil {
		return o, err
	}
	o.Token, err = seal(s.seals, purposeAppSignUp, st, st.Started.Add(signUpLifetime))
	return o, err
}

// OpenAppSignUp opens an offer a page's form carried; the choices are
// worked out again.
func (s *Service) OpenAppSignUp(ctx context.Context, t directory.Tenant, token, browser string) (AppSignUpOffer, error) {
	st, err := open[appSignUpState](s.seals, purposeAppSignUp, token, s.d.Clock.Now())
	if err != nil || st.Tenant != t.ID || browser == "" || subtle.ConstantTimeCompare([]byte(st.Browser), []byte(bind(browser))) != 1 {
		return AppSignUpOffer{}, ErrExpiredState
	}
	if _, err := s.d.Directory.GetUserByMail(ctx, t.ID, st.Address); err == nil {
		return AppSignUpOffer{}, ErrDecisionChanged // signed up meanwhile: sign in
	}
	o, err := s.appSignUpOffer(ctx, t, st)
	if err != nil {
		return AppSignUpOffer{}, err
	}
	if o == nil {
		return AppSignUpOffer{}, ErrDecisionChanged
	}
	o.Token = token
	return *o, nil
}

func (s *Service) appSignUpOffer(ctx context.Context, t directory.Tenant, st appSignUpState) (*AppSignUpOffer, error) {
	ar, err := s.AuthRequest(ctx, t, st.Request)
	if err != nil {
		return nil, err
	}
	on, err := s.d.SignUps.AppSignUp(ctx, t.ID, ar.AppID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !on {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("app sign-up: %w", err)
	}
	domains, err := s.d.SignUps.SignUpDomains(ctx, t.ID)
	if err != nil {
		return nil, fmt.Errorf("app sign-up: %w", err)
	}
	if len(domains) > 0 && !slices.Contains(domains, domainOf(st.Address)) {
		s.d.Log.InfoContext(ctx, "app sign-up refused: domain not allowed", "tenant_id", t.ID, "app_id", ar.AppID)
		return nil, ErrSignUpDomain
	}
	o := &AppSignUpOffer{Tenant: t, Address: st.Address, AppName: ar.AppName, st: st, app: audit.Actor{AppID: ar.AppID, AppName: ar.AppName}}
	var in invitation.DecisionInput
	if o.dec, in, err = s.decideSignUp(ctx, t, st.Address); err != nil {
		return nil, err
	}
	switch p := o.dec.Primary; {
	case p != nil && p.IdP == directory.IdPHomeTenant:
		ht, err := s.d.Directory.GetTenant(ctx, p.UpstreamTenantID)
		if err != nil {
			return nil, fmt.Errorf("app sign-up: home tenant: %w", err)
		}
		o.Home = &ht
	case p != nil:
		f, err := s.federationOf(ctx, t, *p)
		if err != nil {
			return nil, err
		}
		o.Partner = f.DisplayName
	default:
		o.Passcode, o.Personal, o.HasPersonal = o.dec.Passcode, o.dec.Personal, in.Found.Personal != nil
	}
	return o, nil
}

// decideSignUp makes the sign-up decision for addr at t (section 3 for
// the guest the address would be), reading through the transaction in
// ctx if there is one.
func (s *Service) decideSignUp(ctx context.Context, t directory.Tenant, addr string) (invitation.SignUpDecision, invitation.DecisionInput, error) {
	u := prospect(t, addr)
	if u.UserType != directory.UserTypeGuest {
		return invitation.SignUpDecision{}, invitation.DecisionInput{}, ErrDecisionChanged
	}
	in, err := s.decisionInput(ctx, t, u)
	if err != nil {
		return invitation.SignUpDecision{}, in, err
	}
	sd, err := invitation.DecideSignUp(in)
	return sd, in, err
}

// signUpAllows checks, against the decision made now, that the sign-up of
// addr at t may use the identity id proved.
func (s *Service) signUpAllows(ctx context.Context, t directory.Tenant, addr string, id Identity) error {
	sd, _, err := s.decideSignUp(ctx, t, addr)
	if err != nil {
		return err
	}
	if !sd.Allows(id.IdP, id.Issuer) || id.IdP == directory.IdPPersonal && id.Issuer != s.ConsumersIssuer() {
		s.d.Log.InfoContext(ctx, "sign-up decision changed before it completed", "tenant_id", t.ID, "proved", id.IdP)
		return ErrDecisionChanged
	}
	return nil
}

// flow is the offer's use of the passcode flow: a code of the tenant
// under the sign-up scope (signUpAddress), whose refusals are recorded as
// an unknown account's, naming the app.
func (o AppSignUpOffer) flow() codeFlow {
	a := attempt{address: o.Address, method: methodEmailOTP, unknown: true, app: appRef{ID: o.app.AppID, Name: o.app.AppName}}
	return codeFlow{tenant: o.Tenant, key: signUpAddress(o.Address), to: o.Address, attempt: a}
}

// SendAppSignUpCode mails a code for the passcode choice. Like every
// sign-up code it is scoped to sign-up: it never signs anyone in.
func (s *Service) SendAppSignUpCode(ctx context.Context, o AppSignUpOffer, lang string) error {
	if !o.Passcode {
		return ErrDecisionChanged
	}
	_, err := s.sendCode(ctx, o.flow(), lang)
	return err
}

// CompleteAppSignUpPasscode takes the code: the code is used and the
// person reviews permissions (Result.Consent); Accept then creates the
// guest (idp mail) and signs them in.
func (s *Service) CompleteAppSignUpPasscode(ctx context.Context, o AppSignUpOffer, code string) (Result, error) {
	if !o.Passcode {
		return Result{}, ErrDecisionChanged
	}
	t := o.Tenant
	err := s.verifyCode(ctx, o.flow(), code, func(ctx context.Context) error {
		if _, err := s.d.Directory.GetUserByMail(ctx, t.ID, o.Address); err == nil {
			return ErrDecisionChanged // signed up meanwhile: sign in
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("app sign-up: %w", err)
		}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	id := Identity{TenantID: t.ID, IdP: directory.IdPMail, Issuer: string(directory.IdPMail), AMR: []string{"otp"}, AuthTime: s.d.Clock.Now()}
	return s.askSignUpConsent(t, id, o.Address, o.app, Continuation{AuthRequestID: o.st.Request})
}

// Choices of StartAppSignUpElsewhere.
const (
	SignUpWithHomeTenant = "home"
	SignUpWithPersonal   = "personal"
	SignUpWithPartner    = "partner"
)

// StartAppSignUpElsewhere sends the person to prove the address at their
// home tenant, at the partner's identity provider, or with a personal
// account (created first when they have none); the way back
// (HomeReturn, FederationReturn) asks them to review permissions. It
// says where the browser goes: a path of this deployment, or the
// partner's sign-in URL (External).
func (s *Service) StartAppSignUpElsewhere(ctx context.Context, o AppSignUpOffer, choice, browser string) (Redirect, error) {
	now := s.d.Clock.Now()
	next := Continuation{AuthRequestID: o.st.Request}
	home := ""
	switch {
	case choice == SignUpWithHomeTenant && o.Home != nil:
		home = o.Home.ID
	case choice == SignUpWithPartner && o.Partner != "" && o.dec.Primary != nil:
		r := Route{Tenant: o.Tenant, User: prospect(o.Tenant, o.Address), Decision: *o.dec.Primary, unknown: true}
		u, err := s.startFederation(ctx, r, next, browser, true)
		return Redirect{URL: u, External: true}, err
	case choice == SignUpWithPersonal && o.Personal && o.HasPersonal:
		home = directory.ConsumersTenantID
	case choice == SignUpWithPersonal && o.Personal:
		st := signUpState{From: o.Tenant.ID, Address: o.Address, Kind: directory.IdPPersonal, Next: next, AppSignUp: true}
		u, err := s.sealSignUp(st, browser)
		return Redirect{URL: u}, err
	default:
		return Redirect{}, ErrDecisionChanged
	}
	h := handoff{From: o.Tenant.ID, Home: home, Address: o.Address, Next: next, Started: now, Browser: bind(browser), SignUp: true}
	tok, err := seal(s.seals, purposeHandoff, h, now.Add(handoffLifetime))
	if err != nil {
		return Redirect{}, err
	}
	return Redirect{URL: "/" + home + "/login/home?handoff=" + url.QueryEscape(tok)}, nil
}

// appSignUpReturn is the way back of a sign-up that proved the address at
// a home tenant or the consumers directory: the person reviews
// permissions next.
func (s *Service) appSignUpReturn(ctx context.Context, t directory.Tenant, h handoff, sessionCookie func(string) string) (Result, error) {
	sess, err := s.d.Sessions.Lookup(ctx, h.Home, sessionCookie(h.Home))
	if err != nil {
		return Result{}, ErrHomeSignInRequired
	}
	if _, err := s.homeMember(ctx, h, sess); err != nil {
		return Result{}, err
	}
	idp := directory.IdPHomeTenant
	if directory.IsConsumers(h.Home) {
		idp = directory.IdPPersonal
	}
	id := Identity{TenantID: t.ID, IdP: idp, Issuer: s.Issuer(h.Home), AMR: sess.AMR, AuthTime: sess.AuthTime}
	if err := s.signUpAllows(ctx, t, h.Address, id); err != nil {
		return Result{}, err
	}
	ar, err := s.AuthRequest(ctx, t, h.Next.AuthRequestID)
	if err != nil {
		return Result{}, err
	}
	return s.askSignUpConsent(t, id, h.Address, audit.Actor{AppID: ar.AppID, AppName: ar.AppName}, h.Next)
}

// signUpProof is what a sign-up's consent proof adds: the guest does not
// exist yet; Accept creates it.
type signUpProof struct {
	Address string      `json:"addr"`
	App     audit.Actor `json:"app"`
}

// askSignUpConsent is finish for a sign-up: Review permissions, always
// (a sign-up is a first redemption), with the address and the app in the
// proof.
func (s *Service) askSignUpConsent(t directory.Tenant, id Identity, addr string, app audit.Actor, next Continuation) (Result, error) {
	exp := s.d.Clock.Now().Add(s.cfg.ProofLifetime)
	tok, err := seal(s.seals, purposeProof+t.ID, proof{Identity: id, Next: next, SignUp: &signUpProof{Address: addr, App: app}}, exp)
	if err != nil {
		return Result{}, err
	}
	return Result{Consent: &Consent{Tenant: t, Proof: tok, Expires: exp}}, nil
}

// acceptSignUp is Accept of a sign-up: in one transaction the sign-up
// decision is made again (it must still allow what was proved), the
// guest is created (SelfServiceSignUp, Accepted with that identity), the
// session starts and the app's request completes.
func (s *Service) acceptSignUp(ctx context.Context, t directory.Tenant, p proof) (Result, error) {
	su := p.SignUp
	app := appRef{ID: su.App.AppID, Name: su.App.AppName}
	id := p.Identity
	var res Result
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.signUpAllows(ctx, t, su.Address, id); err != nil {
			return err
		}
		u, err := s.d.Invitations.SignUpGuest(ctx, t, su.Address, id.IdP, id.Issuer, su.App)
		if errors.Is(err, invitation.ErrAlreadyUser) {
			return ErrDecisionChanged // signed up meanwhile: sign in
		}
		if err != nil {
			return err
		}
		id.UserID = u.ID
		res, err = s.startSession(ctx, t, id, p.Next, app, true)
		return err
	})
	if err != nil {
		return res, s.refused(ctx, t, attempt{address: su.Address, method: methodOf(id.AMR), app: app}, err)
	}
	if res.refusal != nil {
		// Signed up, then refused by an app that requires assignment
		// (R16): the guest exists, for an admin to assign.
		s.d.Log.InfoContext(ctx, "guest signed up; the app refused them", "tenant_id", t.ID, "user_id", id.UserID, "app_id", su.App.AppID)
		return Result{}, res.refusal
	}
	s.d.Metrics.SignedIn(string(id.IdP))
	s.d.Log.InfoContext(ctx, "guest signed up to an app", "tenant_id", t.ID, "user_id", res.Session.UserID, "idp", id.IdP, "app_id", su.App.AppID)
	return res, nil
}

// AppSignUpCodeState is the state of the sign-up code of an offer, for
// the enter-code page (what works next; never "we just sent" when nothing was).
func (s *Service) AppSignUpCodeState(ctx context.Context, o AppSignUpOffer) (otp.State, error) {
	return s.codeState(ctx, o.flow())
}
