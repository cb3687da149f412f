package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"github.com/guestgate/guestgate/internal/httpx"
	"net/http"
)

// csrfCookie holds a random per-browser value; forms carry an HMAC of it.
// A cross-site form cannot read the cookie, so it cannot produce the token
// (signed double-submit). http.CrossOriginProtection in front adds a
// Sec-Fetch-Site / Origin check.
const csrfCookie = "gg_csrf"

// cookie is the CSRF cookie's name (with __Host- when Secure).
func (c csrf) cookie() string { return httpx.CookieName(c.secure, csrfCookie) }

type csrf struct {
	key    []byte
	old    [][]byte // earlier secrets' keys: forms served before a rotation still post
	secure bool
}

// token returns the form token for the browser, setting its cookie if new.
func (c csrf) token(w http.ResponseWriter, r *http.Request) string {
	return c.sign(c.ensure(w, r))
}

// ensure returns the browser's cookie value, setting a new one if it has none.
func (c csrf) ensure(w http.ResponseWriter, r *http.Request) string {
	if ck, err := r.Cookie(c.cookie()); err == nil && len(ck.Value) == 43 {
		return ck.Value
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	v := base64.RawURLEncoding.EncodeToString(b[:])
	httpx.SetCookie(w, c.secure, csrfCookie, v, 0)
	// Later reads in this request see it, as the browser's next request will.
	r.AddCookie(&http.Cookie{Name: c.cookie(), Value: v})
	return v
}

func (c csrf) sign(v string) string { return signWith(c.key, v) }

func signWith(key []byte, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("csrf\x00" + v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// valid reports whether the submitted form carries the token for this browser.
func (c csrf) valid(r *http.Request) bool {
	ck, err := r.Cookie(c.cookie())
	if err != nil || ck.Value == "" {
		return false
	}
	got := []byte(r.PostFormValue("csrf"))
	ok := hmac.Equal(got, []byte(c.sign(ck.Value)))
	for _, k := range c.old {
		ok = hmac.Equal(got, []byte(signWith(k, ck.Value))) || ok
	}
	return ok
}

// browser returns the value only this browser holds (its CSRF cookie), to
// bind sealed sign-in state to it; "" when it has none yet.
func (c csrf) browser(r *http.Request) string {
	ck, err := r.Cookie(c.cookie())
	if err != nil {
		return ""
	}
	return ck.Value
}
