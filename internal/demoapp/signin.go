package demoapp

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// flowLifetime bounds a sign-in in flight (the flow cookie's Max-Age), in seconds.
const flowLifetime = 15 * 60

// flow is one authorization request in flight, kept in the flow cookie.
type flow struct{ state, nonce, verifier string }

func (f flow) encode() string { return f.state + "." + f.nonce + "." + f.verifier }

func decodeFlow(v string) (flow, bool) {
	p := strings.Split(v, ".")
	if len(p) != 3 || p[0] == "" || p[1] == "" || p[2] == "" {
		return flow{}, false
	}
	return flow{state: p[0], nonce: p[1], verifier: p[2]}, true
}

// startSignIn sends the browser to the provider's authorize endpoint:
// authorization code with PKCE S256, a fresh state and nonce.
func (a *app) startSignIn(w http.ResponseWriter, r *http.Request) {
	p, err := a.discovery.get(r.Context())
	if err != nil {
		a.fail(w, http.StatusServiceUnavailable, "The sign-in service can't be reached", err)
		return
	}
	f := flow{state: randomString(), nonce: randomString(), verifier: oauth2.GenerateVerifier()}
	setCookie(w, flowCookie, f.encode(), flowLifetime, a.secure)
	http.Redirect(w, r, p.oauth.AuthCodeURL(f.state, gooidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier)), http.StatusFound)
}

// errSignInExpired: the callback came without the flow cookie (too late,
// or the sign-in started in another browser).
var errSignInExpired = errors.New("this sign-in has expired or was started in another browser")

// callback finishes a sign-in: it checks state, exchanges the code (with
// the PKCE verifier), verifies the ID token (issuer, audience, signature,
// expiry, nonce) and starts the app session.
func (a *app) callback(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(flowCookie)
	f, ok := flow{}, err == nil
	if ok {
		f, ok = decodeFlow(c.Value)
	}
	setCookie(w, flowCookie, "", -1, a.secure)
	q := r.URL.Query()
	switch {
	case !ok:
		a.fail(w, http.StatusBadRequest, "Sign-in expired", errSignInExpired)
		return
	case subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(f.state)) != 1:
		a.fail(w, http.StatusBadRequest, "Sign-in failed", errors.New("the state returned by the sign-in service does not match this browser's sign-in"))
		return
	case q.Get("error") != "":
		a.fail(w, http.StatusForbidden, "Sign-in failed", fmt.Errorf("the sign-in service answered %s: %s", q.Get("error"), q.Get("error_description")))
		return
	}
	s, err := a.redeemCode(r, f, q.Get("code"))
	if err != nil {
		a.fail(w, http.StatusBadGateway, "Sign-in failed", err)
		return
	}
	setCookie(w, sessionCookie, a.sessions.create(s, a.now()), int(sessionLifetime.Seconds()), a.secure)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// redeemCode exchanges the code and verifies the ID token it brings.
func (a *app) redeemCode(r *http.Request, f flow, code string) (session, error) {
	p, err := a.discovery.get(r.Context())
	if err != nil {
		return session{}, err
	}
	ctx := gooidc.ClientContext(r.Context(), a.cfg.HTTPClient) // also oauth2.HTTPClient
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.verifier))
	if err != nil {
		return session{}, fmt.Errorf("exchange code: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return session{}, errors.New("exchange code: the token response has no id_token")
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return session{}, fmt.Errorf("verify ID token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.nonce)) != 1 {
		return session{}, errors.New("verify ID token: nonce does not match this sign-in")
	}
	claims, err := claimsOf(idt)
	if err != nil {
		return session{}, err
	}
	expires := a.now().Add(sessionLifetime)
	return session{Claims: claims, IDToken: raw, Expires: expires}, nil
}
