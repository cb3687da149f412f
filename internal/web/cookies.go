package web

import (
	"net/http"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

// sessionCookieName is per tenant: a browser holds one session per tenant.
func sessionCookieName(tenantID string) string { return "gg_session_" + tenantID }

func (h *Handler) setSessionCookie(w http.ResponseWriter, t directory.Tenant, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookieName(t.ID), Value: token, Path: "/",
		Expires: expires, HttpOnly: true, Secure: h.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func (h *Handler) clearSessionCookie(w http.ResponseWriter, t directory.Tenant) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookieName(t.ID), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: h.cfg.SecureCookies, SameSite: http.SameSiteLaxMode,
	})
}

func sessionToken(r *http.Request, t directory.Tenant) string {
	c, err := r.Cookie(sessionCookieName(t.ID))
	if err != nil {
		return ""
	}
	return c.Value
}
