package otp

import (
	"errors"
	"time"
)

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

// State is what the enter-code page may offer for an address: whether the
// latest code can still be entered (Live), and if not why (Void, one of the
// refusal sentinels), how many wrong entries it still absorbs, and when a
// new code may be sent (zero: now).
type State struct {
	Live         bool
	Void         error
	AttemptsLeft int
	Attempts     int
	ResendAt     time.Time
}

// StateOf decides the State of the address's code row (exists false when
// none) at now. A void code offers only a new code; ResendAt follows the
// same limits as CheckSend.
func StateOf(c Code, exists bool, now time.Time, l Limits) State {
	if !exists {
		return State{Void: ErrNoCode}
	}
	var st State
	if _, err := CheckSend(c, exists, now, l); err != nil {
		var te *ThrottledError
		if errors.As(err, &te) {
			st.ResendAt = te.RetryAt
		}
	}
	st.Attempts = c.Attempts
	st.AttemptsLeft = max(l.MaxAttempts-c.Attempts, 0)
	st.Void = Check(c, true, now, l)
	st.Live = st.Void == nil
	return st
}
