package signin

import (
	"context"
	"errors"
	"time"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/ratelimit"
)

// The passcode flow, written once: send, resend, verify, attempts (otp,
// R2 and R3), the client's and the tenant's limits (ratelimit), the
// sign-in log and the metrics. The passcode method (passcode.go) runs it
// for invitation redemption and sign-in; self-service sign-up (signup.go,
// the consumers directory) and app sign-up (appsignup.go) run it under a
// sign-up scope of their own (signUpAddress) with their own step after
// the proof.

// codeFlow is one use of the passcode flow.
type codeFlow struct {
	// tenant owns the code and the limits it counts against.
	tenant directory.Tenant
	// key is the otp's address of the code; to is where the mail goes.
	key, to string
	// attempt is who is recorded in the sign-in log on a refusal.
	attempt attempt
	// drop composes the mail but sends nothing, and records the attempt
	// as an unknown account instead (an address that is no user of the
	// tenant: docs/security.md, Enumeration).
	drop bool
}

// sendCode issues a new code (voiding the requesting browser's older
// ones, R3) and commits its mail to the outbox with it. Throttled sends
// are *otp.ThrottledError or *ratelimit.LimitedError, recorded as refusals.
func (s *Service) sendCode(ctx context.Context, f codeFlow, lang string) (otp.State, error) {
	t := f.tenant
	validity := s.d.OTP.Limits().Validity
	var st otp.State
	err := s.inTx(ctx, func(ctx context.Context) error {
		// The limits are read in the transaction that sends, which
		// saves a round trip; a refusal rolls it back, sending nothing.
		if err := s.checkLimit(ctx, s.d.Limits.Send, t); err != nil {
			return err
		}
		var err error
		st, err = s.issue(ctx, f, validity, lang)
		return err
	})
	var throttled *otp.ThrottledError
	switch {
	case err == nil && !f.drop:
		s.d.Metrics.Passcode(metrics.PasscodeSent)
	case errors.As(err, &throttled):
		s.d.Metrics.Passcode(metrics.PasscodeThrottled)
	}
	if err := s.refused(ctx, t, f.attempt, err); err != nil {
		return otp.State{}, err
	}
	return st, nil
}

// issue issues the code and commits its mail, joining the transaction in
// ctx; it returns the state the new code leaves (otp.Service.IssueState).
func (s *Service) issue(ctx context.Context, f codeFlow, validity time.Duration, lang string) (otp.State, error) {
	t := f.tenant
	return s.d.OTP.IssueState(ctx, t.ID, f.key, func(ctx context.Context, code string) error {
		msg, err := s.d.ComposePasscode(ctx, t, f.to, code, validity, lang)
		if err != nil {
			return err
		}
		if f.drop {
			err = s.logUnknown(ctx, t, f.to, f.attempt.app)
		} else {
			err = s.d.Outbox.EnqueueMail(ctx, msg)
		}
		if err != nil {
			return err
		}
		// Counted last, just before the commit: every send of the tenant
		// (and of the client network) counts on the same rows, whose lock
		// the count holds until the commit. Counted first, the lock was
		// held through the mail's composition and the outbox write too,
		// and concurrent sends queued behind it.
		return s.countLimit(ctx, s.d.Limits.Send, t)
	})
}

// inTx runs fn in a transaction when the service has a Transactor (tests
// may build it without one), else as it is.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.d.Tx == nil {
		return fn(ctx)
	}
	return s.d.Tx.InTx(ctx, fn)
}

// settled marks an error of a step after the proof that its caller
// answers itself: verifyCode returns it as it is, neither counted against
// the limits nor recorded.
type settled struct{ error }

func (e settled) Unwrap() error { return e.error }

// verifyCode checks code against the requesting browser's latest code
// and, in the transaction that uses it, runs after (the step the proof
// leads to: a session, a new account, nothing yet). A failure of after
// leaves the code unused. Refused codes count against the client's and
// the tenant's limits and are recorded; past the limits it is a
// *ratelimit.LimitedError.
func (s *Service) verifyCode(ctx context.Context, f codeFlow, code string, after func(ctx context.Context) error) error {
	return s.verifyCodeOf(ctx, func(context.Context) (codeFlow, error) { return f, nil }, code, after)
}

// verifyCodeOf is verifyCode for the flow flowOf makes first thing in the
// transaction that uses the code (from the route it reads there). An error
// of flowOf rolls the transaction back and is returned as it is: nothing
// was checked, so nothing is counted or recorded here.
func (s *Service) verifyCodeOf(ctx context.Context, flowOf func(ctx context.Context) (codeFlow, error), code string, after func(ctx context.Context) error) error {
	var (
		f            codeFlow
		wrong, early error
	)
	err := s.inTx(ctx, func(ctx context.Context) error {
		wrong, early = nil, nil
		var err error
		if f, err = flowOf(ctx); err != nil {
			early = err
			return err
		}
		// Read in the transaction that uses the code, as the send's are.
		if err := s.checkLimit(ctx, s.d.Limits.Verify, f.tenant); err != nil {
			return err
		}
		err = s.d.OTP.Verify(ctx, f.tenant.ID, f.key, code, after)
		if errors.Is(err, otp.ErrWrongCode) {
			wrong = err
			return nil // commit the wrong entry Verify recorded: it counts
		}
		return err
	})
	if early != nil {
		return early
	}
	t := f.tenant
	if err == nil {
		err = wrong
	}
	var own settled
	switch {
	case err == nil:
		s.d.Metrics.Passcode(metrics.PasscodeVerified)
		return nil
	case errors.As(err, &own):
		return own.error
	case codeRefused(err):
		s.d.Metrics.Passcode(metrics.PasscodeFailed)
	}
	a := f.attempt
	if _, _, ok := failureOf(err); ok && !errors.Is(err, assignment.ErrNotAssigned) {
		// A right code to an app the user is not assigned to (R16) is no
		// guess: it does not count against the limits of guessing.
		a.count = &s.d.Limits.Verify
	}
	return s.refused(ctx, t, a, err)
}

// codeState is what the enter-code page may offer now (otp.StateOf).
func (s *Service) codeState(ctx context.Context, f codeFlow) (otp.State, error) {
	return s.d.OTP.State(ctx, f.tenant.ID, f.key)
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
