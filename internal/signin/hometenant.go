package signin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/session"
)

// A guest whose home tenant is another managed tenant of this deployment
// (section 3, azureActiveDirectory) signs in there, as a member, with a
// password, and comes back:
//
//	inviting tenant: Begin → homeTenant method → StartHomeTenant (a sealed hand-off)
//	home tenant:     OpenHandoff → a live home session, or HomePassword
//	inviting tenant: HomeReturn (checks the home session) → finish
//
// The hand-off is sealed and bound to the browser that started it, so a
// link cannot carry someone's sign-in into another browser.

// handoffLifetime bounds the round trip to the home tenant.
const handoffLifetime = 15 * time.Minute

const purposeHandoff = "home-handoff"

// ErrHomeSignInRequired: back from the home tenant without a live home
// session for the guest's address (it expired, or another member signed
// in there); the guest goes back to sign in at home.
var ErrHomeSignInRequired = errors.New("sign in at your own organization first")

type handoff struct {
	From    string       `json:"from"`
	Home    string       `json:"home"`
	Guest   string       `json:"guest"`
	Address string       `json:"addr"`
	Next    Continuation `json:"next"`
	Started time.Time    `json:"started"`
	Force   bool         `json:"force,omitempty"`
	Browser string       `json:"b"`
	// SignUp: no guest yet; the person signs up to an app (appsignup.go).
	SignUp bool `json:"su,omitempty"`
}

// HomeSignIn is a hand-off as the home tenant's page sees it.
type HomeSignIn struct {
	Home, From directory.Tenant
	// Address is the member who must sign in (the guest's address).
	Address string
	// Token is the sealed hand-off, carried by the page's form.
	Token string
	h     handoff
}

// homeTenantMethod is the sign-in at another directory of this
// deployment (the guest's home tenant, the consumers directory for a
// personal account, an unmanaged tenant): a RedirectMethod whose way back
// is HomeReturn.
type homeTenantMethod struct{ s *Service }

var _ RedirectMethod = homeTenantMethod{}

// Name is MethodHomeTenant.
func (homeTenantMethod) Name() string { return MethodHomeTenant }

// Redirect starts the hand-off; an app that forced a sign-in
// (prompt=login) has the member type a password even with a live home
// session.
func (m homeTenantMethod) Redirect(ctx context.Context, r Route, next Continuation, browser string) (Redirect, error) {
	ar, err := m.s.AuthRequest(ctx, r.Tenant, next.AuthRequestID)
	if err != nil {
		return Redirect{}, err
	}
	u, err := m.s.StartHomeTenant(r, next, ar.ForceLogin, browser)
	return Redirect{URL: u}, err
}

// prepareRoute names the home of a redeemed guest (step 0) or of a
// personal account: the directory whose issuer the decision names; an
// issuer of no directory of this deployment is unavailable.
func (m homeTenantMethod) prepareRoute(r *Route, otpEnabled bool) error {
	dec := &r.Decision
	if dec.CreateAccount || dec.UpstreamTenantID != "" {
		return nil
	}
	if dec.UpstreamTenantID = m.s.tenantOfIssuer(dec.Issuer); dec.UpstreamTenantID == "" {
		return &UnavailableError{IdP: dec.IdP, OTPDisabled: !otpEnabled}
	}
	return nil
}

// StartHomeTenant begins a home-tenant route and returns the home
// tenant's sign-in URL (a path); an account the decision says to create
// first (CreateAccount) is signed up on the way (signup.go). force
// (prompt=login) asks the member for a password even with a live home
// session. browser is a value only this browser holds (its CSRF cookie);
// the hand-off is bound to it.
func (s *Service) StartHomeTenant(r Route, next Continuation, force bool, browser string) (string, error) {
	if _, ok := r.Method.(homeTenantMethod); !ok {
		return "", ErrDecisionChanged
	}
	if r.Decision.CreateAccount {
		return s.startSignUp(r, next, browser)
	}
	if r.Decision.UpstreamTenantID == "" || browser == "" {
		return "", ErrDecisionChanged
	}
	now := s.d.Clock.Now()
	h := handoff{
		From: r.Tenant.ID, Home: r.Decision.UpstreamTenantID, Guest: r.User.ID, Address: r.User.Mail,
		Next: next, Started: now, Force: force, Browser: bind(browser),
	}
	tok, err := seal(s.seals, purposeHandoff, h, now.Add(handoffLifetime))
	if err != nil {
		return "", err
	}
	return "/" + h.Home + "/login/home?handoff=" + url.QueryEscape(tok), nil
}

// OpenHandoff opens a hand-off at the home tenant it names.
func (s *Service) OpenHandoff(ctx context.Context, home directory.Tenant, token, browser string) (HomeSignIn, error) {
	h, err := s.openHandoff(token, browser)
	if err != nil || h.Home != home.ID {
		return HomeSignIn{}, ErrExpiredState
	}
	from, err := s.d.Directory.GetTenant(ctx, h.From)
	if err != nil {
		return HomeSignIn{}, notFoundAs(err, ErrExpiredState, "open hand-off")
	}
	return HomeSignIn{Home: home, From: from, Address: h.Address, Token: token, h: h}, nil
}

func (s *Service) openHandoff(token, browser string) (handoff, error) {
	h, err := open[handoff](s.seals, purposeHandoff, token, s.d.Clock.Now())
	if err != nil || browser == "" || subtle.ConstantTimeCompare([]byte(h.Browser), []byte(bind(browser))) != 1 {
		return handoff{}, ErrExpiredState
	}
	return h, nil
}

// ReturnURL is where the browser goes back to, at the inviting tenant.
func (hs HomeSignIn) ReturnURL() string {
	return "/" + hs.From.ID + "/login/home/return?handoff=" + url.QueryEscape(hs.Token)
}

// SessionAnswers reports whether a live home session may stand for the
// member without a password (single sign-on at home): it must be the
// address's member, and fresh enough when the app forced a sign-in.
func (s *Service) SessionAnswers(ctx context.Context, hs HomeSignIn, sess session.Session) bool {
	_, err := s.homeMember(ctx, hs.h, sess)
	return err == nil
}

// HomePassword signs the member in at home with a password: a home
// session starts (they are signed in at their own organization too) and
// Next is the way back to the inviting tenant.
func (s *Service) HomePassword(ctx context.Context, hs HomeSignIn, password, clientAddr string) (Result, error) {
	u, err := s.d.Members.Authenticate(ctx, hs.Home, hs.Address, password, clientAddr)
	if err != nil {
		a := attempt{address: hs.Address, method: methodPassword}
		if m, merr := s.d.Directory.GetUserByMail(ctx, hs.Home.ID, hs.Address); merr == nil {
			a.user = &m
		}
		return Result{}, s.refused(ctx, hs.Home, a, err)
	}
	id := Identity{TenantID: hs.Home.ID, UserID: u.ID, AMR: []string{"pwd"}, AuthTime: s.d.Clock.Now()}
	res, err := s.finish(ctx, hs.Home, id, false, Continuation{})
	if err != nil {
		return Result{}, err
	}
	res.Next = hs.ReturnURL()
	return res, nil
}

// HomeReturn is the way back at the inviting tenant t: the home session
// (found with sessionCookie, the browser's session cookie of a tenant)
// must belong to the guest's member at the home tenant the decision still
// names; then the route finishes like any other.
func (s *Service) HomeReturn(ctx context.Context, t directory.Tenant, token, browser string, sessionCookie func(tenantID string) string) (Result, error) {
	h, err := s.openHandoff(token, browser)
	if err != nil || h.From != t.ID {
		return Result{}, ErrExpiredState
	}
	if h.Guest == "" && h.SignUp {
		return s.appSignUpReturn(ctx, t, h, sessionCookie)
	}
	if h.Guest == "" {
		return Result{}, s.unknownReturn(ctx, t, h, sessionCookie)
	}
	guest, err := s.d.Directory.GetUser(ctx, t.ID, h.Guest)
	if err != nil {
		return Result{}, notFoundAs(err, ErrExpiredState, "home return")
	}
	dec, otpEnabled, err := s.decide(ctx, t, guest)
	if err != nil {
		return Result{}, err
	}
	// The decision made now must still be run by this method, at the
	// directory the guest went to.
	r, err := s.routeFor(t, guest, dec, otpEnabled)
	if _, home := r.Method.(homeTenantMethod); err != nil || !home || dec.CreateAccount || dec.Issuer != s.Issuer(h.Home) {
		return Result{}, ErrDecisionChanged
	}
	sess, err := s.d.Sessions.Lookup(ctx, h.Home, sessionCookie(h.Home))
	if err != nil {
		return Result{}, ErrHomeSignInRequired
	}
	if _, err := s.homeMember(ctx, h, sess); err != nil {
		return Result{}, s.refused(ctx, t, attempt{user: &guest, address: guest.Mail, app: s.appOf(ctx, t, h.Next)}, err)
	}
	id := Identity{TenantID: t.ID, UserID: guest.ID, IdP: dec.IdP, Issuer: dec.Issuer, AMR: sess.AMR, AuthTime: sess.AuthTime}
	res, err := s.finish(ctx, t, id, dec.Redeeming, h.Next)
	if err != nil {
		return res, s.refusedIdentity(ctx, t, id, s.appOf(ctx, t, h.Next), err)
	}
	if res.Consent == nil {
		s.d.Log.InfoContext(ctx, "guest signed in at their home tenant", "tenant_id", t.ID, "user_id", guest.ID, "home_tenant_id", h.Home)
	}
	return res, err
}

// unknownReturn ends the home-tenant route of an address that is no user
// of t (Begin routed it as the guest it could be). Once the member proved
// the address at home they may be told: ErrNotMember.
func (s *Service) unknownReturn(ctx context.Context, t directory.Tenant, h handoff, sessionCookie func(string) string) error {
	sess, err := s.d.Sessions.Lookup(ctx, h.Home, sessionCookie(h.Home))
	if err != nil {
		return ErrHomeSignInRequired
	}
	if _, err := s.homeMember(ctx, h, sess); err != nil {
		return err
	}
	return s.refused(ctx, t, attempt{address: h.Address, app: s.appOf(ctx, t, h.Next), unknown: true}, ErrNotMember)
}

// homeMember checks that a home session is the hand-off's member, and
// fresh enough for a forced sign-in.
func (s *Service) homeMember(ctx context.Context, h handoff, sess session.Session) (directory.User, error) {
	if sess.TenantID != h.Home || h.Force && sess.AuthTime.Before(h.Started) {
		return directory.User{}, ErrHomeSignInRequired
	}
	m, err := s.d.Directory.GetUser(ctx, h.Home, sess.UserID)
	if err != nil {
		return directory.User{}, notFoundAs(err, ErrHomeSignInRequired, "home member")
	}
	if isInvited(m) || !strings.EqualFold(m.Mail, h.Address) {
		return directory.User{}, ErrHomeSignInRequired
	}
	if !m.AccountEnabled {
		return directory.User{}, ErrAccountDisabled
	}
	return m, nil
}

// bind hashes the browser's binding value.
func bind(browser string) string {
	sum := sha256.Sum256([]byte("guestgate handoff binding\x00" + browser))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}
