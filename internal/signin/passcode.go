package signin

import (
	"context"
	"errors"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/otp"
)

// PasscodeValidity is how long a code lives (R3), for the pages' wording.
func (s *Service) PasscodeValidity() time.Duration { return s.d.OTP.Limits().Validity }

// SendPasscode is Send code (R2): a guest whose route is a passcode gets a
// new code (older ones die, R3), its mail committed with it in the outbox.
// Throttled sends are *otp.ThrottledError.
func (s *Service) SendPasscode(ctx context.Context, r Route, lang string) error {
	if r.Kind != RoutePasscode {
		return ErrDecisionChanged
	}
	t, addr := r.Tenant, r.User.Mail
	validity := s.d.OTP.Limits().Validity
	err := s.d.OTP.Issue(ctx, t.ID, addr, func(ctx context.Context, code string) error {
		msg, err := s.d.ComposePasscode(t, addr, code, validity, lang)
		if err != nil {
			return err
		}
		return s.d.Outbox.EnqueueMail(ctx, msg)
	})
	var throttled *otp.ThrottledError
	switch {
	case err == nil:
		s.d.Metrics.Passcode(metrics.PasscodeSent)
	case errors.As(err, &throttled):
		s.d.Metrics.Passcode(metrics.PasscodeThrottled)
	}
	return s.refused(ctx, t, attempt{user: &r.User, address: addr, method: methodEmailOTP}, err)
}

// VerifyPasscode takes the code of a guest whose route is a passcode. A
// later sign-in uses the code, starts the session and completes the app's
// request in one transaction (a failure after the check leaves the code
// unused). A first redemption uses the code and returns a consent proof:
// the guest proved the mailbox and now reviews permissions. Refused codes
// are otp's sentinels.
func (s *Service) VerifyPasscode(ctx context.Context, r Route, code string, next Continuation) (Result, error) {
	if r.Kind != RoutePasscode {
		return Result{}, ErrDecisionChanged
	}
	t, u := r.Tenant, r.User
	id := Identity{TenantID: t.ID, UserID: u.ID, IdP: directory.IdPMail, Issuer: string(directory.IdPMail), AMR: []string{"otp"}}
	app := s.appOf(ctx, t, next)
	var res Result
	err := s.d.OTP.Verify(ctx, t.ID, u.Mail, code, func(ctx context.Context) error {
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
		return Result{}, s.refused(ctx, t, attempt{user: &u, address: u.Mail, method: methodEmailOTP, app: app}, err)
	}
	s.d.Metrics.Passcode(metrics.PasscodeVerified)
	if r.Decision.Redeeming {
		return s.askConsent(t, id, next)
	}
	s.d.Metrics.SignedIn(string(id.IdP))
	s.d.Log.InfoContext(ctx, "guest signed in with a passcode", "tenant_id", t.ID, "user_id", u.ID)
	return res, nil
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
