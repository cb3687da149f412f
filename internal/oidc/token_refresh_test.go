package oidc_test

import (
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/store"
)

func TestRefreshTokens(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		offline := func() signInResult {
			return e.signIn(t, flow{tenant: e.a, app: app, user: e.guestA,
				scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}})
		}
		refresh := func(res signInResult, rt string) (*oauth2.Token, error) {
			return res.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: rt}).Token()
		}

		t.Run("no refresh token without offline_access", func(t *testing.T) {
			res := e.signIn(t, flow{tenant: e.a, app: app, user: e.guestA})
			if res.token.RefreshToken != "" {
				t.Fatal("refresh token issued without offline_access")
			}
		})

		t.Run("concurrent use of one refresh token", func(t *testing.T) {
			res := offline()
			const n = 10
			var wg sync.WaitGroup
			results := make(chan error, n)
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := refresh(res, res.token.RefreshToken)
					results <- err
				}()
			}
			wg.Wait()
			close(results)
			ok := 0
			for err := range results {
				if err == nil {
					ok++
				} else if c := oauthErrorCodeOf(err); c != "invalid_grant" {
					t.Errorf("losing refresh answered %q, want invalid_grant", c)
				}
			}
			if ok != 1 {
				t.Fatalf("%d of %d concurrent refreshes succeeded, want exactly 1", ok, n)
			}
		})

		t.Run("another app cannot use it", func(t *testing.T) {
			res := offline()
			other, _ := e.createApp(e.a, true)
			cfg := *res.config
			cfg.ClientID = other.AppID
			_, err := cfg.TokenSource(e.ctx, &oauth2.Token{RefreshToken: res.token.RefreshToken}).Token()
			if c := oauthErrorCode(t, err); c != "invalid_grant" {
				t.Fatalf("refresh by another app: %q, want invalid_grant", c)
			}
		})

		t.Run("another tenant does not know it", func(t *testing.T) {
			res := offline()
			cfg := *res.config
			cfg.Endpoint.TokenURL = e.publicURL + "/" + e.b.ID + "/oauth2/v2.0/token"
			if _, err := cfg.TokenSource(e.ctx, &oauth2.Token{RefreshToken: res.token.RefreshToken}).Token(); err == nil {
				t.Fatal("tenant B accepted tenant A's refresh token")
			}
		})

		t.Run("ends with the session", func(t *testing.T) {
			res := offline()
			e.clock.Advance(25 * time.Hour)
			defer e.clock.Advance(-25 * time.Hour)
			_, err := refresh(res, res.token.RefreshToken)
			if c := oauthErrorCode(t, err); c != "invalid_grant" {
				t.Fatalf("refresh after 25 h: %q, want invalid_grant", c)
			}
			// Cleanup deletes what expired.
			if err := e.p.Cleanup(e.ctx); err != nil {
				t.Fatalf("Cleanup: %v", err)
			}
			h := sha256.Sum256([]byte(res.token.RefreshToken))
			if _, err := e.db.GetOIDCRefreshToken(e.ctx, e.a.ID, h[:]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired refresh token after Cleanup: %v, want ErrNotFound", err)
			}
			res2, _ := e.authorize(t, flow{tenant: e.a, app: app})
			e.clock.Advance(2 * time.Hour)
			defer e.clock.Advance(-2 * time.Hour)
			if err := e.p.Cleanup(e.ctx); err != nil {
				t.Fatalf("Cleanup: %v", err)
			}
			if _, err := e.db.GetOIDCAuthRequest(e.ctx, e.a.ID, res2.authReqID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("expired auth request after Cleanup: %v, want ErrNotFound", err)
			}
		})
	})
}
