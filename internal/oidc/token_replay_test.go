package oidc_test

import (
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TestRefreshTokenReuseRevokesFamily (OAuth 2.0 Security BCP, refresh
// token rotation): a refresh token presented again after it was rotated
// revokes every token of its sign-in (the thief's and the client's), and
// the access tokens issued from it stop working at userinfo. Another
// sign-in of the same user is untouched.
func TestRefreshTokenReuseRevokesFamily(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		gp := e.goProvider(e.a)
		f := flow{tenant: e.a, app: app, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}}
		victim := e.signIn(t, f)
		bystander := e.signIn(t, f)

		stolen := victim.token.RefreshToken
		rotated, err := victim.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: stolen}).Token()
		if err != nil {
			t.Fatalf("first refresh: %v", err)
		}
		if rotated.RefreshToken == "" || rotated.RefreshToken == stolen {
			t.Fatal("the refresh token did not rotate")
		}
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(rotated)); err != nil {
			t.Fatalf("userinfo with the refreshed access token: %v", err)
		}

		// The rotated-away token comes back: refused, and the family dies.
		_, err = victim.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: stolen}).Token()
		if c := oauthErrorCode(t, err); c != "invalid_grant" {
			t.Fatalf("replayed refresh token: %q, want invalid_grant", c)
		}
		_, err = victim.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: rotated.RefreshToken}).Token()
		if c := oauthErrorCode(t, err); c != "invalid_grant" {
			t.Fatalf("the family's newest refresh token after the replay: %q, want invalid_grant", c)
		}
		for name, tok := range map[string]*oauth2.Token{"from the code": victim.token, "from the refresh": rotated} {
			if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(tok)); err == nil {
				t.Errorf("userinfo accepted the family's access token %s after the replay", name)
			}
		}

		// The user's other sign-in lives on.
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(bystander.token)); err != nil {
			t.Fatalf("userinfo of another sign-in: %v", err)
		}
		if _, err := bystander.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: bystander.token.RefreshToken}).Token(); err != nil {
			t.Fatalf("refresh of another sign-in: %v", err)
		}
	})
}

// TestCodeReplayRevokesTokens (RFC 6749 section 4.1.2): a code presented
// again after its redemption is refused and the tokens issued from it are
// revoked: the refresh token no longer refreshes and the access token no
// longer reads userinfo.
func TestCodeReplayRevokesTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		gp := e.goProvider(e.a)
		f := flow{tenant: e.a, app: app, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}}
		res, verifier := e.authorize(t, f)
		code := e.login(t, f, res)
		tok, err := res.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		bystander := e.signIn(t, f)
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(tok)); err != nil {
			t.Fatalf("userinfo before the replay: %v", err)
		}

		_, err = res.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
		if c := oauthErrorCode(t, err); c != "invalid_grant" {
			t.Fatalf("replayed code: %q, want invalid_grant", c)
		}
		_, err = res.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
		if c := oauthErrorCode(t, err); c != "invalid_grant" {
			t.Fatalf("refresh token of a replayed code: %q, want invalid_grant", c)
		}
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(tok)); err == nil {
			t.Fatal("userinfo accepted the access token of a replayed code")
		}
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(bystander.token)); err != nil {
			t.Fatalf("userinfo of another sign-in: %v", err)
		}
		if _, err := bystander.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: bystander.token.RefreshToken}).Token(); err != nil {
			t.Fatalf("refresh of another sign-in: %v", err)
		}
	})
}
