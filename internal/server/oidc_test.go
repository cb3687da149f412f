package server

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestLoginBridgeFinishedRequest (issue 20, finding 11): the pages get a
// request that was already completed, or is gone, as
// signin.ErrUnknownAuthRequest (the stale-request page, 400), from every
// call of the bridge, never as an error they answer with 500.
func TestLoginBridgeFinishedRequest(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqlstore.Open(ctx, e.DSN(t), sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
			tn, err := directory.NewTenant(directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, "guestgate.local", c.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := db.CreateTenant(ctx, tn); err != nil {
				t.Fatal(err)
			}
			var key [32]byte
			key[0] = 7
			p, err := oidc.NewCore(oidc.Config{PublicURL: "https://id.guestgate.example", CryptoKey: key},
				oidc.Deps{Apps: db, Keys: db, AuthRequests: db, Directory: db, Salts: db, Tx: db, Clock: c,
					Assignments: assignment.NewService(assignment.Deps{Store: db, Directory: db, Groups: db, Tx: db, Audit: db, Clock: c})})
			if err != nil {
				t.Fatal(err)
			}
			// A request completed before (as an earlier version stored them).
			done := oidc.AuthRequestRecord{TenantID: tn.ID, ID: uuid.NewString(), ClientID: "app", RedirectURI: "https://app.example/cb",
				ResponseType: "code", MaxAge: -1, CreatedAt: c.Now(), ExpiresAt: c.Now().Add(10 * time.Minute),
				AuthCompletion: oidc.AuthCompletion{UserID: "u", AuthTime: c.Now(), DoneAt: c.Now()}}
			if err := db.CreateOIDCAuthRequest(ctx, done); err != nil {
				t.Fatal(err)
			}
			b := loginBridge{p: p}
			s := session.Session{UserID: "u", AuthTime: c.Now(), IDHash: []byte{1}}
			for _, id := range []string{done.ID, uuid.NewString(), "p1.not-a-handle"} {
				if _, err := b.AuthRequest(ctx, tn.ID, id); !errors.Is(err, signin.ErrUnknownAuthRequest) {
					t.Errorf("AuthRequest(%s) = %v, want signin.ErrUnknownAuthRequest", id, err)
				}
				if _, err := b.Complete(ctx, tn.ID, id, s); !errors.Is(err, signin.ErrUnknownAuthRequest) {
					t.Errorf("Complete(%s) = %v, want signin.ErrUnknownAuthRequest", id, err)
				}
				if _, err := b.Fail(ctx, tn.ID, id, oidc.FailAccessDenied); !errors.Is(err, signin.ErrUnknownAuthRequest) {
					t.Errorf("Fail(%s) = %v, want signin.ErrUnknownAuthRequest", id, err)
				}
			}
		})
	}
}
