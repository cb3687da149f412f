package signin

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"github.com/guestgate/guestgate/internal/otp"
	"net/url"
	"slices"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/store"
)

// Self-service sign-up to an app (R13): a person with no invitation and
// no account in the tenant follows the sign-in link of an app that offers
// sign-up. Instead of the sign-in every address gets (Begin), they are
// offered the tenant's allowed identities — an email passcode when the
// tenant's policy effectively enables it, their home tenant, a personal
// account (existing, or created on the way) — and become a guest with
// creationType SelfServiceSignUp, Accepted, audited
// (invitation.SignUpGuest). The tenant may restrict it to listed domains.
// This is not the retired email-verified sign-up (signup.go), which
// created accounts in unmanaged tenants.
//
//	OfferAppSignUp → SendAppSignUpCode → CompleteAppSignUpPasscode
//	OfferAppSignUp → StartAppSignUpElsewhere → (home tenant or consumers) → HomeReturn

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
	// Passcode: an email one-time passcode (the tenant's policy enables it).
	Passcode bool
	// Home is the address's managed home tenant, if it has one.
	Home *directory.Tenant
	// HasPersonal: the address has a personal account (else one is
	// created on the way).
	HasPersonal bool
	// Token is the sealed offer the page's forms carry.
	Token string
	st    appSignUpState
	app   audit.Actor
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
	eff, err := s.d.Policies.Effective(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("app sign-up: passcode policy: %w", err)
	}
	o.Passcode = eff.Enabled
	if h, err := s.homeTenant(ctx, t, st.Address); err != nil {
		return nil, err
	} else if h != nil && h.Managed {
		ht, err := s.d.Directory.GetTenant(ctx, h.TenantID)
		if err != nil {
			return nil, fmt.Errorf("app sign-up: home tenant: %w", err)
		}
		o.Home = &ht
	}
	p, err := s.personalAccount(ctx, st.Address)
	if err != nil {
		return nil, err
	}
	o.HasPersonal = p != nil
	return o, nil
}

// SendAppSignUpCode mails a code for the passcode choice. Like every
// sign-up code it is scoped to sign-up: it never signs anyone in.
func (s *Service) SendAppSignUpCode(ctx context.Context, o AppSignUpOffer, lang string) error {
	if !o.Passcode {
		return ErrDecisionChanged
	}
	t := o.Tenant
	a := attempt{address: o.Address, method: methodEmailOTP, unknown: true}
	if err := s.checkLimit(ctx, s.d.Limits.Send, t); err != nil {
		return s.refused(ctx, t, a, err)
	}
	validity := s.d.OTP.Limits().Validity
	err := s.d.OTP.Issue(ctx, t.ID, signUpAddress(o.Address), func(ctx context.Context, code string) error {
		if err := s.countLimit(ctx, s.d.Limits.Send, t); err != nil {
			return err
		}
		msg, err := s.d.ComposePasscode(ctx, t, o.Address, code, validity, lang)
		if err != nil {
			return err
		}
		return s.d.Outbox.EnqueueMail(ctx, msg)
	})
	if err == nil {
		s.d.Metrics.Passcode(metrics.PasscodeSent)
	}
	return err
}

// CompleteAppSignUpPasscode takes the code: in one transaction it is used,
// the guest created (SelfServiceSignUp, Accepted, idp mail), the session
// started and the app's request completed.
func (s *Service) CompleteAppSignUpPasscode(ctx context.Context, o AppSignUpOffer, code string) (Result, error) {
	if !o.Passcode {
		return Result{}, ErrDecisionChanged
	}
	t := o.Tenant
	if err := s.checkLimit(ctx, s.d.Limits.Verify, t); err != nil {
		return Result{}, err
	}
	next := Continuation{AuthRequestID: o.st.Request}
	app := appRef{ID: o.app.AppID, Name: o.app.AppName}
	var res Result
	err := s.d.OTP.Verify(ctx, t.ID, signUpAddress(o.Address), code, func(ctx context.Context) error {
		u, err := s.d.Invitations.SignUpGuest(ctx, t, o.Address, directory.IdPMail, string(directory.IdPMail), o.app)
		if errors.Is(err, invitation.ErrAlreadyUser) {
			return ErrDecisionChanged // signed up meanwhile: sign in
		}
		if err != nil {
			return err
		}
		id := Identity{TenantID: t.ID, UserID: u.ID, IdP: directory.IdPMail, Issuer: string(directory.IdPMail), AMR: []string{"otp"}, AuthTime: s.d.Clock.Now()}
		res, err = s.startSession(ctx, t, id, next, app, false)
		return err
	})
	if err != nil {
		if _, _, ok := failureOf(err); ok {
			a := attempt{address: o.Address, method: methodEmailOTP, unknown: true, app: app, count: &s.d.Limits.Verify}
			return Result{}, s.refused(ctx, t, a, err)
		}
		return Result{}, err
	}
	s.d.Metrics.Passcode(metrics.PasscodeVerified)
	s.d.Metrics.SignedIn(string(directory.IdPMail))
	s.d.Log.InfoContext(ctx, "guest signed up to an app with a passcode", "tenant_id", t.ID, "user_id", res.Session.UserID, "app_id", o.app.AppID)
	return res, nil
}

// Choices of StartAppSignUpElsewhere.
const (
	SignUpWithHomeTenant = "home"
	SignUpWithPersonal   = "personal"
)

// StartAppSignUpElsewhere sends the person to prove the address at their
// home tenant or with a personal account (created first when they have
// none); the way back (HomeReturn) creates the guest.
func (s *Service) StartAppSignUpElsewhere(o AppSignUpOffer, choice, browser string) (string, error) {
	now := s.d.Clock.Now()
	next := Continuation{AuthRequestID: o.st.Request}
	home := ""
	switch {
	case choice == SignUpWithHomeTenant && o.Home != nil:
		home = o.Home.ID
	case choice == SignUpWithPersonal && o.HasPersonal:
		home = directory.ConsumersTenantID
	case choice == SignUpWithPersonal:
		st := signUpState{From: o.Tenant.ID, Address: o.Address, Kind: directory.IdPPersonal, Next: next, AppSignUp: true}
		return s.sealSignUp(st, browser)
	default:
		return "", ErrDecisionChanged
	}
	h := handoff{From: o.Tenant.ID, Home: home, Address: o.Address, Next: next, Started: now, Browser: bind(browser), SignUp: true}
	tok, err := seal(s.seals, purposeHandoff, h, now.Add(handoffLifetime))
	if err != nil {
		return "", err
	}
	return "/" + home + "/login/home?handoff=" + url.QueryEscape(tok), nil
}

// appSignUpReturn is the way back of a sign-up that proved the address at
// a home tenant or the consumers directory: the guest is created with
// that identity and signed in.
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
	} else if ht, err := s.d.Directory.GetTenant(ctx, h.Home); err != nil || !ht.Managed {
		return Result{}, ErrDecisionChanged
	}
	ar, err := s.AuthRequest(ctx, t, h.Next.AuthRequestID)
	if err != nil {
		return Result{}, err
	}
	actor := audit.Actor{AppID: ar.AppID, AppName: ar.AppName}
	issuer := s.Issuer(h.Home)
	var res Result
	err = s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		u, err := s.d.Invitations.SignUpGuest(ctx, t, h.Address, idp, issuer, actor)
		if err != nil {
			return err
		}
		id := Identity{TenantID: t.ID, UserID: u.ID, IdP: idp, Issuer: issuer, AMR: sess.AMR, AuthTime: sess.AuthTime}
		res, err = s.startSession(ctx, t, id, h.Next, appRef{ID: ar.AppID, Name: ar.AppName}, false)
		return err
	})
	if errors.Is(err, invitation.ErrAlreadyUser) {
		return Result{}, ErrDecisionChanged
	}
	if err != nil {
		return Result{}, err
	}
	s.d.Metrics.SignedIn(string(idp))
	s.d.Log.InfoContext(ctx, "guest signed up to an app", "tenant_id", t.ID, "user_id", res.Session.UserID, "idp", idp)
	return res, nil
}

// AppSignUpCodeState is the state of the sign-up code of an offer, for
// the enter-code page (what works next; never "we just sent" when nothing was).
func (s *Service) AppSignUpCodeState(ctx context.Context, o AppSignUpOffer) (otp.State, error) {
	return s.d.OTP.State(ctx, o.Tenant.ID, signUpAddress(o.Address))
}
