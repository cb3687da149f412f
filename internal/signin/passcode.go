package signin

import (
	"context"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/ratelimit"
)

// PasscodeValidity is how long a code lives (R3), for the pages' wording.
func (s *Service) PasscodeValidity() time.Duration { return s.d.OTP.Limits().Validity }

// subject is who a request's attempts count against: its client address
// and the tenant.
func subject(ctx context.Context, t directory.Tenant) ratelimit.Subject {
	return ratelimit.Subject{Client: httpx.ClientOf(ctx).Addr, Tenant: t.ID}
}

// passcodeMethod is the email one-time passcode (R2, R3): a CodeMethod
// over the one passcode flow (codeflow.go), for invitation redemption and
// sign-in.
type passcodeMethod struct{ s *Service }

var _ CodeMethod = passcodeMethod{}

// Name is MethodPasscode.
func (passcodeMethod) Name() string { return MethodPasscode }

// flow is the route's use of the passcode flow: the code is the guest's
// at the route's tenant; an address that is no user of the tenant gets
// the same work, its mail dropped and its refusals recorded as the
// unknown account it is.
func (m passcodeMethod) flow(r Route, app appRef) codeFlow {
	a := attempt{user: &r.User, address: r.User.Mail, method: methodEmailOTP, app: app}
	if r.unknown {
		a.user, a.unknown = nil, true
	}
	return codeFlow{tenant: r.Tenant, key: r.User.Mail, to: r.User.Mail, attempt: a, drop: r.unknown}
}

// SendCode is Send code (R2): a guest whose route is a passcode gets a
// new code, its mail committed with it in the outbox. The code belongs to
// the requesting browser (otp.RequesterOf(ctx)): it voids that browser's
// older codes only (R3), and nobody else's sends or wrong entries void it
// (issue 20, finding 5). Throttled sends are *otp.ThrottledError (R3's
// limits per address and client network, or the address's budget) or
// *ratelimit.LimitedError (the client address's or the tenant's); a send
// counts against those in the transaction that sends.
//
// For an address that is no user of the tenant the same work is done — a
// code is issued under the same limits and a mail composed — but the mail
// is dropped and the attempt recorded as an unknown account in its place.
func (m passcodeMethod) SendCode(ctx context.Context, r Route, lang string) error {
	_, err := m.SendCodeState(ctx, r, lang)
	return err
}

// SendCodeState is SendCode that returns the state the new code leaves
// (CodeState's answer right after), from what the send read and wrote.
func (m passcodeMethod) SendCodeState(ctx context.Context, r Route, lang string) (otp.State, error) {
	return m.s.sendCode(ctx, m.flow(r, r.app), lang)
}

// VerifyCode takes the code of a guest whose route is a passcode,
// checked against the code the requesting browser asked for. A
// later sign-in uses the code, starts the session and completes the app's
// request in one transaction (a failure after the check leaves the code
// unused). A first redemption uses the code and returns a consent proof:
// the guest proved the mailbox and now reviews permissions. Refused codes
// are otp's sentinels, and count against the client address and the
// tenant; past their limits it is a *ratelimit.LimitedError. An address
// that is no user of the tenant is checked the same way and never passes.
func (m passcodeMethod) VerifyCode(ctx context.Context, r Route, code string, next Continuation) (Result, error) {
	app := m.s.appOf(ctx, r.Tenant, next)
	return m.verify(ctx, r.Tenant, func(context.Context) (Route, error) { return r, nil }, code, next, app)
}

// verify is VerifyCode for the route routeOf gives first thing in the
// transaction that uses the code (VerifyCodeAt reads it there); an error
// of routeOf is returned as it is, the transaction rolled back.
func (m passcodeMethod) verify(ctx context.Context, t directory.Tenant, routeOf func(ctx context.Context) (Route, error), code string, next Continuation, app appRef) (Result, error) {
	s := m.s
	var (
		r   Route
		id  Identity
		res Result
	)
	err := s.verifyCodeOf(ctx, func(ctx context.Context) (codeFlow, error) {
		var err error
		if r, err = routeOf(ctx); err != nil {
			return codeFlow{}, err
		}
		id = Identity{TenantID: t.ID, UserID: r.User.ID, IdP: directory.IdPMail, Issuer: string(directory.IdPMail), AMR: []string{"otp"}}
		return m.flow(r, app), nil
	}, code, func(ctx context.Context) error {
		if r.unknown {
			return otp.ErrWrongCode // no code of an unknown address is ever shown
		}
		id.AuthTime = s.d.Clock.Now()
		if r.Decision.Redeeming {
			// The decision is made again, in this transaction, at Accept.
			return nil
		}
		var err error
		res, err = s.startSession(ctx, t, id, next, app, false)
		return err
	})
	if err != nil {
		return Result{}, err
	}
	if r.Decision.Redeeming {
		return s.askConsent(t, id, next)
	}
	s.d.Metrics.SignedIn(string(id.IdP))
	s.d.Log.InfoContext(ctx, "guest signed in with a passcode", "tenant_id", t.ID, "user_id", r.User.ID)
	return res, nil
}

// CodeState is what the enter-code page may offer the requester in ctx
// for the route's address now (otp.StateOf): the code field only while
// the browser's latest code can be entered, attempts left, and when this
// requester may send a new code.
func (m passcodeMethod) CodeState(ctx context.Context, r Route) (otp.State, error) {
	return m.s.codeState(ctx, m.flow(r, r.app))
}

// purposeCodePage seals a sign-in's address for the enter-code page's URL
// (post/redirect/get), so the address itself never travels in a URL.
const purposeCodePage = "code-page:"

// SealCodePage seals addr for the tenant's enter-code page; it opens for
// as long as a code is valid.
func (s *Service) SealCodePage(t directory.Tenant, addr string) (string, error) {
	return seal(s.seals, purposeCodePage+t.ID, addr, s.d.Clock.Now().Add(s.PasscodeValidity()))
}

// OpenCodePage opens SealCodePage's token; ErrExpiredState when it is not valid.
func (s *Service) OpenCodePage(t directory.Tenant, token string) (string, error) {
	return open[string](s.seals, purposeCodePage+t.ID, token, s.d.Clock.Now())
}

// PasscodeLimits are the deployment's passcode rules (R3), for the pages'
// wording (the code's length).
func (s *Service) PasscodeLimits() otp.Limits { return s.d.OTP.Limits() }
