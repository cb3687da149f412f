package oidc_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// setAlg sets an app's id_token_signed_response_alg and returns it as read back.
func (e *env) setAlg(a oidc.App, alg string) oidc.App {
	e.t.Helper()
	if err := e.p.SetAppIDTokenAlg(e.ctx, a.TenantID, a.AppID, alg); err != nil {
		e.t.Fatalf("SetAppIDTokenAlg(%s): %v", alg, err)
	}
	got, err := e.db.GetApp(e.ctx, a.TenantID, a.AppID)
	if err != nil || got.IDTokenSignedResponseAlg != alg {
		e.t.Fatalf("app after SetAppIDTokenAlg(%s): %q, %v", alg, got.IDTokenSignedResponseAlg, err)
	}
	return got
}

// jwksKey returns the tenant's published JWK with that key id.
func (e *env) jwksKey(t *testing.T, kid string) map[string]any {
	t.Helper()
	code, jwks := getJSON(t, e.publicURL+"/"+e.a.ID+"/discovery/v2.0/keys")
	if code != http.StatusOK {
		t.Fatalf("JWKS: status %d", code)
	}
	keys, _ := jwks["keys"].([]any)
	for _, k := range keys {
		if m, _ := k.(map[string]any); m["kid"] == kid {
			return m
		}
	}
	t.Fatalf("JWKS has no key %q", kid)
	return nil
}

// TestES256App: an app that registered id_token_signed_response_alg ES256
// gets ID tokens (from the code and from a refresh) and client-credentials
// JWTs signed ES256 by the published P-256 key, which go-oidc verifies
// from discovery and the JWKS alone; an RS256 app beside it is unchanged.
func TestES256App(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		rsApp, _ := e.createApp(e.a, true)
		if rsApp.IDTokenSignedResponseAlg != oidc.AlgRS256 {
			t.Fatalf("a new app's alg is %q, want RS256 (the default)", rsApp.IDTokenSignedResponseAlg)
		}
		pub, _ := e.createApp(e.a, true)
		ecApp := e.setAlg(pub, oidc.AlgES256)
		gp := e.goProvider(e.a)

		ec := e.signIn(t, flow{tenant: e.a, app: ecApp, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}})
		h := jwtHeader(t, ec.idToken)
		if h["alg"] != "ES256" {
			t.Fatalf("ES256 app's ID token alg %v", h["alg"])
		}
		kid, _ := h["kid"].(string)
		if k := e.jwksKey(t, kid); k["kty"] != "EC" || k["crv"] != "P-256" || k["alg"] != "ES256" || k["use"] != "sig" {
			t.Errorf("published key of the ES256 token: %v, want an EC P-256 signing key", k)
		}
		// go-oidc takes the algorithms from discovery and the key from the JWKS.
		idt, err := gp.Verifier(&gooidc.Config{ClientID: ecApp.AppID}).Verify(e.ctx, ec.idToken)
		if err != nil {
			t.Fatalf("go-oidc: ES256 ID token: %v", err)
		}
		if idt.Nonce != ec.nonce || idt.Subject == "" {
			t.Errorf("ES256 ID token: nonce %q subject %q", idt.Nonce, idt.Subject)
		}
		if err := idt.VerifyAccessToken(ec.token.AccessToken); err != nil {
			t.Errorf("at_hash of the ES256 ID token: %v", err)
		}
		// A verifier that accepts RS256 only refuses it: the alg is real.
		if _, err := gp.Verifier(&gooidc.Config{ClientID: ecApp.AppID, SupportedSigningAlgs: []string{gooidc.RS256}}).Verify(e.ctx, ec.idToken); err == nil {
			t.Error("an RS256-only verifier accepted the ES256 ID token")
		}

		// The refresh grant's new ID token is ES256 too; the refresh token is unchanged in kind.
		fresh, err := ec.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: ec.token.RefreshToken}).Token()
		if err != nil {
			t.Fatalf("refresh: %v", err)
		}
		rid, _ := fresh.Extra("id_token").(string)
		if jwtHeader(t, rid)["alg"] != "ES256" {
			t.Errorf("refreshed ID token alg %v, want ES256", jwtHeader(t, rid)["alg"])
		}
		if _, err := gp.Verifier(&gooidc.Config{ClientID: ecApp.AppID}).Verify(e.ctx, rid); err != nil {
			t.Errorf("go-oidc: refreshed ES256 ID token: %v", err)
		}
		// Userinfo is unchanged.
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(fresh)); err != nil {
			t.Errorf("userinfo for the ES256 app: %v", err)
		}

		// The RS256 app beside it is signed RS256, by the RSA key.
		rs := e.signIn(t, flow{tenant: e.a, app: rsApp, user: e.guestA})
		rh := jwtHeader(t, rs.idToken)
		if rh["alg"] != "RS256" || rh["kid"] == kid {
			t.Errorf("RS256 app's ID token header %v", rh)
		}
		if k := e.jwksKey(t, rh["kid"].(string)); k["kty"] != "RSA" {
			t.Errorf("RS256 key published as %v", k["kty"])
		}
		if _, err := gp.Verifier(&gooidc.Config{ClientID: rsApp.AppID}).Verify(e.ctx, rs.idToken); err != nil {
			t.Errorf("go-oidc: RS256 ID token: %v", err)
		}
	})
}

// TestES256ClientCredentials: a confidential ES256 app's client-credentials
// JWT is signed ES256 and the admin API accepts it; switching the app back
// to RS256 signs its next token RS256.
func TestES256ClientCredentials(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, secret := e.createApp(e.a, false, "User.Invite.All")
		app = e.setAlg(app, oidc.AlgES256)
		cc := e.ccConfig(e.a, app.AppID, secret, graphScope, oauth2.AuthStyleInHeader)
		tok, err := cc.Token(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if alg := jwtHeader(t, tok.AccessToken)["alg"]; alg != "ES256" {
			t.Fatalf("ES256 app's access token alg %v", alg)
		}
		got, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, tok.AccessToken)
		if err != nil || got.AppID != app.AppID {
			t.Fatalf("VerifyAccessToken(ES256) = %+v, %v", got, err)
		}
		e.setAlg(app, oidc.AlgRS256)
		tok, err = cc.Token(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if alg := jwtHeader(t, tok.AccessToken)["alg"]; alg != "RS256" {
			t.Fatalf("app set back to RS256: access token alg %v", alg)
		}
	})
}

// TestTokenAlgMustMatchKey: a token whose header names the EC key's id but
// another algorithm is refused, whatever it was signed with.
func TestTokenAlgMustMatchKey(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, secret := e.createApp(e.a, false, "User.Invite.All")
		app = e.setAlg(app, oidc.AlgES256)
		tok, err := e.ccConfig(e.a, app.AppID, secret, graphScope, oauth2.AuthStyleInHeader).Token(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		ecKid, _ := jwtHeader(t, tok.AccessToken)["kid"].(string)
		claims := jwtClaims(t, tok.AccessToken)
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: &jose.JSONWebKey{Key: other, KeyID: ecKid}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		payload, err := json.Marshal(claims)
		if err != nil {
			t.Fatal(err)
		}
		jws, err := signer.Sign(payload)
		if err != nil {
			t.Fatal(err)
		}
		forged, err := jws.CompactSerialize()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, forged); !errors.Is(err, oidc.ErrInvalidToken) {
			t.Fatalf("RS256 token naming the EC key: %v, want ErrInvalidToken", err)
		}
	})
}

// TestSetAppIDTokenAlgRefuses: only RS256 and ES256, only known apps.
func TestSetAppIDTokenAlgRefuses(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		for _, alg := range []string{"", "HS256", "none", "es256", "PS256"} {
			if err := e.p.SetAppIDTokenAlg(e.ctx, e.a.ID, app.AppID, alg); !errors.Is(err, oidc.ErrInvalidApp) {
				t.Errorf("alg %q: %v, want ErrInvalidApp", alg, err)
			}
		}
		if err := e.p.SetAppIDTokenAlg(e.ctx, e.a.ID, "00000000-0000-0000-0000-000000000000", oidc.AlgES256); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown app: %v, want ErrNotFound", err)
		}
		// Another tenant's app is not found either.
		if err := e.p.SetAppIDTokenAlg(e.ctx, e.b.ID, app.AppID, oidc.AlgES256); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another tenant's app: %v, want ErrNotFound", err)
		}
	})
}

// TestStartAddsECKey: a deployment from before ES256 (an RSA key only)
// gets a current P-256 key at its next start, and keeps its RSA key.
func TestStartAddsECKey(t *testing.T) {
	for _, eng := range testenv.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqlstore.Open(ctx, eng.DSN(t), sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			priv, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			der, _ := x509.MarshalPKCS8PrivateKey(priv)
			old := oidc.SigningKey{ID: "rsa-only", Algorithm: oidc.AlgRS256, PrivateDER: der, CreatedAt: time.Now().Add(-time.Hour)}
			if err := db.CreateSigningKey(ctx, old); err != nil {
				t.Fatal(err)
			}
			var key [32]byte
			key[0] = 9
			if _, err := oidc.NewProvider(oidc.Config{PublicURL: "https://login.example", CryptoKey: key},
				oidc.Deps{Apps: db, Keys: db, AuthRequests: db, Directory: db, Salts: db, Tx: db, Clock: clock.Real{},
					Sessions: &fakeSessions{}, Access: &fakeAccess{}, Assignments: &fakeAssignments{}}); err != nil {
				t.Fatal(err)
			}
			keys, err := db.ListSigningKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			current := map[string][]string{}
			for _, k := range keys {
				if k.RetiredAt.IsZero() {
					current[k.Algorithm] = append(current[k.Algorithm], k.ID)
				}
			}
			if len(current[oidc.AlgRS256]) != 1 || current[oidc.AlgRS256][0] != old.ID || len(current[oidc.AlgES256]) != 1 {
				t.Fatalf("current keys after the start %v, want the old RSA key and one new ES256 key", current)
			}
		})
	}
}
