package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"time"
)

// The console shares the tenant's session cookie with the sign-in pages
// (web): a member signed in at the tenant is signed in here, and the
// console's sign-in starts the same session. Cookies are HttpOnly,
// SameSite=Lax, Path=/, and __Host- prefixed when Secure.

func cookieName(secure bool, base string) string {
	if secure {
		return "__Host-" + base
	}
	return base
}

func setCookie(w http.ResponseWriter, secure bool, base, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(secure, base), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
}

func readCookie(r *http.Request, secure bool, base string) string {
	c, err := r.Cookie(cookieName(secure, base))
	if err != nil {
		return ""
	}
	return c.Value
}

// sessionCookie is the tenant's session cookie (web's name).
func sessionCookie(tenantID string) string { return "gg_session_" + tenantID }

func (h *Handler) setSession(w http.ResponseWriter, tenantID, token string, expires time.Time) {
	setCookie(w, h.cfg.SecureCookies, sessionCookie(tenantID), token, max(1, int(expires.Sub(h.now()).Seconds())))
}

// csrfCookie holds a random per-browser value; the console's forms carry
// its HMAC under the console's key (signed double-submit).
const csrfCookie = "gg_console_csrf"

func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request) string {
	v := readCookie(r, h.cfg.SecureCookies, csrfCookie)
	if len(v) != 43 {
		var b [32]byte
		_, _ = rand.Read(b[:])
		v = base64.RawURLEncoding.EncodeToString(b[:])
		setCookie(w, h.cfg.SecureCookies, csrfCookie, v, 0)
		r.AddCookie(&http.Cookie{Name: cookieName(h.cfg.SecureCookies, csrfCookie), Value: v})
	}
	return h.csrfSign(v)
}

func (h *Handler) csrfSign(v string) string {
	m := hmac.New(sha256.New, h.cfg.CSRFKey)
	m.Write([]byte("console-csrf\x00" + v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfValid checks the posted form's token (multipart forms included).
func (h *Handler) csrfValid(r *http.Request) bool {
	v := readCookie(r, h.cfg.SecureCookies, csrfCookie)
	if v == "" {
		return false
	}
	return hmac.Equal([]byte(r.FormValue("csrf")), []byte(h.csrfSign(v)))
}
