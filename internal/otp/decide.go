package otp

import "time"

// SendWindow is the send accounting a new code carries forward.
type SendWindow struct {
	Start time.Time
	Count int
}

// CheckSend decides whether a new code may be sent now, given the current
// code row (exists false when none). It returns the send window the new code
// must record, or a *ThrottledError (R3: one send per ResendAfter, PerHour
// sends per hour window; the window opens at its first send).
func CheckSend(prev Code, exists bool, now time.Time, l Limits) (SendWindow, error) {
	if !exists {
		return SendWindow{Start: now, Count: 1}, nil
	}
	if next := prev.IssuedAt.Add(l.ResendAfter); now.Before(next) {
		return SendWindow{}, &ThrottledError{RetryAt: next}
	}
	windowEnd := prev.WindowStart.Add(time.Hour)
	if !now.Before(windowEnd) {
		return SendWindow{Start: now, Count: 1}, nil
	}
	if prev.WindowCount >= l.PerHour {
		return SendWindow{}, &ThrottledError{RetryAt: windowEnd, Hourly: true}
	}
	return SendWindow{Start: prev.WindowStart, Count: prev.WindowCount + 1}, nil
}

// Check decides whether a submitted code is accepted, given the stored code
// and whether the submitted code's hash matched it (compared in constant
// time by the caller). Order matters: a void, used or expired code is
// refused before the match is considered, so those pages say why.
func Check(c Code, match bool, now time.Time, l Limits) error {
	switch {
	case c.Attempts >= l.MaxAttempts:
		return ErrTooManyAttempts
	case !c.UsedAt.IsZero():
		return ErrUsed
	case !now.Before(c.IssuedAt.Add(l.Validity)):
		return ErrExpired
	case !match:
		return ErrWrongCode
	}
	return nil
}
