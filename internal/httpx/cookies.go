package httpx

import "net/http"

// Every cookie guestgate sets is HttpOnly, SameSite=Lax and Path=/. With
// Secure cookies (any https deployment) its name carries the __Host-
// prefix, so a browser refuses one set over plain http, by another host,
// or with a Domain: a neighbouring subdomain cannot plant a session or a
// CSRF cookie. The sign-in pages and the console share these rules and
// the tenant's session cookie.

// CookieName is base with the __Host- prefix when cookies are Secure.
func CookieName(secure bool, base string) string {
	if secure {
		return "__Host-" + base
	}
	return base
}

// SetCookie sets (maxAge > 0, or 0 for a browser-session cookie) or
// deletes (maxAge < 0) a cookie by these rules.
func SetCookie(w http.ResponseWriter, secure bool, base, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName(secure, base), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
}

// ReadCookie returns the value of a cookie set by these rules, or "".
func ReadCookie(r *http.Request, secure bool, base string) string {
	c, err := r.Cookie(CookieName(secure, base))
	if err != nil {
		return ""
	}
	return c.Value
}

// SessionCookie is the base name of a tenant's session cookie: a browser
// holds one session per tenant.
func SessionCookie(tenantID string) string { return "gg_session_" + tenantID }
