package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/otp"
)

// fail renders the page for err. It is the only place that turns an error
// into a page: known errors get their explanation, anything else a generic
// 500 with the request id, the detail only in the log.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, tenantName string, err error) {
	l := lang(r)
	p := page{Lang: l, TenantName: tenantName}
	status := http.StatusBadRequest
	var idpErr *idpUnavailableError
	switch {
	case errors.Is(err, invitation.ErrUnknownTicket):
		status = http.StatusNotFound
		p.Heading, p.Paragraphs = i18n.T(l, "ticket.unknown_title"), []string{i18n.T(l, "ticket.unknown")}
	case errors.Is(err, invitation.ErrOTPDisabled):
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "disabled.title"), []string{i18n.T(l, "disabled.explain", tenantName)}
	case errors.As(err, &idpErr):
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "idp_unavailable.title"), []string{i18n.T(l, "idp_unavailable.explain", tenantName, i18n.T(l, "idp.name."+string(idpErr.IdP)))}
	case errors.Is(err, invitation.ErrNoSignInMethod):
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "nomethod.title"), []string{i18n.T(l, "nomethod.explain", tenantName)}
	case errors.Is(err, errBadCSRF):
		status = http.StatusForbidden
		p.Heading, p.Paragraphs = i18n.T(l, "error.title"), []string{i18n.T(l, "error.csrf")}
	case errors.Is(err, ErrUnknownAuthRequest):
		p.Heading, p.Paragraphs = i18n.T(l, "error.title"), []string{i18n.T(l, "signin.expired")}
	case errors.Is(err, errBadRequest):
		p.Heading, p.Paragraphs = i18n.T(l, "error.title"), []string{i18n.T(l, "error.bad_request")}
	default:
		status = http.StatusInternalServerError
		h.deps.Log.ErrorContext(r.Context(), "page failed", "path", r.URL.Path, "err", err, "request_id", httpx.RequestID(r.Context()))
		p.Heading, p.Paragraphs = i18n.T(l, "error.title"), []string{i18n.T(l, "error.generic")}
	}
	p.Title = p.Heading
	p.RequestID = httpx.RequestID(r.Context())
	h.r.render(w, r, status, "message", p)
}

var (
	errBadCSRF    = errors.New("missing or invalid CSRF token")
	errBadRequest = errors.New("bad request")
)

// passcodeError explains a refused code on the code page; ok is false for
// errors that are not about the code.
func passcodeError(l string, err error, validity time.Duration) (msg string, status int, ok bool) {
	var te *otp.ThrottledError
	switch {
	case errors.As(err, &te):
		key := "otp.throttled_resend"
		if te.Hourly {
			key = "otp.throttled_hourly"
		}
		return i18n.T(l, key, te.RetryAt.UTC().Format("15:04:05")) + " " + i18n.T(l, "otp.throttled_use_last"), http.StatusTooManyRequests, true
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
