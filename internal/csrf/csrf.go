// Package csrf is the one CSRF check of guestgate's forms (the sign-in
// pages and the console): a signed double-submit token. A random
// per-browser value sits in an HttpOnly cookie; each form carries its
// HMAC under a key derived from the deployment's secret. A cross-site
// form can neither read the cookie nor compute the HMAC, so it cannot
// produce the token. The token counts only from the posted body (a
// token in the query string would sit in logs and in a Referer), and a
// token signed with a previous secret still counts, so rotating the
// secret does not break forms a browser already holds.
package csrf

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/guestgate/guestgate/internal/httpx"
)

// Field is the name of the form field that carries the token.
const Field = "csrf"

// valueLen is the length of a cookie value: 32 random bytes, base64url.
const valueLen = 43

// Guard checks one surface's forms. The zero value is not usable; build
// one with New.
type Guard struct {
	cookie string   // the cookie's base name (httpx adds __Host- when Secure)
	label  string   // separates this surface's tokens from another's
	keys   [][]byte // the current key first, then earlier secrets' keys
	secure bool
}

// New is a guard whose cookie is named cookie, whose tokens are HMACs of
// label and the cookie value under key, and which also accepts tokens
// under the old keys (those of earlier secrets).
func New(cookie, label string, secure bool, key []byte, old ...[]byte) Guard {
	return Guard{cookie: cookie, label: label, keys: append([][]byte{key}, old...), secure: secure}
}

// Token returns the form token for the browser, setting its cookie if new.
func (g Guard) Token(w http.ResponseWriter, r *http.Request) string {
	return g.Sign(g.Ensure(w, r))
}

// Ensure returns the browser's cookie value, setting a new one if it has none.
func (g Guard) Ensure(w http.ResponseWriter, r *http.Request) string {
	if v := httpx.ReadCookie(r, g.secure, g.cookie); len(v) == valueLen {
		return v
	}
	var b [32]byte
	_, _ = rand.Read(b[:])
	v := base64.RawURLEncoding.EncodeToString(b[:])
	httpx.SetCookie(w, g.secure, g.cookie, v, 0)
	// Later reads in this request see it, as the browser's next request will.
	r.AddCookie(&http.Cookie{Name: httpx.CookieName(g.secure, g.cookie), Value: v})
	return v
}

// Browser returns the value only this browser holds (its cookie), to bind
// sealed state to it; "" when it has none yet.
func (g Guard) Browser(r *http.Request) string { return httpx.ReadCookie(r, g.secure, g.cookie) }

// Sign is the token of cookie value v under the current key.
func (g Guard) Sign(v string) string { return Sign(g.keys[0], g.label, v) }

// Sign is the token of cookie value v under key, for a guard labelled label.
func Sign(key []byte, label, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label + "\x00" + v))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Valid reports whether the posted form's body (URL-encoded or multipart)
// carries this browser's token under the current or an earlier key.
func (g Guard) Valid(r *http.Request) bool {
	v := g.Browser(r)
	if v == "" {
		return false
	}
	got := []byte(r.PostFormValue(Field))
	ok := false
	for _, k := range g.keys {
		ok = hmac.Equal(got, []byte(Sign(k, g.label, v))) || ok
	}
	return ok
}

// Require wraps a form's handler: a post without a valid token gets
// refuse, and next never runs.
func (g Guard) Require(refuse, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !g.Valid(r) {
			refuse(w, r)
			return
		}
		next(w, r)
	}
}
