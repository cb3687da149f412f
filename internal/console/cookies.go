package console

import (
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/csrf"
	"github.com/guestgate/guestgate/internal/httpx"
)

// The console shares the tenant's session cookie with the sign-in pages
// (web): a member signed in at the tenant is signed in here, and the
// console's sign-in starts the same session. Its cookies follow httpx's
// rules (HttpOnly, SameSite=Lax, Path=/, __Host- when Secure).

func (h *Handler) setSession(w http.ResponseWriter, tenantID, token string, expires time.Time) {
	httpx.SetCookie(w, h.cfg.SecureCookies, httpx.SessionCookie(tenantID), token, max(1, int(expires.Sub(h.now()).Seconds())))
}

// csrfCookie holds a random per-browser value; the console's forms carry
// its HMAC under the console's key and the label "console-csrf"
// (internal/csrf's signed double-submit, from the posted body only).
const csrfCookie = "gg_console_csrf"

// newCSRF is the console's CSRF guard: the current key and earlier
// secrets', so rotating the secret does not break open forms.
func newCSRF(cfg Config) csrf.Guard {
	return csrf.New(csrfCookie, "console-csrf", cfg.SecureCookies, cfg.CSRFKey, cfg.OldCSRFKeys...)
}
