package oidc_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// jwksKids returns the key ids of tenant a's JWKS, in its order.
func (e *env) jwksKids(t *testing.T) []string {
	t.Helper()
	return e.jwksKidsOf(t, "")
}

// jwksKidsOf returns the ids of the JWKS's keys of one type ("RSA" or
// "EC"; "" for all).
func (e *env) jwksKidsOf(t *testing.T, kty string) []string {
	t.Helper()
	_, jwks := getJSON(t, e.publicURL+"/"+e.a.ID+"/discovery/v2.0/keys")
	keys, _ := jwks["keys"].([]any)
	var kids []string
	for _, k := range keys {
		m, _ := k.(map[string]any)
		kid, _ := m["kid"].(string)
		if kty == "" || m["kty"] == kty {
			kids = append(kids, kid)
		}
	}
	return kids
}

func TestKeyRotation(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, secret := e.createApp(e.a, false, "User.Read.All")
		pub, _ := e.createApp(e.a, true)
		cc := e.ccConfig(e.a, app.AppID, secret, graphScope, oauth2.AuthStyleInHeader)
		// Other processes on the same database, started before the rotation.
		other, busy := e.newProvider(), e.newProvider()

		old, err := cc.Token(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		oldKid, _ := jwtHeader(t, old.AccessToken)["kid"].(string)
		oldID := e.signIn(t, flow{tenant: e.a, app: pub, user: e.guestA}).idToken
		ec, _ := e.createApp(e.a, true)
		ec = e.setAlg(ec, oidc.AlgES256)
		oldEC := e.signIn(t, flow{tenant: e.a, app: ec, user: e.guestA}).idToken
		oldECKid, _ := jwtHeader(t, oldEC)["kid"].(string)

		ids, err := e.p.RotateKeys(e.ctx)
		if err != nil {
			t.Fatalf("RotateKeys: %v", err)
		}
		newKid := ids.RS256
		if newKid == oldKid || ids.ES256 == oldECKid || ids.ES256 == "" {
			t.Fatalf("rotation kept a key id: RS256 %s → %s, ES256 %s → %s", oldKid, newKid, oldECKid, ids.ES256)
		}
		fresh, err := cc.Token(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if kid := jwtHeader(t, fresh.AccessToken)["kid"]; kid != newKid {
			t.Errorf("new token signed by %v, want the new key %s", kid, newKid)
		}
		if kids := e.jwksKidsOf(t, "RSA"); len(kids) != 2 || !slices.Contains(kids, oldKid) || !slices.Contains(kids, newKid) {
			t.Errorf("JWKS after rotation: RSA keys %v, want old and new key", kids)
		}
		if kids := e.jwksKidsOf(t, "EC"); len(kids) != 2 || !slices.Contains(kids, oldECKid) || !slices.Contains(kids, ids.ES256) {
			t.Errorf("JWKS after rotation: EC keys %v, want old and new key", kids)
		}
		// Tokens signed before the rotation stay valid until they expire.
		if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, old.AccessToken); err != nil {
			t.Errorf("old access token after rotation: %v", err)
		}
		gp := e.goProvider(e.a)
		v := gp.Verifier(&gooidc.Config{ClientID: pub.AppID})
		if _, err := v.Verify(e.ctx, oldID); err != nil {
			t.Errorf("go-oidc: old ID token after rotation: %v", err)
		}
		newID := e.signIn(t, flow{tenant: e.a, app: pub, user: e.guestA}).idToken
		if _, err := v.Verify(e.ctx, newID); err != nil {
			t.Errorf("go-oidc: new ID token: %v", err)
		}
		// The EC key rotates as the RSA key: an ES256 ID token of the old
		// key still verifies, a new one is signed by the new EC key.
		ecv := gp.Verifier(&gooidc.Config{ClientID: ec.AppID, SupportedSigningAlgs: []string{gooidc.ES256}})
		if _, err := ecv.Verify(e.ctx, oldEC); err != nil {
			t.Errorf("go-oidc: old ES256 ID token after rotation: %v", err)
		}
		newEC := e.signIn(t, flow{tenant: e.a, app: ec, user: e.guestA}).idToken
		if h := jwtHeader(t, newEC); h["kid"] != ids.ES256 || h["alg"] != "ES256" {
			t.Errorf("new ES256 ID token header %v, want alg ES256 and kid %s", h, ids.ES256)
		}
		if _, err := ecv.Verify(e.ctx, newEC); err != nil {
			t.Errorf("go-oidc: new ES256 ID token: %v", err)
		}
		// The other process has not re-read the keys yet, but meets a token
		// signed by the new key: it reloads and accepts it.
		if _, err := other.VerifyAccessToken(e.ctx, e.a.ID, fresh.AccessToken); err != nil {
			t.Errorf("another process rejects a token of the new key: %v", err)
		}
		// Many requests meeting the new key at once all pass (one re-read, the others wait for it).
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := busy.VerifyAccessToken(e.ctx, e.a.ID, fresh.AccessToken)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent verification of a new key's token: %v", err)
			}
		}

		// Once tokens of the old key have expired, the next rotation deletes it.
		e.clock.Advance(3 * time.Hour)
		thirdIDs, err := e.p.RotateKeys(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		third := thirdIDs.RS256
		if kids := e.jwksKidsOf(t, "RSA"); len(kids) != 2 || slices.Contains(kids, oldKid) || !slices.Contains(kids, third) || !slices.Contains(kids, newKid) {
			t.Errorf("JWKS after second rotation: RSA keys %v, want %s and %s only", kids, newKid, third)
		}
		if kids := e.jwksKidsOf(t, "EC"); len(kids) != 2 || slices.Contains(kids, oldECKid) || !slices.Contains(kids, thirdIDs.ES256) || !slices.Contains(kids, ids.ES256) {
			t.Errorf("JWKS after second rotation: EC keys %v, want %s and %s only", kids, ids.ES256, thirdIDs.ES256)
		}
		// A relying party reading the JWKS now (go-oidc caches the keys it read) no longer finds the old EC key.
		now := e.goProvider(e.a).Verifier(&gooidc.Config{ClientID: ec.AppID, SupportedSigningAlgs: []string{gooidc.ES256}})
		if _, err := now.Verify(e.ctx, oldEC); err == nil {
			t.Error("go-oidc accepted an ES256 ID token of a deleted key")
		}
		if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, old.AccessToken); !errors.Is(err, oidc.ErrInvalidToken) {
			t.Errorf("token of a deleted key: %v, want ErrInvalidToken", err)
		}
	})
}

// TestConcurrentStart starts several providers at once on one empty
// database, as processes behind a load balancer do: all start, and one
// current key per algorithm remains.
func TestConcurrentStart(t *testing.T) {
	for _, eng := range testenv.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			dsn := eng.DSN(t)
			ctx := context.Background()
			const n = 4
			dbs := make([]*sqlstore.DB, n)
			for i := range dbs {
				db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				dbs[i] = db
			}
			var key [32]byte
			key[0] = 7
			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i, db := range dbs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = oidc.NewProvider(oidc.Config{PublicURL: "https://login.example", CryptoKey: key},
						oidc.Deps{Apps: db, Keys: db, AuthRequests: db, Directory: db, Salts: db, Tx: db, Clock: clock.Real{},
							Sessions: &fakeSessions{}, Access: &fakeAccess{}, Assignments: &fakeAssignments{}})
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("provider %d: %v", i, err)
				}
			}
			keys, err := dbs[0].ListSigningKeys(ctx)
			if err != nil {
				t.Fatal(err)
			}
			current := map[string]int{}
			for _, k := range keys {
				if k.RetiredAt.IsZero() {
					current[k.Algorithm]++
				}
			}
			if current[oidc.AlgRS256] != 1 || current[oidc.AlgES256] != 1 || len(current) != 2 {
				t.Fatalf("%d keys, current by algorithm %v; want exactly one current key per algorithm", len(keys), current)
			}
		})
	}
}
