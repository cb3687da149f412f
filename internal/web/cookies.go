package web

import (
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
)

// The pages' cookies follow httpx's rules (HttpOnly, SameSite=Lax, Path=/,
// __Host- when Secure) and share the tenant's session cookie with the console.

// maxAgeUntil is a cookie's Max-Age for an expiry, at least one second:
// relative, so a skewed browser clock cannot drop it early.
func (h *Handler) maxAgeUntil(expires time.Time) int {
	return max(1, int(expires.Sub(h.deps.Clock.Now()).Seconds()))
}

func (h *Handler) setSessionCookie(w http.ResponseWriter, t directory.Tenant, token string, expires time.Time) {
	httpx.SetCookie(w, h.cfg.SecureCookies, httpx.SessionCookie(t.ID), token, h.maxAgeUntil(expires))
}

func (h *Handler) clearSessionCookie(w http.ResponseWriter, t directory.Tenant) {
	httpx.SetCookie(w, h.cfg.SecureCookies, httpx.SessionCookie(t.ID), "", -1)
}

// sessionToken is the browser's session cookie for a tenant, or "".
func (h *Handler) sessionToken(r *http.Request, tenantID string) string {
	return httpx.ReadCookie(r, h.cfg.SecureCookies, httpx.SessionCookie(tenantID))
}
