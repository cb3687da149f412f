package member

import (
	_ "embed"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Password length bounds, in characters (runes).
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// minLocalPartInPassword is the shortest local part CheckPassword looks
// for inside a password; a shorter one ("jo") occurs in too many good
// passwords by chance.
const minLocalPartInPassword = 3

//go:embed common-passwords.txt
var commonPasswordList string

// commonPasswords holds the embedded list, lower-cased.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// CheckPassword decides whether password may be a new password of the
// member whose address (userPrincipalName or mail) is given: 12 to 256
// characters, not one of the embedded common passwords (any case), and not
// containing the address's local part (any case). A refusal is a
// *PasswordError whose Reason tells the person what to change.
func CheckPassword(password string, addresses ...string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLength:
		return &PasswordError{Reason: fmt.Sprintf("it has %d characters; use at least %d", n, MinPasswordLength)}
	case n > MaxPasswordLength:
		return &PasswordError{Reason: fmt.Sprintf("it has %d characters; use at most %d", n, MaxPasswordLength)}
	}
	lower := strings.ToLower(password)
	if commonPasswords[lower] {
		return &PasswordError{Reason: "it is one of the most commonly used passwords; choose one that is harder to guess"}
	}
	for _, addr := range addresses {
		local := strings.ToLower(addr)
		if at := strings.LastIndexByte(local, '@'); at >= 0 {
			local = local[:at]
		}
		if len(local) >= minLocalPartInPassword && strings.Contains(lower, local) {
			return &PasswordError{Reason: "it contains the user name of the address; choose one that does not"}
		}
	}
	return nil
}

// Failures is the wrong-password count of one throttle key (an account or
// a client address) in the fixed window that opened at WindowStart.
type Failures struct {
	WindowStart time.Time
	Count       int
}

// live returns f if its window is still open at now, else no failures: a
// window that ended counts nothing.
func (f Failures) live(now time.Time, window time.Duration) Failures {
	if f.Count == 0 || !now.Before(f.WindowStart.Add(window)) {
		return Failures{}
	}
	return f
}

// StaleBefore is when a window must have opened for it to have ended by
// now: a Failures row whose WindowStart is at or before it counts nothing,
// and the next failure opens a new window (Store.AddPasswordFailure).
func StaleBefore(now time.Time, l Limits) time.Time { return now.Add(-l.Window) }

// end is when f's window ends.
func (f Failures) end(window time.Duration) time.Time { return f.WindowStart.Add(window) }

// Counts are the wrong-password counters one attempt is checked against:
// the account's from the attempt's client network (Pair), the account's
// from every client (Account), the client network's for every account
// (Client) and the tenant's (Tenant). HasClient is false when the attempt
// has no client address (the CLI).
type Counts struct {
	Pair, Account, Client, Tenant Failures
	HasClient                     bool
}

// CheckThrottle decides whether a password may be checked now:
//
//   - a client network that entered Limits.AccountFailures wrong passwords
//     for the account, or Limits.AddressFailures for any accounts, in its
//     window waits until that window ends (the later end when both);
//   - past Limits.AccountCeiling for the account, or Limits.TenantFailures
//     for the tenant (failures from many networks), only a client network
//     without a failure of its own in its live window may try; one with
//     failures waits until the earlier of its own window and the
//     ceiling's ends (CheckCeiling).
//
// So another client's wrong passwords never refuse a clean client the
// right password (issue 20, finding 5). Refused attempts are not counted
// and windows never move, so no refusal outlasts one window of the
// refused client's own, however long an attacker repeats.
func CheckThrottle(c Counts, now time.Time, l Limits) error {
	var retryAt time.Time
	if p := c.Pair.live(now, l.Window); p.Count >= l.AccountFailures {
		retryAt = p.end(l.Window)
	}
	if cl := c.Client.live(now, l.Window); c.HasClient && cl.Count >= l.AddressFailures {
		if end := cl.end(l.Window); end.After(retryAt) {
			retryAt = end
		}
	}
	if !retryAt.IsZero() {
		return &ThrottledError{RetryAt: retryAt}
	}
	if err := CheckCeiling(c.Account, l.AccountCeiling, c.Client, c.HasClient, now, l); err != nil {
		return err
	}
	return CheckCeiling(c.Tenant, l.TenantFailures, c.Client, c.HasClient, now, l)
}

// CheckCeiling decides whether a password may be checked now, given the
// failures of a key shared by many clients (an account, the tenant), its
// ceiling (0: off) and the failures of the client network (hasClient false
// when there is none). Past the ceiling in a window, a client with a
// failure of its own in its live window waits until the earlier of the
// two windows ends; a client with a clean record is let through, so a
// spray from many addresses cannot keep anyone out, and no refusal
// outlasts one window.
func CheckCeiling(shared Failures, ceiling int, client Failures, hasClient bool, now time.Time, l Limits) error {
	if ceiling <= 0 {
		return nil
	}
	s := shared.live(now, l.Window)
	if s.Count < ceiling {
		return nil
	}
	retryAt := s.end(l.Window)
	if hasClient {
		c := client.live(now, l.Window)
		if c.Count == 0 {
			return nil
		}
		if end := c.end(l.Window); end.Before(retryAt) {
			retryAt = end
		}
	}
	return &ThrottledError{RetryAt: retryAt}
}

// CheckTenantThrottle is CheckCeiling for the tenant's failures and
// Limits.TenantFailures.
func CheckTenantThrottle(tenant, client Failures, hasClient bool, now time.Time, l Limits) error {
	return CheckCeiling(tenant, l.TenantFailures, client, hasClient, now, l)
}

// NeedsClear reports whether a successful sign-in must clear the
// failures of the account from the client network (Counts.Pair): only when
// its window still counts some (a success otherwise writes nothing). The
// account's failures from every client stay: the owner's success says
// nothing about the guesses from elsewhere.
func NeedsClear(pair Failures, now time.Time, l Limits) bool {
	return pair.live(now, l.Window).Count > 0
}
