package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"github.com/guestgate/guestgate/internal/httpx"
	"net/http"
	"time"
)

// The console shares the tenant's session cookie with the sign-in pages
// (web): a member signed in at the tenant is signed in here, and the
// console's sign-in starts the same session. Its cookies follow httpx's
// rules (HttpOnly, SameSite=Lax, Path=/, __Host- when Secure).

func (h *Handler) setSession(w http.ResponseWriter, tenantID, token string, expires time.Time) {
	httpx.SetCookie(w, h.cfg.SecureCookies, httpx.SessionCookie(tenantID), token, max(1, int(expires.Sub(h.now()).Seconds())))
}

// csrfCookie holds a random per-browser value; the console's forms carry
// its HMAC under the console's key (signed double-submit).
const csrfCookie = "gg_console_csrf"

func (h *Handler) csrfToken(w http.ResponseWriter, r *http.Request) string {
	v := httpx.ReadCookie(r, h.cfg.SecureCookies, csrfCookie)
	if len(v) != 43 {
		var b [32]byte
		_, _ = rand.Read(b[:])
		v = base64.RawURLEncoding.EncodeToString(b[:])
		httpx.SetCookie(w, h.cfg.SecureCookies, csrfCookie, v, 0)
		r.AddCookie(&http.Cookie{Name: httpx.CookieName(h.cfg.SecureCookies, csrfCookie), Value: v})
	}
	return h.csrfSign(v)
}

func (h *Handler) csrfSign(v string) string {
	m := hmac.New(sha256.New, h.cfg.CSRFKey)
	m.Write([]byte("console-csrf\x00" + v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// csrfValid checks the token of the posted form's body (multipart forms
// included); a token in the query string does not count: it would sit in
// logs and in a Referer.
func (h *Handler) csrfValid(r *http.Request) bool {
	v := httpx.ReadCookie(r, h.cfg.SecureCookies, csrfCookie)
	if v == "" {
		return false
	}
	return hmac.Equal([]byte(r.PostFormValue("csrf")), []byte(h.csrfSign(v)))
}
