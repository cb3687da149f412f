package oidc_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"slices"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/oidc"
)

// rotateSecret plays a restart with a new secret first and the old one
// second in the list.
func (e *env) rotateSecret(t *testing.T) {
	t.Helper()
	e.oldKeys = append([][32]byte{e.key}, e.oldKeys...)
	if _, err := rand.Read(e.key[:]); err != nil {
		t.Fatal(err)
	}
	e.p = e.newProvider()
}

// legacySubject is how subjects were derived before tenants had salts:
// keyed by the secret's crypto key.
func legacySubject(key [32]byte, tenantID, appID, userID string) string {
	k := hmac.New(sha256.New, key[:])
	k.Write([]byte("guestgate pairwise subject"))
	m := hmac.New(sha256.New, k.Sum(nil))
	m.Write([]byte(tenantID + "|" + appID + "|" + userID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// TestSecretRotationKeepsSubjectsTokensAndKeys: with a new secret first
// and the old one second, subjects stay the same (the tenant's salt, not
// the secret, keys them; an existing tenant's salt is the key its subjects
// had before), a code and an access token issued before the rotation still
// work, and the signing key stays in use, re-sealed with the new secret,
// so the old secret can then leave the list.
func TestSecretRotationKeepsSubjectsTokensAndKeys(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		f := flow{tenant: e.a, app: app, user: e.guestA,
			scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}}
		before := e.signIn(t, f)
		sub := jwtClaims(t, before.idToken)["sub"]
		// The env's tenants were created without a salt, as tenants from
		// before salts: their subjects are what they were.
		if want := legacySubject(e.key, e.a.ID, app.AppID, e.guestA.ID); sub != want {
			t.Fatalf("subject of an existing tenant %v, want the one derived as before salts %v", sub, want)
		}
		pending, verifier := e.authorize(t, f)
		code := e.login(t, f, pending)
		kids := e.jwksKids(t)

		e.rotateSecret(t)
		after, err := pending.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("a code from before the rotation: %v", err)
		}
		idt, _ := after.Extra("id_token").(string)
		if got := jwtClaims(t, idt)["sub"]; got != sub {
			t.Fatalf("subject after the rotation %v, want %v", got, sub)
		}
		gp := e.goProvider(e.a)
		if _, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(before.token)); err != nil {
			t.Fatalf("userinfo with an access token from before the rotation: %v", err)
		}
		if _, err := gp.Verifier(&gooidc.Config{ClientID: app.AppID}).Verify(e.ctx, idt); err != nil {
			t.Fatalf("ID token after the rotation: %v", err)
		}
		if got := e.jwksKids(t); !slices.Equal(got, kids) {
			t.Fatalf("JWKS after the rotation %v, want the same key %v", got, kids)
		}

		// The old secret leaves the list: the key was re-sealed, so it is
		// still the one in use; a new tenant's subjects are its own.
		e.oldKeys = nil
		e.p = e.newProvider()
		if got := e.jwksKids(t); !slices.Equal(got, kids) {
			t.Fatalf("JWKS without the old secret %v, want the same key %v", got, kids)
		}
		again := e.signIn(t, f)
		if got := jwtClaims(t, again.idToken)["sub"]; got != sub {
			t.Fatalf("subject without the old secret %v, want %v", got, sub)
		}
	})
}

// TestSigningKeysSealedAtRest: a key is stored sealed (not as PKCS#8); a
// plaintext key from before sealing is still used and is sealed at the
// next start.
func TestSigningKeysSealedAtRest(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		keys, err := e.db.ListSigningKeys(e.ctx)
		if err != nil || len(keys) != 2 {
			t.Fatalf("keys = %d, %v; want one RS256 and one ES256", len(keys), err)
		}
		for _, k := range keys {
			if _, err := x509.ParsePKCS8PrivateKey(k.PrivateDER); err == nil {
				t.Fatalf("the %s signing key is stored in plaintext", k.Algorithm)
			}
		}

		// A plaintext key, as a deployment from before sealing stored it.
		priv, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalPKCS8PrivateKey(priv)
		legacy := oidc.SigningKey{ID: "legacy-key", Algorithm: "RS256", PrivateDER: der, CreatedAt: e.clock.Now().Add(time.Second)}
		if err := e.db.CreateSigningKey(e.ctx, legacy); err != nil {
			t.Fatal(err)
		}
		if err := e.db.RetireSigningKeys(e.ctx, legacy.ID, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		e.p = e.newProvider()
		if kids := e.jwksKidsOf(t, "RSA"); len(kids) != 2 || kids[0] != legacy.ID {
			t.Fatalf("JWKS RSA keys %v, want the plaintext key first (current)", kids)
		}
		keys, _ = e.db.ListSigningKeys(e.ctx)
		for _, k := range keys {
			if _, err := x509.ParsePKCS8PrivateKey(k.PrivateDER); err == nil || bytes.Equal(k.PrivateDER, der) {
				t.Fatalf("key %s still in plaintext after a start", k.ID)
			}
		}
		app, _ := e.createApp(e.a, true)
		res := e.signIn(t, flow{tenant: e.a, app: app, user: e.guestA})
		if h := jwtHeader(t, res.idToken); h["kid"] != legacy.ID {
			t.Fatalf("ID token signed by %v, want the formerly plaintext key", h["kid"])
		}
	})
}
