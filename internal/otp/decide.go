package otp

import (
	"errors"
	"time"
)

// SendCounts are the counters a permitted send records: the requester's
// client network's and the address's.
type SendCounts struct {
	Client  Sends
	Address Sends
}

// CheckSend decides whether a code may be sent now to an address at a
// requester's request, given the sends to the address from the
// requester's client network (client) and from every client (address),
// as they were before this send. It returns the counters to record, or a
// *ThrottledError saying when to try again:
//
//   - R3, per client network: one send per ResendAfter and PerHour sends
//     in an hour window (opened by its first send);
//   - the address's budget (the mailbox's), AddressPerHour sends in its
//     hour window from all clients. Past it, only a client network without
//     a send of its own in its live window may send (one each), and one
//     with sends waits until the earlier of the two windows ends.
//
// So another client's sends never refuse a clean client (issue 20,
// finding 5), no refusal outlasts one window of the refused client's own,
// and mail to one address is bounded by the budget plus one send per
// distinct client network.
func CheckSend(client, address Sends, now time.Time, l Limits) (SendCounts, error) {
	if !client.LastAt.IsZero() {
		if next := client.LastAt.Add(l.ResendAfter); now.Before(next) {
			return SendCounts{}, &ThrottledError{RetryAt: next}
		}
	}
	c, a := client.live(now), address.live(now)
	if c.Count >= l.PerHour {
		return SendCounts{}, &ThrottledError{RetryAt: c.WindowStart.Add(SendWindow), Hourly: true}
	}
	if err := checkBudget(c, a, l); err != nil {
		return SendCounts{}, err
	}
	return SendCounts{Client: c.next(now), Address: a.next(now)}, nil
}

// CheckCounted re-checks the address's budget once the send was counted
// atomically (address includes this send): of concurrent sends from
// several clients that all read the budget below its limit, those past it
// whose client network is not clean are refused, as CheckSend would have.
func CheckCounted(client, address Sends, now time.Time, l Limits) error {
	a := address.live(now)
	a.Count-- // the budget before this send
	return checkBudget(client.live(now), a, l)
}

// checkBudget applies the address's budget to live counters.
func checkBudget(c, a Sends, l Limits) error {
	if a.Count < l.AddressPerHour || c.Count == 0 {
		return nil
	}
	retry := a.WindowStart.Add(SendWindow)
	if end := c.WindowStart.Add(SendWindow); end.Before(retry) {
		retry = end
	}
	return &ThrottledError{RetryAt: retry, Hourly: true, Address: true}
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

// State is what the enter-code page may offer a requester for an address:
// whether the requester's latest code can still be entered (Live), and if
// not why (Void, one of the refusal sentinels), how many wrong entries it
// still absorbs, and when a new code may be sent (zero: now).
type State struct {
	Live         bool
	Void         error
	AttemptsLeft int
	Attempts     int
	ResendAt     time.Time
}

// StateOf decides the State of the requester's code (exists false when
// none) at now, given the send counters CheckSend would be given. A void
// code offers only a new code; ResendAt is when CheckSend would let it.
func StateOf(c Code, exists bool, client, address Sends, now time.Time, l Limits) State {
	var st State
	if _, err := CheckSend(client, address, now, l); err != nil {
		var te *ThrottledError
		if errors.As(err, &te) {
			st.ResendAt = te.RetryAt
		}
	}
	if !exists {
		st.Void = ErrNoCode
		return st
	}
	st.Attempts = c.Attempts
	st.AttemptsLeft = max(l.MaxAttempts-c.Attempts, 0)
	st.Void = Check(c, true, now, l)
	st.Live = st.Void == nil
	return st
}
