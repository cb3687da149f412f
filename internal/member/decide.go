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

// CheckThrottle decides whether a password may be checked now, given the
// failures of the account and of the client address. After max failures in
// a window, sign-in is refused until that window ends (a *ThrottledError
// with the later end when both keys are over their limit); failures
// refused this way are not counted, so a lockout never outlasts its window.
func CheckThrottle(account, client Failures, now time.Time, l Limits) error {
	var retryAt time.Time
	for _, k := range []struct {
		f   Failures
		max int
	}{{account.live(now, l.Window), l.AccountFailures}, {client.live(now, l.Window), l.AddressFailures}} {
		if k.f.Count >= k.max {
			if end := k.f.WindowStart.Add(l.Window); end.After(retryAt) {
				retryAt = end
			}
		}
	}
	if !retryAt.IsZero() {
		return &ThrottledError{RetryAt: retryAt}
	}
	return nil
}

// CheckTenantThrottle decides whether a password may be checked now, given
// the failures of the whole tenant and of the client address (hasClient
// false when there is none). Past TenantFailures in a window, a client
// with a failure of its own in its live window waits until the earlier of
// the two windows ends; a client with a clean record is let through, so a
// spray from many addresses cannot keep the tenant's members out, and no
// refusal outlasts one window.
func CheckTenantThrottle(tenant, client Failures, hasClient bool, now time.Time, l Limits) error {
	if l.TenantFailures <= 0 {
		return nil
	}
	t := tenant.live(now, l.Window)
	if t.Count < l.TenantFailures {
		return nil
	}
	retryAt := t.WindowStart.Add(l.Window)
	if hasClient {
		c := client.live(now, l.Window)
		if c.Count == 0 {
			return nil
		}
		if end := c.WindowStart.Add(l.Window); end.Before(retryAt) {
			retryAt = end
		}
	}
	return &ThrottledError{RetryAt: retryAt}
}

// NeedsClear reports whether a successful sign-in must clear the account's
// failures: only when its window still counts some (a success otherwise
// writes nothing).
func NeedsClear(account Failures, now time.Time, l Limits) bool {
	return account.live(now, l.Window).Count > 0
}
