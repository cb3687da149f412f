package web

import (
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

// Every cookie of the pages is HttpOnly, SameSite=Lax and Path=/. With
// Secure cookies (any https deployment) its name carries the __Host-
// prefix, so a browser refuses one set over plain http, by another host,
// or with a Domain: a neighbouring subdomain cannot plant a session or a
// CSRF cookie.

// cookieName prefixes __Host- to base when cookies are Secure.
func cookieName(secure bool, base string) string {
	if secure {
		return "__Host-" + base
	}
	return base
}

// setCookie sets (maxAge > 0), or deletes (maxAge < 0), a cookie of the pages.
func setCookie(w http.ResponseWriter, secure bool, base, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(secure, base), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
}

// readCookie returns a cookie of the pages, or "".
func readCookie(r *http.Request, secure bool, base string) string {
	c, err := r.Cookie(cookieName(secure, base))
	if err != nil {
		return ""
	}
	return c.Value
}

// sessionCookie is per tenant: a browser holds one session per tenant.
func sessionCookie(tenantID string) string { return "gg_session_" + tenantID }

// maxAgeUntil is a cookie's Max-Age for an expiry, at least one second:
// relative, so a skewed browser clock cannot drop it early.
func (h *Handler) maxAgeUntil(expires time.Time) int {
	return max(1, int(expires.Sub(h.deps.Clock.Now()).Seconds()))
}

func (h *Handler) setSessionCookie(w http.ResponseWriter, t directory.Tenant, token string, expires time.Time) {
	setCookie(w, h.cfg.SecureCookies, sessionCookie(t.ID), token, h.maxAgeUntil(expires))
}

func (h *Handler) clearSessionCookie(w http.ResponseWriter, t directory.Tenant) {
	setCookie(w, h.cfg.SecureCookies, sessionCookie(t.ID), "", -1)
}

// sessionToken is the browser's session cookie for a tenant, or "".
func (h *Handler) sessionToken(r *http.Request, tenantID string) string {
	return readCookie(r, h.cfg.SecureCookies, sessionCookie(tenantID))
}
