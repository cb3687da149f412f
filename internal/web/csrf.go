package web

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/csrf"
)

// csrfCookie holds a random per-browser value; forms carry an HMAC of it
// (internal/csrf's signed double-submit, under the label "csrf").
// http.CrossOriginProtection in front adds a Sec-Fetch-Site / Origin check.
const csrfCookie = "gg_csrf"

// newCSRF is the pages' CSRF guard: the current key and earlier secrets'.
func newCSRF(cfg Config) csrf.Guard {
	return csrf.New(csrfCookie, "csrf", cfg.SecureCookies, cfg.CSRFKey, cfg.OldCSRFKeys...)
}

// form wraps the handler of a posted form: without this browser's token in
// the body, the expired-form page answers and the handler never runs.
func (h *Handler) form(next http.HandlerFunc) http.HandlerFunc {
	return h.csrf.Require(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, tenantFrom(r.Context()).DisplayName, errBadCSRF)
	}, next)
}
