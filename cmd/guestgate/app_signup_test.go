package main

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// TestAppSignUpCommands: app create --sign-up and app update --sign-up
// turn an app's self-service sign-up on and off (R13), and tenant
// sign-up-domains restricts it to domains.
func TestAppSignUpCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cli.db")
	db := "--database-url=" + path
	var tn struct{ ID string }
	runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
	var app struct{ AppID string }
	runJSON(t, &app, "app", "create", db, "--tenant", "fabrikam.example", "--name", "Wiki", "--redirect-uri", "https://wiki.fabrikam.example/cb", "--sign-up", "--output", "json")
	var plain struct{ AppID string }
	runJSON(t, &plain, "app", "create", db, "--tenant", "fabrikam.example", "--name", "Bot", "--output", "json")

	signUp := func(appID string) bool {
		t.Helper()
		s, err := sqlstore.Open(context.Background(), path, sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		on, err := s.AppSignUp(context.Background(), tn.ID, appID)
		if err != nil {
			t.Fatal(err)
		}
		return on
	}
	if !signUp(app.AppID) || signUp(plain.AppID) {
		t.Fatal("app create --sign-up: want sign-up on for Wiki only")
	}
	var upd struct{ SignUp bool }
	runJSON(t, &upd, "app", "update", db, "--tenant", tn.ID, "--app-id", app.AppID, "--sign-up=false", "--output", "json")
	if upd.SignUp || signUp(app.AppID) {
		t.Fatal("app update --sign-up=false left sign-up on")
	}
	if out, err := run(t, "app", "update", db, "--tenant", tn.ID, "--app-id", "nosuch", "--sign-up"); err == nil {
		t.Fatalf("app update of an unknown app = %q", out)
	}
	var doms struct{ SignUpDomains []string }
	runJSON(t, &doms, "tenant", "sign-up-domains", db, "--tenant", tn.ID, "--domain", "Tailspin.example", "--domain", "contoso.example", "--output", "json")
	if !slices.Equal(doms.SignUpDomains, []string{"contoso.example", "tailspin.example"}) {
		t.Fatalf("sign-up domains = %v", doms.SignUpDomains)
	}
	runJSON(t, &doms, "tenant", "sign-up-domains", db, "--tenant", tn.ID, "--output", "json")
	if len(doms.SignUpDomains) != 0 {
		t.Fatalf("sign-up domains after clearing = %v", doms.SignUpDomains)
	}
}
