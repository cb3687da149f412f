package demoapp

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// Cookie names. The app may share a host with guestgate (cookies ignore
// ports), so they are prefixed to stay clear of guestgate's own.
const (
	sessionCookie = "demoapp_session"
	flowCookie    = "demoapp_signin"
	// signedOutCookie marks a browser that signed out, so that the page the
	// provider sends it back to says so instead of starting a new sign-in.
	signedOutCookie = "demoapp_signedout"
)

// sessionLifetime bounds an app session; the demo keeps it short.
const sessionLifetime = 8 * time.Hour

// session is a signed-in guest as the app knows them.
type session struct {
	Claims  Claims
	IDToken string // the raw ID token, sent as id_token_hint at sign-out
	Expires time.Time
}

// sessions is the app's in-memory session table, keyed by a random cookie value.
type sessions struct {
	mu sync.Mutex
	m  map[string]session
}

func newSessions() *sessions { return &sessions{m: map[string]session{}} }

// create stores s and returns its key, dropping expired sessions on the way.
func (ss *sessions) create(s session, now time.Time) string {
	key := randomString()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for k, old := range ss.m {
		if now.After(old.Expires) {
			delete(ss.m, k)
		}
	}
	ss.m[key] = s
	return key
}

// lookup returns the live session for the request's cookie.
func (ss *sessions) lookup(r *http.Request, now time.Time) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[c.Value]
	if !ok || now.After(s.Expires) {
		return session{}, false
	}
	return s, true
}

// end removes the request's session, if any, and returns it.
func (ss *sessions) end(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[c.Value]
	delete(ss.m, c.Value)
	return s, ok
}

// setCookie sets an HttpOnly, SameSite=Lax cookie on the whole app; maxAge
// < 0 deletes it.
func setCookie(w http.ResponseWriter, name, value string, maxAge int, secure bool) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode,
	})
}

func randomString() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}
