package e2etest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// RelyingParty is an app that signs guests in with go-oidc and x/oauth2,
// independent libraries, as real Go apps do. Its redirect URI is never
// served: tests read the code from the redirect.
type RelyingParty struct {
	T        *testing.T
	In       *Instance
	Tenant   directory.Tenant
	Provider *gooidc.Provider
	OAuth    oauth2.Config
	// Consents counts the Review permissions pages the guest accepted.
	Consents int
}

// RPRedirect is the relying party's registered redirect URI.
const RPRedirect = "https://rp.fabrikam.example/callback"

// NewRelyingParty registers the app in tn and discovers guestgate's
// OpenID configuration for it.
func NewRelyingParty(t *testing.T, in *Instance, tn directory.Tenant) *RelyingParty {
	t.Helper()
	app, secret, err := in.Srv.CreateApp(context.Background(), tn.ID, "Wiki", nil, []string{RPRedirect}, []string{"https://rp.fabrikam.example/"}, false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := gooidc.NewProvider(context.Background(), in.URL+"/"+tn.ID+"/v2.0")
	if err != nil {
		t.Fatalf("go-oidc discovery: %v", err)
	}
	return &RelyingParty{T: t, In: in, Tenant: tn, Provider: p, OAuth: oauth2.Config{
		ClientID: app.AppID, ClientSecret: secret, RedirectURL: RPRedirect, Endpoint: p.Endpoint(),
		Scopes: []string{gooidc.ScopeOpenID, "profile", "email"},
	}}
}

// AuthFlow is one authorization request in flight.
type AuthFlow struct {
	State, nonce, verifier string
	URL                    string
}

// Begin starts an authorization request (PKCE, nonce), with extra options.
func (rp *RelyingParty) Begin(extra ...oauth2.AuthCodeOption) AuthFlow {
	f := AuthFlow{State: random(), nonce: random(), verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{gooidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier)}, extra...)
	f.URL = rp.OAuth.AuthCodeURL(f.State, opts...)
	return f
}

// Follow follows redirects within guestgate until the browser leaves it
// (for the RP's redirect URI) or a page is shown.
func (b *Browser) Follow(in *Instance, p Page) Page {
	b.T.Helper()
	for i := 0; i < 10 && p.Status >= 300 && p.Status < 400; i++ {
		loc := p.Location
		if strings.HasPrefix(loc, "/") {
			loc = in.URL + loc
		}
		if !strings.HasPrefix(loc, in.URL) {
			return p
		}
		p = b.Get(loc)
	}
	return p
}

// SignIn runs the pages: address, Send code, the mailed code. It returns
// the redirect to the RP.
func (rp *RelyingParty) SignIn(b *Browser, f AuthFlow, addr string) Page {
	rp.T.Helper()
	login := b.Follow(rp.In, b.Get(f.URL))
	if login.Status != http.StatusOK || !strings.Contains(login.Body, `id="email"`) {
		rp.T.Fatalf("authorize did not reach the sign-in page: %d\n%s", login.Status, login.Body)
	}
	base := rp.In.URL
	tid := "/" + rp.Tenant.ID
	next := b.Submit(base, login, tid+"/login/next", map[string]string{"email": addr})
	if !strings.Contains(next.Body, `id="send-code"`) {
		rp.T.Fatalf("after the address, want the Send code page: %d\n%s", next.Status, next.Body)
	}
	before := len(rp.In.Mail.Messages())
	code := b.Submit(base, next, tid+"/login/send", nil)
	if code.Status != http.StatusOK || !strings.Contains(code.Body, `id="code"`) {
		rp.T.Fatalf("Send code = %d\n%s", code.Status, code.Body)
	}
	msgs := rp.In.Mail.WaitCount(rp.T, before+1, func(mailtest.Received) bool { return true })
	pc := Passcode(rp.T, msgs[len(msgs)-1])
	done := b.Submit(base, code, tid+"/login/verify", map[string]string{"code": pc})
	if strings.HasSuffix(done.Location, "/consent") {
		rp.Consents++
		done = rp.In.ConsentStep(b, done, rp.Tenant)
	}
	return b.Follow(rp.In, done)
}

// Finish checks the redirect to the RP, exchanges the code and verifies
// the ID token with go-oidc against the JWKS.
func (rp *RelyingParty) Finish(f AuthFlow, redirect Page) (*gooidc.IDToken, *oauth2.Token) {
	rp.T.Helper()
	u, err := url.Parse(redirect.Location)
	if err != nil || !strings.HasPrefix(redirect.Location, RPRedirect) {
		rp.T.Fatalf("want a redirect to the RP, got %d %q\n%s", redirect.Status, redirect.Location, redirect.Body)
	}
	if got := u.Query().Get("state"); got != f.State {
		rp.T.Fatalf("state = %q, want %q", got, f.State)
	}
	tok, err := rp.OAuth.Exchange(context.Background(), u.Query().Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		rp.T.Fatalf("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := rp.Provider.Verifier(&gooidc.Config{ClientID: rp.OAuth.ClientID}).Verify(context.Background(), raw)
	if err != nil {
		rp.T.Fatalf("verify ID token: %v", err)
	}
	if idt.Nonce != f.nonce {
		rp.T.Fatalf("nonce = %q, want %q", idt.Nonce, f.nonce)
	}
	return idt, tok
}

func random() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
