package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestAppSecretAndDeleteCommands: app secret add prints a new secret once
// (JSON with --output json), list shows ids only, remove takes one away,
// and app delete removes the app.
func TestAppSecretAndDeleteCommands(t *testing.T) {
	db := "--database-url=" + filepath.Join(t.TempDir(), "cli.db")
	if out, err := run(t, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example"); err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	out, err := run(t, "app", "create", db, "--tenant", "fabrikam.example", "--name", "Invite bot", "--output", "json")
	var app struct{ AppID, ClientSecret, SecretID string }
	if err != nil || json.Unmarshal([]byte(out), &app) != nil || app.SecretID != app.AppID {
		t.Fatalf("app create = %q, %v", out, err)
	}

	out, err = run(t, "app", "secret", "add", db, "--tenant", "fabrikam.example", "--app", app.AppID, "--output", "json")
	var sec struct{ AppID, SecretID, ClientSecret, TenantID string }
	if err != nil || json.Unmarshal([]byte(out), &sec) != nil || sec.AppID != app.AppID || sec.SecretID == "" ||
		sec.ClientSecret == "" || sec.ClientSecret == app.ClientSecret || sec.TenantID == "" {
		t.Fatalf("app secret add = %q, %v", out, err)
	}
	out, err = run(t, "app", "secret", "list", db, "--tenant", "fabrikam.example", "--app", app.AppID)
	if err != nil || !strings.Contains(out, app.AppID) || !strings.Contains(out, sec.SecretID) || strings.Contains(out, sec.ClientSecret) {
		t.Fatalf("app secret list = %q, %v", out, err)
	}
	if out, err := run(t, "app", "secret", "remove", db, "--tenant", "fabrikam.example", "--app", app.AppID, "--secret-id", app.AppID); err != nil {
		t.Fatalf("app secret remove: %v\n%s", err, out)
	}
	out, err = run(t, "app", "secret", "list", db, "--tenant", "fabrikam.example", "--app", app.AppID)
	if err != nil || strings.Contains(out, app.AppID+" ") || !strings.Contains(out, sec.SecretID) {
		t.Fatalf("app secret list after remove = %q, %v", out, err)
	}
	if _, err := run(t, "app", "secret", "remove", db, "--tenant", "fabrikam.example", "--app", app.AppID, "--secret-id", app.AppID); err == nil ||
		!strings.Contains(err.Error(), "no secret") {
		t.Fatalf("removing an unknown secret = %v", err)
	}

	if out, err := run(t, "app", "delete", db, "--tenant", "fabrikam.example", "--app", app.AppID); err != nil {
		t.Fatalf("app delete: %v\n%s", err, out)
	}
	if _, err := run(t, "app", "secret", "add", db, "--tenant", "fabrikam.example", "--app", app.AppID); err == nil ||
		!strings.Contains(err.Error(), "no app") {
		t.Fatalf("secret add to a deleted app = %v", err)
	}
	if _, err := run(t, "app", "delete", db, "--tenant", "fabrikam.example", "--app", app.AppID); err == nil {
		t.Fatal("deleting a deleted app succeeded")
	}
}

// TestAppCommandsHaveHelp: the app subcommands answer --help.
func TestAppCommandsHaveHelp(t *testing.T) {
	for _, args := range [][]string{{"app", "delete"}, {"app", "secret", "add"}, {"app", "secret", "list"}, {"app", "secret", "remove"}} {
		out, err := run(t, append(args, "--help")...)
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "GUESTGATE_DATABASE_URL") {
			t.Errorf("%v --help = %v\n%s", args, err, out)
		}
	}
}
