package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/store"
)

// fail renders the page for err. It is the only place that turns an error
// into a page: known errors get their explanation, anything else a generic
// 500 with the request id, the detail only in the log.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, tenantName string, err error) {
	l := lang(r)
	p := page{Lang: l, TenantName: tenantName}
	status := http.StatusBadRequest
	var (
		idpErr *signin.UnavailableError
		limErr *ratelimit.LimitedError
		naErr  *signin.NotAssignedError
	)
	if heading, text, st, ok := federationPage(l, tenantName, err); ok {
		h.deps.Log.InfoContext(r.Context(), "federated sign-in refused", "path", r.URL.Path, "err", err, "request_id", httpx.RequestID(r.Context()))
		status, p.Heading, p.Paragraphs = st, heading, []string{text}
		err = nil
	}
	switch {
	case err == nil:
	case errors.As(err, &limErr):
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(int(limErr.RetryAfter(h.deps.Clock.Now())/time.Second)))
		p.Heading, p.Paragraphs = i18n.T(l, "ratelimit.title"), []string{i18n.T(l, "ratelimit.explain", waitText(l, limErr.RetryAt.Sub(h.deps.Clock.Now())))}
	case errors.As(err, &naErr):
		// R16: the app's name, why, and whom to ask (the tenant's own
		// sign-in text, where branding has one, shows on every page).
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = notAssignedPage(l, tenantName, naErr.AppName)
	case errors.Is(err, signin.ErrNotInvited):
		// Said once the address is proved, before anything is created (R15).
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "unmanaged.notinvited.title"), []string{i18n.T(l, "unmanaged.notinvited.explain", tenantName)}
	case errors.Is(err, signin.ErrNotMember):
		// Said only after the person proved the address (a home tenant's
		// password); before that an unknown address is not told apart.
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "notmember.title"), []string{i18n.T(l, "notmember.explain_proved", tenantName)}
	case errors.Is(err, signin.ErrExpiredState), errors.Is(err, signin.ErrDecisionChanged), errors.Is(err, signin.ErrHomeSignInRequired):
		p.Heading, p.Paragraphs = i18n.T(l, "error.title"), []string{i18n.T(l, "signin.start_again")}
	case errors.Is(err, signin.ErrAccountDisabled), errors.Is(err, member.ErrDisabled):
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "account_disabled.title"), []string{i18n.T(l, "account_disabled.explain", tenantName)}
	case errors.Is(err, invitation.ErrUnknownTicket):
		status = http.StatusNotFound
		p.Heading, p.Paragraphs = i18n.T(l, "ticket.unknown_title"), []string{i18n.T(l, "ticket.unknown")}
	case errors.Is(err, invitation.ErrOTPDisabled):
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "disabled.title"), []string{i18n.T(l, "disabled.explain", tenantName)}
	case errors.As(err, &idpErr) && idpErr.OTPDisabled:
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "disabled.title"), []string{i18n.T(l, "disabled.explain_new", tenantName)}
	case errors.As(err, &idpErr):
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "idp_unavailable.title"), []string{i18n.T(l, "idp_unavailable.explain", tenantName, i18n.T(l, "idp.name."+string(idpErr.IdP)))}
	case errors.Is(err, invitation.ErrNoSignInMethod):
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "nomethod.title"), []string{i18n.T(l, "nomethod.explain", tenantName)}
	case errors.Is(err, errBadCSRF):
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "error.title"), []string{i18n.T(l, "error.csrf")}
	case errors.Is(err, signin.ErrUnknownAuthRequest):
		p.Heading, p.Paragraphs = i18n.T(l, "error.title"), []string{i18n.T(l, "signin.expired")}
	case errors.Is(err, errBadRequest):
		p.Heading, p.Paragraphs = i18n.T(l, "error.title"), []string{i18n.T(l, "error.bad_request")}
	case errors.Is(err, store.ErrUnavailable):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", "5")
		h.deps.Log.WarnContext(r.Context(), "page failed: database unavailable", "path", r.URL.Path, "err", err, "request_id", httpx.RequestID(r.Context()))
		p.Heading, p.Paragraphs = i18n.T(l, "error.title"), []string{i18n.T(l, "error.unavailable")}
	default:
		status = http.StatusInternalServerError
		h.deps.Log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err, "request_id", httpx.RequestID(r.Context()))
		p.Heading, p.Paragraphs = i18n.T(l, "error.title"), []string{i18n.T(l, "error.generic")}
	}
	p.Title = p.Heading
	p.RequestID = httpx.RequestID(r.Context())
	h.r.render(w, r, status, "message", p)
}

// Error answers a request the pages could not serve before reaching a page
// (the tenant could not be looked up) with fail's page: 503 with
// Retry-After while the database is unreachable, else a 500 with the
// request id, in the guest's language.
func (h *Handler) Error(w http.ResponseWriter, r *http.Request, err error) {
	h.fail(w, r, "", err)
}

// BadRequest answers a browser's malformed request (e.g. a NUL in an
// OpenID Connect parameter) with the localized 400 page.
func (h *Handler) BadRequest(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, tenantFrom(r.Context()).DisplayName, errBadRequest)
}

// notAssignedPage is the heading and text of a refusal by an app that
// requires assignment (AADSTS50105), naming the app when it is known.
func notAssignedPage(l, tenantName, appName string) (string, []string) {
	heading, explain := i18n.T(l, "assignment.refused.title_app"), i18n.T(l, "assignment.refused.explain_app", tenantName)
	if appName != "" {
		heading, explain = i18n.T(l, "assignment.refused.title", appName), i18n.T(l, "assignment.refused.explain", tenantName, appName)
	}
	return heading, []string{explain, i18n.T(l, "assignment.refused.ask", tenantName), i18n.T(l, "assignment.refused.code")}
}

var (
	errBadCSRF    = errors.New("missing or invalid CSRF token")
	errBadRequest = errors.New("bad request")
)

// passcodeError explains a refused code on the code page, and sets
// Retry-After when it is a throttle; ok is false for errors that are not
// about the code.
func (h *Handler) passcodeError(w http.ResponseWriter, r *http.Request, err error) (msg string, status int, ok bool) {
	msg, status, ok = passcodeMessage(lang(r), err, h.deps.SignIn.PasscodeValidity(), h.deps.Clock.Now())
	h.retryAfter(w, err)
	return msg, status, ok
}

// passwordError is passwordMessage, setting Retry-After for a throttle.
func (h *Handler) passwordError(w http.ResponseWriter, r *http.Request, err error) (msg string, status int, ok bool) {
	msg, status, ok = passwordMessage(lang(r), err, h.deps.Clock.Now())
	h.retryAfter(w, err)
	return msg, status, ok
}

// retryAfter sets Retry-After for a throttled or rate-limited step.
func (h *Handler) retryAfter(w http.ResponseWriter, err error) {
	var (
		ot *otp.ThrottledError
		mt *member.ThrottledError
		le *ratelimit.LimitedError
		at time.Time
	)
	switch {
	case errors.As(err, &le):
		at = le.RetryAt
	case errors.As(err, &ot):
		at = ot.RetryAt
	case errors.As(err, &mt):
		at = mt.RetryAt
	default:
		return
	}
	wait := (&ratelimit.LimitedError{RetryAt: at}).RetryAfter(h.deps.Clock.Now())
	w.Header().Set("Retry-After", strconv.Itoa(int(wait/time.Second)))
}

// passcodeMessage explains a refused code; ok is false for errors that
// are not about the code.
func passcodeMessage(l string, err error, validity time.Duration, now time.Time) (msg string, status int, ok bool) {
	var (
		te *otp.ThrottledError
		le *ratelimit.LimitedError
	)
	switch {
	case errors.As(err, &le):
		return i18n.T(l, "ratelimit.explain", waitText(l, le.RetryAt.Sub(now))), http.StatusTooManyRequests, true
	case errors.As(err, &te):
		key := "otp.throttled_resend"
		if te.Hourly {
			key = "otp.throttled_hourly"
		}
		return sentences(l, i18n.T(l, key, waitText(l, te.RetryAt.Sub(now))), i18n.T(l, "otp.throttled_use_last")), http.StatusTooManyRequests, true
	case errors.Is(err, otp.ErrWrongCode):
		return i18n.T(l, "otp.err_wrong"), http.StatusBadRequest, true
	case errors.Is(err, otp.ErrExpired):
		return i18n.T(l, "otp.err_expired", int(validity.Minutes())), http.StatusBadRequest, true
	case errors.Is(err, otp.ErrUsed):
		return i18n.T(l, "otp.err_used"), http.StatusBadRequest, true
	case errors.Is(err, otp.ErrTooManyAttempts):
		return i18n.T(l, "otp.err_too_many"), http.StatusBadRequest, true
	case errors.Is(err, otp.ErrNoCode):
		return i18n.T(l, "otp.err_no_code"), http.StatusBadRequest, true
	}
	return "", 0, false
}

// passwordMessage explains a refused password on the password page; ok is
// false for errors that are not about the password. A wrong password and
// an unknown account read the same (member.ErrWrongPassword).
func passwordMessage(l string, err error, now time.Time) (msg string, status int, ok bool) {
	var te *member.ThrottledError
	switch {
	case errors.As(err, &te):
		return i18n.T(l, "password.throttled", waitText(l, te.RetryAt.Sub(now))), http.StatusTooManyRequests, true
	case errors.Is(err, member.ErrWrongPassword):
		return i18n.T(l, "password.err_wrong"), http.StatusUnauthorized, true
	}
	return "", 0, false
}
