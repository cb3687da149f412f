package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// run executes the CLI in-process and returns what it printed.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// TestAdminCommandsPrintJSON: the commands that create something print one
// JSON object with --output json, in the shapes DESIGN section 6 names.
func TestAdminCommandsPrintJSON(t *testing.T) {
	db := "--database-url=" + filepath.Join(t.TempDir(), "cli.db")
	out, err := run(t, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
	if err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	var tn struct {
		ID          string
		DisplayName string
		Domains     []string
	}
	if err := json.Unmarshal([]byte(out), &tn); err != nil || tn.ID == "" || tn.DisplayName != "Fabrikam" || len(tn.Domains) != 2 || tn.Domains[1] != "fabrikam.example" {
		t.Fatalf("tenant create JSON = %q (%v)", out, err)
	}

	out, err = run(t, "app", "create", db, "--tenant", "fabrikam.example", "--name", "Invite bot", "--permission", "User.Invite.All", "--output", "json")
	var app struct{ AppID, ClientSecret, TenantID string }
	if err != nil || json.Unmarshal([]byte(out), &app) != nil || app.AppID == "" || app.ClientSecret == "" || app.TenantID != tn.ID {
		t.Fatalf("app create = %q, %v", out, err)
	}

	// The CLI never guesses the public URL (security review item 13):
	// before serve or migrate recorded one, a command that builds a link refuses.
	if out, err := run(t, "invite", db, "--tenant", tn.ID, "--email", "teri@gmail.example", "--redirect-url", "https://apps.fabrikam.example"); err == nil || !strings.Contains(err.Error(), "does not know its public URL") {
		t.Fatalf("invite without a known public URL = %q, %v; want a refusal", out, err)
	}
	if out, err := run(t, "migrate", db, "--public-url", "https://login.fabrikam.example"); err != nil {
		t.Fatalf("migrate --public-url: %v\n%s", err, out)
	}
	out, err = run(t, "invite", db, "--tenant", tn.ID, "--email", "teri@gmail.example", "--redirect-url", "https://apps.fabrikam.example", "--output", "json")
	var inv struct {
		ID, InviteRedeemURL, Status string
		InvitedUser                 struct{ ID string }
	}
	if err != nil || json.Unmarshal([]byte(out), &inv) != nil || inv.Status != "PendingAcceptance" || !strings.HasPrefix(inv.InviteRedeemURL, "https://login.fabrikam.example/redeem?ticket="+tn.ID+".") || inv.InvitedUser.ID == "" {
		t.Fatalf("invite = %q, %v", out, err)
	}

	out, err = run(t, "tenant", "list", db)
	if err != nil || !strings.Contains(out, tn.ID) {
		t.Fatalf("tenant list = %q, %v", out, err)
	}
	if out, err := run(t, "invite", db, "--tenant", "nosuch.example", "--email", "a@b.example", "--redirect-url", "https://x.example"); err == nil {
		t.Fatalf("invite to an unknown tenant succeeded: %s", out)
	}
	if out, err := run(t, "invite", db, "--tenant", tn.ID, "--email", "not an address", "--redirect-url", "https://x.example"); err == nil || !strings.Contains(err.Error(), "invitedUserEmailAddress") {
		t.Fatalf("invalid address: %q, %v", out, err)
	}
}

// TestServeRefusesUnsafeConfig: serve names the variable to fix.
func TestServeRefusesUnsafeConfig(t *testing.T) {
	_, err := run(t, "serve", "--database-url", filepath.Join(t.TempDir(), "x.db"), "--public-url", "http://login.example.com")
	if err == nil || !strings.Contains(err.Error(), "GUESTGATE_SECRET") || !strings.Contains(err.Error(), "GUESTGATE_PUBLIC_URL") {
		t.Fatalf("serve with no secret and a plain-http public URL = %v", err)
	}
}

// TestServeNeedsAMailServer: serve without GUESTGATE_SMTP_URL refuses to
// start (the dev mailbox would publish every passcode), and the dev
// mailbox is refused on a public host even when asked for.
func TestServeNeedsAMailServer(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	secret := strings.Repeat("s", 40)
	t.Setenv("GUESTGATE_SECRET", secret)
	_, err := run(t, "serve", "--database-url", db, "--public-url", "https://login.example.com")
	if err == nil || !strings.Contains(err.Error(), "GUESTGATE_SMTP_URL is empty") {
		t.Fatalf("serve without SMTP = %v, want a refusal naming GUESTGATE_SMTP_URL", err)
	}
	t.Setenv("GUESTGATE_DEV_MAILBOX", "true")
	_, err = run(t, "serve", "--database-url", db, "--public-url", "https://login.example.com")
	if err == nil || !strings.Contains(err.Error(), "--dev-mailbox") {
		t.Fatalf("serve with the dev mailbox on a public host = %v, want a refusal", err)
	}
}

// TestEveryCommandHasHelp: each subcommand answers --help.
func TestEveryCommandHasHelp(t *testing.T) {
	for _, args := range [][]string{{"serve"}, {"migrate"}, {"demo"}, {"tenant", "create"}, {"tenant", "list"}, {"app", "create"}, {"invite"}, {"keys", "rotate"}, {"outbox", "list"}, {"version"}} {
		out, err := run(t, append(args, "--help")...)
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "GUESTGATE_DATABASE_URL") && args[0] != "version" {
			t.Errorf("%v --help = %v\n%s", args, err, out)
		}
	}
}
