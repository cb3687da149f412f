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

func (e *env) jwksKids(t *testing.T) []string {
	t.Helper()
	_, jwks := getJSON(t, e.publicURL+"/"+e.a.ID+"/discovery/v2.0/keys")
	keys, _ := jwks["keys"].([]any)
	var kids []string
	for _, k := range keys {
		m, _ := k.(map[string]any)
		kid, _ := m["kid"].(string)
		kids = append(kids, kid)
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

		newKid, err := e.p.RotateKeys(e.ctx)
		if err != nil {
			t.Fatalf("RotateKeys: %v", err)
		}
		if newKid == oldKid {
			t.Fatal("rotation kept the key id")
		}
		fresh, err := cc.Token(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if kid := jwtHeader(t, fresh.AccessToken)["kid"]; kid != newKid {
			t.Errorf("new token signed by %v, want the new key %s", kid, newKid)
		}
		if kids := e.jwksKids(t); len(kids) != 2 || !slices.Contains(kids, oldKid) || !slices.Contains(kids, newKid) {
			t.Errorf("JWKS after rotation: %v, want old and new key", kids)
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
		third, err := e.p.RotateKeys(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if kids := e.jwksKids(t); len(kids) != 2 || slices.Contains(kids, oldKid) || !slices.Contains(kids, third) || !slices.Contains(kids, newKid) {
			t.Errorf("JWKS after second rotation: %v, want %s and %s only", kids, newKid, third)
		}
		if _, err := e.p.VerifyAccessToken(e.ctx, e.a.ID, old.AccessToken); !errors.Is(err, oidc.ErrInvalidToken) {
			t.Errorf("token of a deleted key: %v, want ErrInvalidToken", err)
		}
	})
}

// TestConcurrentStart starts several providers at once on one empty
// database, as processes behind a load balancer do: all start, and one
// current key remains.
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
			current := 0
			for _, k := range keys {
				if k.RetiredAt.IsZero() {
					current++
				}
			}
			if current != 1 || len(keys) == 0 {
				t.Fatalf("%d keys, %d current; want exactly one current key", len(keys), current)
			}
		})
	}
}
