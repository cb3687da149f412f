package oidc_test

import (
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
)

// TestRevokeEndsTokens: once a user's access ends (revokeSignInSessions,
// disabling, deleting), the refresh token and the opaque access token of
// an earlier sign-in are refused, and a new sign-in works again.
func TestRevokeEndsTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		gp, err := gooidc.NewProvider(e.ctx, e.issuer(e.a))
		if err != nil {
			t.Fatal(err)
		}
		offline := flow{tenant: e.a, app: app, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}}
		before := e.signIn(t, offline)
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(before.token)); err != nil {
			t.Fatalf("userinfo before the revocation: %v", err)
		}
		other := e.signIn(t, flow{tenant: e.b, app: mustApp(t, e, e.b), user: e.guestB,
			scopes: []string{gooidc.ScopeOpenID, gooidc.ScopeOfflineAccess}})

		e.clock.Advance(time.Second)
		if err := directory.EndAccess(e.ctx, e.db, e.a.ID, e.guestA.ID, e.clock.Now()); err != nil {
			t.Fatalf("EndAccess: %v", err)
		}

		_, err = before.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: before.token.RefreshToken}).Token()
		if c := oauthErrorCode(t, err); c != "invalid_grant" {
			t.Fatalf("refresh after the revocation: %q, want invalid_grant", c)
		}
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(before.token)); err == nil {
			t.Fatal("userinfo accepted an access token from before the revocation")
		}
		if _, err := other.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: other.token.RefreshToken}).Token(); err != nil {
			t.Fatalf("another tenant's user lost its refresh token: %v", err)
		}

		e.clock.Advance(time.Second)
		after := e.signIn(t, offline)
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(after.token)); err != nil {
			t.Fatalf("userinfo after signing in again: %v", err)
		}
		if _, err := after.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: after.token.RefreshToken}).Token(); err != nil {
			t.Fatalf("refresh after signing in again: %v", err)
		}
	})
}

// TestRevokeBeforeCodeExchange: a code of a sign-in made before the user's
// access ended is refused at the exchange.
func TestRevokeBeforeCodeExchange(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		f := flow{tenant: e.a, app: app, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}}
		res, verifier := e.authorize(t, f)
		code := e.login(t, f, res)
		e.clock.Advance(time.Second)
		if err := directory.EndAccess(e.ctx, e.db, e.a.ID, e.guestA.ID, e.clock.Now()); err != nil {
			t.Fatalf("EndAccess: %v", err)
		}
		_, err := res.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
		if c := oauthErrorCode(t, err); c != "invalid_grant" {
			t.Fatalf("exchange of a code from before the revocation: %q, want invalid_grant", c)
		}
	})
}

func mustApp(t *testing.T, e *env, tn directory.Tenant) oidc.App {
	t.Helper()
	a, _ := e.createApp(tn, true)
	return a
}
