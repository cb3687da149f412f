package e2e

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

// relyingParty is an app that signs guests in with go-oidc and x/oauth2,
// independent libraries, as real Go apps do. Its redirect URI is never
// served: tests read the code from the redirect.
type relyingParty struct {
	t        *testing.T
	in       *instance
	tenant   directory.Tenant
	provider *gooidc.Provider
	oauth    oauth2.Config
	// consents counts the Review permissions pages the guest accepted.
	consents int
}

const rpRedirect = "https://rp.fabrikam.example/callback"

func newRelyingParty(t *testing.T, in *instance, tn directory.Tenant) *relyingParty {
	t.Helper()
	app, secret, err := in.srv.CreateApp(context.Background(), tn.ID, "Wiki", nil, []string{rpRedirect}, []string{"https://rp.fabrikam.example/"}, false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := gooidc.NewProvider(context.Background(), in.URL+"/"+tn.ID+"/v2.0")
	if err != nil {
		t.Fatalf("go-oidc discovery: %v", err)
	}
	return &relyingParty{t: t, in: in, tenant: tn, provider: p, oauth: oauth2.Config{
		ClientID: app.AppID, ClientSecret: secret, RedirectURL: rpRedirect, Endpoint: p.Endpoint(),
		Scopes: []string{gooidc.ScopeOpenID, "profile", "email"},
	}}
}

// authFlow is one authorization request in flight.
type authFlow struct {
	state, nonce, verifier string
	url                    string
}

func (rp *relyingParty) begin(extra ...oauth2.AuthCodeOption) authFlow {
	f := authFlow{state: random(), nonce: random(), verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{gooidc.Nonce(f.nonce), oauth2.S256ChallengeOption(f.verifier)}, extra...)
	f.url = rp.oauth.AuthCodeURL(f.state, opts...)
	return f
}

// follow follows redirects within guestgate until the browser leaves it
// (for the RP's redirect URI) or a page is shown.
func (b *browser) follow(in *instance, p page) page {
	b.t.Helper()
	for i := 0; i < 10 && p.Status >= 300 && p.Status < 400; i++ {
		loc := p.Location
		if strings.HasPrefix(loc, "/") {
			loc = in.URL + loc
		}
		if !strings.HasPrefix(loc, in.URL) {
			return p
		}
		p = b.get(loc)
	}
	return p
}

// signIn runs the pages: address, Send code, the mailed code. It returns
// the redirect to the RP.
func (rp *relyingParty) signIn(b *browser, f authFlow, addr string) page {
	rp.t.Helper()
	login := b.follow(rp.in, b.get(f.url))
	if login.Status != http.StatusOK || !strings.Contains(login.Body, `id="email"`) {
		rp.t.Fatalf("authorize did not reach the sign-in page: %d\n%s", login.Status, login.Body)
	}
	base := rp.in.URL
	tid := "/" + rp.tenant.ID
	next := b.submit(base, login, tid+"/login/next", map[string]string{"email": addr})
	if !strings.Contains(next.Body, `id="send-code"`) {
		rp.t.Fatalf("after the address, want the Send code page: %d\n%s", next.Status, next.Body)
	}
	before := len(rp.in.Mail.Messages())
	code := b.submit(base, next, tid+"/login/send", nil)
	if code.Status != http.StatusOK || !strings.Contains(code.Body, `id="code"`) {
		rp.t.Fatalf("Send code = %d\n%s", code.Status, code.Body)
	}
	msgs := rp.in.Mail.WaitCount(rp.t, before+1, func(mailtest.Received) bool { return true })
	pc := passcode(rp.t, msgs[len(msgs)-1])
	done := b.submit(base, code, tid+"/login/verify", map[string]string{"code": pc})
	if strings.HasSuffix(done.Location, "/consent") {
		rp.consents++
		done = rp.in.consentStep(b, done, rp.tenant)
	}
	return b.follow(rp.in, done)
}

// finish checks the redirect to the RP, exchanges the code and verifies
// the ID token with go-oidc against the JWKS.
func (rp *relyingParty) finish(f authFlow, redirect page) (*gooidc.IDToken, *oauth2.Token) {
	rp.t.Helper()
	u, err := url.Parse(redirect.Location)
	if err != nil || !strings.HasPrefix(redirect.Location, rpRedirect) {
		rp.t.Fatalf("want a redirect to the RP, got %d %q\n%s", redirect.Status, redirect.Location, redirect.Body)
	}
	if got := u.Query().Get("state"); got != f.state {
		rp.t.Fatalf("state = %q, want %q", got, f.state)
	}
	tok, err := rp.oauth.Exchange(context.Background(), u.Query().Get("code"), oauth2.VerifierOption(f.verifier))
	if err != nil {
		rp.t.Fatalf("code exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := rp.provider.Verifier(&gooidc.Config{ClientID: rp.oauth.ClientID}).Verify(context.Background(), raw)
	if err != nil {
		rp.t.Fatalf("verify ID token: %v", err)
	}
	if idt.Nonce != f.nonce {
		rp.t.Fatalf("nonce = %q, want %q", idt.Nonce, f.nonce)
	}
	return idt, tok
}

func random() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
