package signin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/session"
)

// Identity is what an identity proved: who signed in to which tenant, how
// and when. Every route ends in one, and finish turns it into a session.
type Identity struct {
	TenantID string        `json:"tid"`
	UserID   string        `json:"uid"`
	IdP      directory.IdP `json:"idp"` // IdPNone for the tenant's own members
	Issuer   string        `json:"iss"` // "mail", the home tenant's issuer, …
	AMR      []string      `json:"amr"`
	AuthTime time.Time     `json:"at"`
}

// Result is a finished step. Either a session started (Token is the cookie
// value, the caller sets it) and Next is where the browser goes, or the
// guest must review permissions first (Consent).
type Result struct {
	Session session.Session
	Token   string
	Next    string
	Consent *Consent
	// refusal is a refusal recorded in the transaction that ended the
	// step, which commits (a redemption to an app the guest is not
	// assigned to): the caller returns it once the transaction committed.
	refusal error
}

// Consent is a first redemption waiting for Review permissions: the
// sealed proof the browser keeps (an HttpOnly cookie) until Accept.
type Consent struct {
	Tenant  directory.Tenant
	Proof   string
	Expires time.Time
}

// proof is what a sealed consent proof carries.
type proof struct {
	Identity Identity     `json:"id"`
	Next     Continuation `json:"next"`
	// SignUp: a sign-up to an app (appsignup.go); Identity has no user yet.
	SignUp *signUpProof `json:"su,omitempty"`
}

const purposeProof = "consent-proof"

// Finish ends a route whose method proved id (a method registered in the
// Registry that keeps no transaction of its own with the proof): a guest
// who is redeeming gets a consent proof, anyone else a session, and a
// refusal is recorded. The identity must be the route's user; an address
// that is no user of the tenant never finishes (ErrNotMember, recorded as
// the unknown account it is).
func (s *Service) Finish(ctx context.Context, r Route, id Identity, next Continuation) (Result, error) {
	app := s.appOf(ctx, r.Tenant, next)
	if r.unknown {
		return Result{}, s.refused(ctx, r.Tenant, attempt{address: r.User.Mail, method: methodOf(id.AMR), app: app, unknown: true}, ErrNotMember)
	}
	if id.TenantID != r.Tenant.ID || id.UserID != r.User.ID {
		return Result{}, ErrDecisionChanged
	}
	res, err := s.finish(ctx, r.Tenant, id, r.Decision.Redeeming, next)
	if err != nil {
		return res, s.refusedIdentity(ctx, r.Tenant, id, app, err)
	}
	return res, nil
}

// finish ends a route: a guest who is redeeming (first sign-in in the
// tenant) gets a consent proof; anyone else a session, at once.
func (s *Service) finish(ctx context.Context, t directory.Tenant, id Identity, redeeming bool, next Continuation) (Result, error) {
	if redeeming {
		return s.askConsent(t, id, next)
	}
	app := s.appOf(ctx, t, next)
	var res Result
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		res, err = s.startSession(ctx, t, id, next, app, false)
		return err
	})
	if err == nil {
		s.d.Metrics.SignedIn(string(id.IdP))
	}
	return res, err
}

func (s *Service) askConsent(t directory.Tenant, id Identity, next Continuation) (Result, error) {
	exp := s.d.Clock.Now().Add(s.cfg.ProofLifetime)
	tok, err := seal(s.seals, purposeProof+t.ID, proof{Identity: id, Next: next}, exp)
	if err != nil {
		return Result{}, err
	}
	return Result{Consent: &Consent{Tenant: t, Proof: tok, Expires: exp}}, nil
}

// ConsentProof opens a proof for the Review permissions page.
func (s *Service) ConsentProof(t directory.Tenant, token string) (Identity, error) {
	p, err := open[proof](s.seals, purposeProof+t.ID, token, s.d.Clock.Now())
	return p.Identity, err
}

// ConsentNext is where Accept will send the browser: the page's forms
// must be allowed to end there (CSP form-action).
func (s *Service) ConsentNext(t directory.Tenant, token string) (Continuation, error) {
	p, err := open[proof](s.seals, purposeProof+t.ID, token, s.d.Clock.Now())
	return p.Next, err
}

// Accept is Accept on Review permissions: in one transaction the decision
// is made again (it must still name the identity that was proved), the
// guest is redeemed (Accepted, the identity provider fixed, R7), the
// session starts and the app's request completes.
func (s *Service) Accept(ctx context.Context, t directory.Tenant, token string) (Result, error) {
	p, err := open[proof](s.seals, purposeProof+t.ID, token, s.d.Clock.Now())
	if err != nil {
		return Result{}, err
	}
	if p.SignUp != nil {
		return s.acceptSignUp(ctx, t, p)
	}
	app := s.appOf(ctx, t, p.Next)
	var res Result
	err = s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		res, err = s.startSession(ctx, t, p.Identity, p.Next, app, true)
		return err
	})
	if err != nil {
		return res, s.refusedIdentity(ctx, t, p.Identity, app, err)
	}
	if res.refusal != nil {
		s.d.Log.InfoContext(ctx, "guest redeemed the invitation; the app refused them", "tenant_id", t.ID,
			"user_id", p.Identity.UserID, "app_id", app.ID, "err", res.refusal)
		return Result{}, res.refusal
	}
	s.d.Metrics.SignedIn(string(p.Identity.IdP))
	s.d.Log.InfoContext(ctx, "guest accepted the invitation and redeemed it", "tenant_id", t.ID,
		"user_id", p.Identity.UserID, "idp", p.Identity.IdP)
	return res, nil
}

// refusedIdentity records a refusal of a proved identity's user.
func (s *Service) refusedIdentity(ctx context.Context, t directory.Tenant, id Identity, app appRef, err error) error {
	if _, _, ok := failureOf(err); !ok || s.d.SignInLog == nil {
		return err
	}
	a := attempt{method: methodOf(id.AMR), app: app}
	if u, uerr := s.d.Directory.GetUser(ctx, t.ID, id.UserID); uerr == nil {
		a.user, a.address = &u, u.Mail
	}
	return s.refused(ctx, t, a, err)
}

// Decline is Cancel on Review permissions: nothing changes (the guest
// stays PendingAcceptance; a sign-up creates no guest) and an app waiting
// for the sign-in is told access_denied. It returns the app's URL, or "" without an app.
func (s *Service) Decline(ctx context.Context, t directory.Tenant, token string) (string, error) {
	p, err := open[proof](s.seals, purposeProof+t.ID, token, s.d.Clock.Now())
	if err != nil {
		return "", err
	}
	s.d.Log.InfoContext(ctx, "guest declined the invitation's permissions", "tenant_id", t.ID, "user_id", p.Identity.UserID)
	if su := p.SignUp; su != nil {
		// A sign-up: nothing was created, nothing is.
		a := attempt{address: su.Address, method: methodOf(p.Identity.AMR), app: appRef{ID: su.App.AppID, Name: su.App.AppName}}
		_ = s.refused(ctx, t, a, ErrConsentDeclined)
	} else {
		_ = s.refusedIdentity(ctx, t, p.Identity, s.appOf(ctx, t, p.Next), ErrConsentDeclined)
	}
	if p.Next.AuthRequestID == "" {
		return "", nil
	}
	return s.d.Login.Fail(ctx, t.ID, p.Next.AuthRequestID, "access_denied")
}

// startSession runs inside the transaction that ends a sign-in: it reads
// the user, decides again, redeems a guest who is not yet Accepted, reads
// once whether the user may sign in to the app (admitted), starts the
// session, completes the app's request and records the sign-in (all of it
// commits together; no transaction of its own for the log). Only Accept
// (consented) redeems: a guest found not yet Accepted on any other way in
// was redeemed when the route was decided and has been reset since; that
// sign-in is a redemption now and must start again to review permissions.
//
// A user the app refuses gets no session. After Review permissions
// (consented) the redemption, or the sign-up's new guest, still commits,
// as Entra redeems the invitation and then refuses the app: the refusal
// is recorded with it and returned in Result.refusal. Otherwise a refusal
// is an error, the transaction rolls back and the caller records it.
func (s *Service) startSession(ctx context.Context, t directory.Tenant, id Identity, next Continuation, app appRef, consented bool) (Result, error) {
	u, err := s.d.Directory.GetUser(ctx, t.ID, id.UserID)
	if err != nil {
		return Result{}, notFoundAs(err, ErrNotMember, "start session")
	}
	if !u.AccountEnabled {
		return Result{}, ErrAccountDisabled
	}
	if err := s.recheck(ctx, t, u, id); err != nil {
		return Result{}, err
	}
	if isInvited(u) && u.ExternalUserState != directory.StateAccepted {
		if !consented {
			return Result{}, ErrDecisionChanged
		}
		if err := s.d.Invitations.Redeem(ctx, t.ID, u.ID, id.IdP, id.Issuer); err != nil {
			return Result{}, fmt.Errorf("start session: %w", err)
		}
	}
	if err := s.admitted(ctx, t, u.ID, next, app); err != nil {
		if !consented || !IsRefusal(err) {
			return Result{}, err
		}
		a := attempt{user: &u, address: u.Mail, id: &id, method: methodOf(id.AMR), app: app}
		return Result{refusal: s.refused(ctx, t, a, err)}, nil
	}
	sess, token, err := s.d.Sessions.Create(ctx, t.ID, u.ID, string(id.IdP), id.AMR)
	if err != nil {
		return Result{}, err
	}
	nextURL, err := s.nextURL(ctx, t, next, sess)
	if err != nil {
		return Result{}, err
	}
	if err := s.logSuccess(ctx, t, u, id, app); err != nil {
		return Result{}, fmt.Errorf("start session: record sign-in: %w", err)
	}
	return Result{Session: sess, Token: token, Next: nextURL}, nil
}

// recheck makes the decision again for u and requires that it still
// names the identity that was proved.
func (s *Service) recheck(ctx context.Context, t directory.Tenant, u directory.User, id Identity) error {
	if !isInvited(u) {
		if id.IdP != directory.IdPNone {
			return ErrDecisionChanged
		}
		return nil
	}
	dec, otpEnabled, err := s.decide(ctx, t, u)
	if err != nil {
		return err
	}
	if dec.IdP != id.IdP || dec.Issuer != id.Issuer {
		s.d.Log.InfoContext(ctx, "sign-in decision changed before it completed", "tenant_id", t.ID, "user_id", u.ID,
			"proved", id.IdP, "now", dec.IdP, "step", dec.Step)
		// An identity this deployment cannot run says why (e.g. passcodes
		// were just turned off); any other change means start again.
		if _, err := s.routeFor(t, u, dec, otpEnabled); err != nil {
			return err
		}
		return ErrDecisionChanged
	}
	return nil
}

// nextURL completes the app's request in the transaction, or names the
// redeem link's redirect, or the tenant's My Apps.
func (s *Service) nextURL(ctx context.Context, t directory.Tenant, next Continuation, sess session.Session) (string, error) {
	switch {
	case next.AuthRequestID != "" && !plausibleRequestID(next.AuthRequestID):
		return "", ErrUnknownAuthRequest
	case next.AuthRequestID != "":
		return s.d.Login.Complete(ctx, t.ID, next.AuthRequestID, sess)
	case next.RedirectURL != "":
		return next.RedirectURL, nil
	}
	return "/" + t.ID + "/", nil
}

// ContinueSession answers a sign-in from a live session (R4): the user
// must still be allowed in (R9 applies to existing sessions too) and, for
// an app that requires assignment, assigned to it (R16, one read), then
// the app's request completes. It returns where the browser goes. A session
// from before the user's access was ended (directory.TokensRevoked) is
// session.ErrRevoked: the user signs in again.
//
// A sign-in to an app is recorded (Entra logs single sign-on as an
// interactive sign-in, "Previously satisfied") in the transaction that
// completes the app's request: no commit of its own. A refusal is recorded
// as any refusal is (refused), naming the app of the request. A visit to
// the tenant's own pages with a live session (no app's request) is no
// sign-in and records nothing unless refused.
func (s *Service) ContinueSession(ctx context.Context, t directory.Tenant, sess session.Session, next Continuation) (string, error) {
	u, err := s.d.Directory.GetUser(ctx, t.ID, sess.UserID)
	if err != nil {
		return "", notFoundAs(err, ErrNotMember, "continue session")
	}
	if directory.TokensRevoked(u, sess.AuthTime) {
		return "", session.ErrRevoked
	}
	if err := s.sessionAllowed(ctx, t, u); err != nil {
		return "", s.refused(ctx, t, attempt{user: &u, address: u.Mail, method: methodReused, app: s.appOf(ctx, t, next)}, err)
	}
	if next.AuthRequestID == "" {
		return s.nextURL(ctx, t, next, sess)
	}
	app := s.appOf(ctx, t, next)
	if err := s.admitted(ctx, t, u.ID, next, app); err != nil {
		return "", s.refused(ctx, t, attempt{user: &u, address: u.Mail, method: methodReused, app: app}, err)
	}
	var url string
	err = s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		if url, err = s.nextURL(ctx, t, next, sess); err != nil {
			return err
		}
		return s.logReuse(ctx, t, u, sess, app)
	})
	return url, err
}

// sessionAllowed is whether the user of a live session may still sign in.
func (s *Service) sessionAllowed(ctx context.Context, t directory.Tenant, u directory.User) error {
	if !u.AccountEnabled {
		return ErrAccountDisabled
	}
	if isInvited(u) {
		if _, _, err := s.decide(ctx, t, u); err != nil {
			return err
		}
	}
	return nil
}

// AuthRequest returns an app's pending request; "" is My Apps' own sign-in.
func (s *Service) AuthRequest(ctx context.Context, t directory.Tenant, id string) (AuthRequest, error) {
	if id == "" {
		return AuthRequest{}, nil
	}
	if s.d.Login == nil || !plausibleRequestID(id) {
		return AuthRequest{}, ErrUnknownAuthRequest
	}
	return s.d.Login.AuthRequest(ctx, t.ID, id)
}

// FailAuthRequest ends an app's request with an OAuth error code.
func (s *Service) FailAuthRequest(ctx context.Context, t directory.Tenant, id, code string) (string, error) {
	if !plausibleRequestID(id) {
		return "", ErrUnknownAuthRequest
	}
	return s.d.Login.Fail(ctx, t.ID, id, code)
}

// maxRequestID bounds an authRequestID from a form or a URL: the
// provider's pending handles are at most 3000 characters (internal/oidc).
const maxRequestID = 3000

// plausibleRequestID refuses an authRequestID no request can have (control
// characters, NUL above all, or an absurd length) before it reaches the
// store: the page says the request expired, not 500.
func plausibleRequestID(id string) bool {
	return len(id) <= maxRequestID && httpx.Printable(id)
}

// ErrUnknownAuthRequest: the app's sign-in request expired or never existed.
var ErrUnknownAuthRequest = errors.New("this sign-in request has expired; go back to the app and start again")
