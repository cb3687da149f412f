package signin

import (
	"context"
	"errors"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/metrics"
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

// SendPasscode is Send code (R2): a guest whose route is a passcode gets a
// new code (older ones die, R3), its mail committed with it in the outbox.
// Throttled sends are *otp.ThrottledError (the address's limits, R3) or
// *ratelimit.LimitedError (the client address's or the tenant's); a send
// counts against those in the transaction that sends.
//
// For an address that is no user of the tenant the same work is done — a
// code is issued under the same limits and a mail composed — but the mail
// is dropped and the attempt recorded as an unknown account in its place.
func (s *Service) SendPasscode(ctx context.Context, r Route, lang string) error {
	if r.Kind != RoutePasscode {
		return ErrDecisionChanged
	}
	t, addr := r.Tenant, r.User.Mail
	a := attempt{user: &r.User, address: addr, method: methodEmailOTP, app: r.app}
	if r.unknown {
		a.user, a.unknown = nil, true
	}
	if err := s.checkLimit(ctx, s.d.Limits.Send, t); err != nil {
		return s.refused(ctx, t, a, err)
	}
	validity := s.d.OTP.Limits().Validity
	err := s.d.OTP.Issue(ctx, t.ID, addr, func(ctx context.Context, code string) error {
		if err := s.countLimit(ctx, s.d.Limits.Send, t); err != nil {
			return err
		}
		msg, err := s.d.ComposePasscode(ctx, t, addr, code, validity, lang)
		if err != nil {
			return err
		}
		if r.unknown {
			return s.logUnknown(ctx, t, addr, r.app)
		}
		return s.d.Outbox.EnqueueMail(ctx, msg)
	})
	var throttled *otp.ThrottledError
	switch {
	case err == nil && !r.unknown:
		s.d.Metrics.Passcode(metrics.PasscodeSent)
	case errors.As(err, &throttled):
		s.d.Metrics.Passcode(metrics.PasscodeThrottled)
	}
	return s.refused(ctx, t, a, err)
}

// VerifyPasscode takes the code of a guest whose route is a passcode. A
// later sign-in uses the code, starts the session and completes the app's
// request in one transaction (a failure after the check leaves the code
// unused). A first redemption uses the code and returns a consent proof:
// the guest proved the mailbox and now reviews permissions. Refused codes
// are otp's sentinels, and count against the client address and the
// tenant; past their limits it is a *ratelimit.LimitedError. An address
// that is no user of the tenant is checked the same way and never passes.
func (s *Service) VerifyPasscode(ctx context.Context, r Route, code string, next Continuation) (Result, error) {
	if r.Kind != RoutePasscode {
		return Result{}, ErrDecisionChanged
	}
	t, u := r.Tenant, r.User
	app := s.appOf(ctx, t, next)
	a := attempt{user: &u, address: u.Mail, method: methodEmailOTP, app: app}
	if r.unknown {
		a.user, a.unknown = nil, true
	}
	if err := s.checkLimit(ctx, s.d.Limits.Verify, t); err != nil {
		return Result{}, s.refused(ctx, t, a, err)
	}
	id := Identity{TenantID: t.ID, UserID: u.ID, IdP: directory.IdPMail, Issuer: string(directory.IdPMail), AMR: []string{"otp"}}
	var res Result
	err := s.d.OTP.Verify(ctx, t.ID, u.Mail, code, func(ctx context.Context) error {
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
		if codeRefused(err) {
			s.d.Metrics.Passcode(metrics.PasscodeFailed)
		}
		if _, _, ok := failureOf(err); ok {
			a.count = &s.d.Limits.Verify
		}
		return Result{}, s.refused(ctx, t, a, err)
	}
	s.d.Metrics.Passcode(metrics.PasscodeVerified)
	if r.Decision.Redeeming {
		return s.askConsent(t, id, next)
	}
	s.d.Metrics.SignedIn(string(id.IdP))
	s.d.Log.InfoContext(ctx, "guest signed in with a passcode", "tenant_id", t.ID, "user_id", u.ID)
	return res, nil
}

// checkLimit reads the request's counters of sc (nothing without a Limiter).
func (s *Service) checkLimit(ctx context.Context, sc ratelimit.Scope, t directory.Tenant) error {
	if s.d.Limiter == nil {
		return nil
	}
	return s.d.Limiter.Check(ctx, sc, subject(ctx, t))
}

// countLimit counts one attempt of sc, joining the transaction in ctx.
func (s *Service) countLimit(ctx context.Context, sc ratelimit.Scope, t directory.Tenant) error {
	if s.d.Limiter == nil {
		return nil
	}
	return s.d.Limiter.Count(ctx, sc, subject(ctx, t))
}

// codeRefused reports the refusals of a submitted code (otp's sentinels),
// as opposed to an error of the store or a changed decision.
func codeRefused(err error) bool {
	for _, e := range []error{otp.ErrNoCode, otp.ErrExpired, otp.ErrUsed, otp.ErrTooManyAttempts, otp.ErrWrongCode} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// PasscodeState is what the enter-code page may offer the route's address
// now (otp.StateOf): the code field only while the latest code can be
// entered, attempts left, and when a new code may be sent.
func (s *Service) PasscodeState(ctx context.Context, r Route) (otp.State, error) {
	if r.Kind != RoutePasscode {
		return otp.State{}, ErrDecisionChanged
	}
	return s.d.OTP.State(ctx, r.Tenant.ID, r.User.Mail)
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
