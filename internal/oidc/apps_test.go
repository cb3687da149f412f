package oidc_test

import (
	"errors"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
)

// TestAppSecretRotation: an app holds several secrets during a rotation,
// each authenticates it; a removed secret stops at once; a public app has
// none to add.
func TestAppSecretRotation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, first := e.createApp(e.a, false, "User.Invite.All")
		e.clock.Advance(time.Second) // secrets list oldest first
		added, second, err := e.p.AddAppSecret(e.ctx, e.a.ID, app.AppID)
		if err != nil || second == "" || second == first || added.ID == "" || added.ID == app.AppID {
			t.Fatalf("AddAppSecret = %+v, %v", added, err)
		}
		for name, secret := range map[string]string{"first": first, "second": second} {
			if _, err := e.ccConfig(e.a, app.AppID, secret, graphScope, oauth2.AuthStyleInHeader).Token(e.ctx); err != nil {
				t.Fatalf("client credentials with the %s secret during the rotation: %v", name, err)
			}
		}
		list, err := e.p.AppSecrets(e.ctx, e.a.ID, app.AppID)
		if err != nil || len(list) != 2 || list[0].ID != app.AppID || list[1].ID != added.ID || list[0].Hash != nil {
			t.Fatalf("AppSecrets = %+v, %v", list, err)
		}

		if err := e.p.RemoveAppSecret(e.ctx, e.a.ID, app.AppID, app.AppID); err != nil {
			t.Fatalf("RemoveAppSecret: %v", err)
		}
		_, err = e.ccConfig(e.a, app.AppID, first, graphScope, oauth2.AuthStyleInHeader).Token(e.ctx)
		if c := oauthErrorCode(t, err); c != "invalid_client" {
			t.Fatalf("the removed secret: %q, want invalid_client", c)
		}
		if _, err := e.ccConfig(e.a, app.AppID, second, graphScope, oauth2.AuthStyleInHeader).Token(e.ctx); err != nil {
			t.Fatalf("the remaining secret: %v", err)
		}
		if err := e.p.RemoveAppSecret(e.ctx, e.a.ID, app.AppID, app.AppID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("removing it again = %v, want ErrNotFound", err)
		}
		// Removing the last secret leaves the app unable to authenticate, not public.
		if err := e.p.RemoveAppSecret(e.ctx, e.a.ID, app.AppID, added.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.ccConfig(e.a, app.AppID, second, graphScope, oauth2.AuthStyleInHeader).Token(e.ctx)
		if c := oauthErrorCode(t, err); c != "invalid_client" {
			t.Fatalf("an app without secrets: %q, want invalid_client", c)
		}

		pub, _ := e.createApp(e.a, true)
		if _, _, err := e.p.AddAppSecret(e.ctx, e.a.ID, pub.AppID); !errors.Is(err, oidc.ErrInvalidApp) {
			t.Fatalf("AddAppSecret on a public app = %v, want ErrInvalidApp", err)
		}
		if _, _, err := e.p.AddAppSecret(e.ctx, e.b.ID, app.AppID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("AddAppSecret on tenant A's app at tenant B = %v, want ErrNotFound", err)
		}
	})
}

// TestDeleteAppEndsItsTokens: deleting an app ends its tokens at once: its
// client-credentials JWT is refused by the admin API's verification, its
// users' refresh tokens and access tokens stop working.
func TestDeleteAppEndsItsTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, secret := e.createApp(e.a, false, "User.Invite.All")
		other, otherSecret := e.createApp(e.a, false, "User.Invite.All")
		gp := e.goProvider(e.a)
		cc, err := e.ccConfig(e.a, app.AppID, secret, graphScope, oauth2.AuthStyleInHeader).Token(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		otherCC, err := e.ccConfig(e.a, other.AppID, otherSecret, graphScope, oauth2.AuthStyleInHeader).Token(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		user := e.signIn(t, flow{tenant: e.a, app: app, secret: secret, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}})
		if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, cc.AccessToken); err != nil {
			t.Fatalf("VerifyAccessToken before the delete: %v", err)
		}

		if err := e.p.DeleteApp(e.ctx, e.a.ID, app.AppID); err != nil {
			t.Fatalf("DeleteApp: %v", err)
		}
		if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, cc.AccessToken); !errors.Is(err, oidc.ErrInvalidToken) {
			t.Fatalf("VerifyAccessToken of a deleted app's token = %v, want ErrInvalidToken", err)
		}
		if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, otherCC.AccessToken); err != nil {
			t.Fatalf("another app's token after the delete: %v", err)
		}
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(user.token)); err == nil {
			t.Fatal("userinfo accepted an access token of a deleted app")
		}
		if _, err := user.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: user.token.RefreshToken}).Token(); err == nil {
			t.Fatal("a deleted app's refresh token still refreshes")
		}
		if _, err := e.ccConfig(e.a, app.AppID, secret, graphScope, oauth2.AuthStyleInHeader).Token(e.ctx); err == nil {
			t.Fatal("a deleted app still gets tokens")
		}
		if err := e.p.DeleteApp(e.ctx, e.a.ID, app.AppID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleting it again = %v, want ErrNotFound", err)
		}
	})
}
