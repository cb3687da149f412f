package oidc_test

import (
	"crypto/rand"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestProviderNeedsAccessAndSessions (security round 2, tests a mutation
// showed missing): a provider without its access check (the token
// endpoint would refresh for a guest who may no longer sign in) or
// without its logout of the browser session, or without the reader of
// app assignments (R16), is refused at construction:
// forgetting any fails closed, at start.
func TestProviderNeedsAccessAndSessions(t *testing.T) {
	db, err := sqlstore.Open(t.Context(), testenv.SQLiteDSN(t), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	cfg := oidc.Config{PublicURL: "https://login.example"}
	_, _ = rand.Read(cfg.CryptoKey[:])
	full := oidc.Deps{Apps: db, Keys: db, AuthRequests: db, Directory: db, Salts: db, Tx: db, Clock: clock.Real{},
		Sessions: &fakeSessions{}, Access: &fakeAccess{}, Assignments: &fakeAssignments{}}
	if _, err := oidc.NewProvider(cfg, full); err != nil {
		t.Fatalf("NewProvider with every dependency: %v", err)
	}
	noAccess, noSessions, noAssignments := full, full, full
	noAccess.Access, noSessions.Sessions, noAssignments.Assignments = nil, nil, nil
	if _, err := oidc.NewProvider(cfg, noAccess); err == nil || !strings.Contains(err.Error(), "Deps.Access") {
		t.Fatalf("NewProvider without Access = %v, want a refusal naming Deps.Access", err)
	}
	if _, err := oidc.NewProvider(cfg, noSessions); err == nil || !strings.Contains(err.Error(), "Deps.Sessions") {
		t.Fatalf("NewProvider without Sessions = %v, want a refusal naming Deps.Sessions", err)
	}
	// Without the assignment reader tokens would lack roles and groups (R16).
	if _, err := oidc.NewProvider(cfg, noAssignments); err == nil || !strings.Contains(err.Error(), "Deps.Assignments") {
		t.Fatalf("NewProvider without Assignments = %v, want a refusal naming Deps.Assignments", err)
	}
}
