package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/otp"
)

// codeView is what the enter-code page offers: the code field only while
// the latest code can be entered (Live), else only Send a new code; the
// button waits (disabled, with the time in the guest's terms) until the
// resend window opens.
type codeView struct {
	Live bool
	// Sent: a code was sent by the request that led here (never on a page
	// that only shows an older code).
	Sent bool
	// Status explains a void code (not an error: the way on is below it).
	Status string
	// Attempts is the attempts-left line after a wrong entry.
	Attempts string
	Digits   int
	// Wait is "You can send a new code in 45 seconds"; WaitSeconds drives
	// the optional countdown.
	Wait, WaitTemplate, Ready string
	WaitSeconds               int
}

// codePageFlags are the one-shot facts a redirect to the code page carries
// (post/redirect/get): a code was just sent, or a wrong code was entered.
const (
	flagSent  = "sent"
	flagWrong = "wrong"
)

// codePage renders the enter-code page from the code's state: what works
// next, never "we just sent" when nothing was sent. errMsg is an error of
// the request that rendered it directly (a rate limit); flag one of the
// codePageFlags. formOrigins are the origins beyond the tenant's apps that
// the code's success may redirect to (an invitation's redirect URL).
func (h *Handler) codePage(w http.ResponseWriter, r *http.Request, status int, t directory.Tenant, st otp.State, address, action, resend string, hidden map[string]string, flag, errMsg string, formOrigins ...string) {
	l := lang(r)
	validity := h.deps.SignIn.PasscodeValidity()
	limits := h.deps.SignIn.PasscodeLimits()
	v := &codeView{Live: st.Live, Sent: flag == flagSent && st.Live, Digits: limits.Digits}
	if flag == flagWrong && st.Live {
		errMsg = i18n.T(l, "otp.err_wrong")
		if st.AttemptsLeft == 1 {
			v.Attempts = i18n.T(l, "otp.attempts_left_one")
		} else {
			v.Attempts = i18n.T(l, "otp.attempts_left", st.AttemptsLeft)
		}
	}
	if !st.Live {
		switch {
		case errors.Is(st.Void, otp.ErrTooManyAttempts):
			v.Status = i18n.T(l, "otp.err_too_many")
		case errors.Is(st.Void, otp.ErrUsed) && st.ResendAt.After(h.deps.Clock.Now()):
			// Signing in again right after a sign-in: the guest typed
			// nothing here; say what happened, not "already used".
			v.Status = i18n.T(l, "otp.used_moment_ago", address)
		case errors.Is(st.Void, otp.ErrUsed):
			v.Status = i18n.T(l, "otp.err_used")
		case errors.Is(st.Void, otp.ErrExpired):
			v.Status = i18n.T(l, "otp.err_expired", int(validity.Minutes()))
		default:
			v.Status = i18n.T(l, "otp.void_sign_in", address)
		}
	}
	if wait := st.ResendAt.Sub(h.deps.Clock.Now()); wait > 0 {
		v.Wait = i18n.T(l, "otp.resend_wait", waitText(l, wait))
		v.WaitTemplate = i18n.T(l, "otp.resend_wait", i18n.T(l, "time.in_seconds", 999))
		v.Ready = i18n.T(l, "otp.resend_ready")
		v.WaitSeconds = int((wait + time.Second - 1) / time.Second)
	}
	title := i18n.T(l, "otp.enter_code_title")
	if !st.Live {
		title = i18n.T(l, "otp.new_code_title")
	}
	h.r.render(w, r, status, "code", page{
		FormTenantID: t.ID, FormOrigins: formOrigins,
		Lang: l, Title: title, Heading: title, TenantName: t.DisplayName,
		CSRF: h.csrf.Token(w, r), Action: action, ResendAction: resend, Hidden: hidden,
		Address: address, ValidMinutes: int(validity.Minutes()), Error: errMsg, Code: v,
	})
}

// codeURL is the enter-code page's address with its one-shot flag.
func codeURL(base string, q url.Values, flag string) string {
	u := base + "?" + q.Encode()
	if flag != "" {
		u += "&f=" + flag
	}
	return u
}

// waitText says how long until d has passed in the guest's terms: "in 45
// seconds", "in 3 minutes" (rounded up), never a clock time.
func waitText(l string, d time.Duration) string {
	if s := int((d + time.Second - 1) / time.Second); s < 60 {
		if s <= 1 {
			return i18n.T(l, "time.in_one_second")
		}
		return i18n.T(l, "time.in_seconds", s)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return i18n.T(l, "time.in_one_minute")
	}
	return i18n.T(l, "time.in_minutes", m)
}
