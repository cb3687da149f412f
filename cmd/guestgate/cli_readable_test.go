package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// runIn is run with standard input (a password prompt's answer).
func runIn(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

// TestTuningFlagsOnlyInServerHelp: the server's tuning flags are listed by
// serve --help and demo --help only; every command still accepts them (one
// environment file serves all), and the deployment settings show everywhere.
func TestTuningFlagsOnlyInServerHelp(t *testing.T) {
	for _, c := range []struct {
		args   []string
		tuning bool
	}{
		{[]string{"serve", "--help"}, true},
		{[]string{"demo", "--help"}, true},
		{[]string{"--help"}, false},
		{[]string{"tenant", "list", "--help"}, false},
		{[]string{"app", "create", "--help"}, false},
		{[]string{"user", "--help"}, false},
	} {
		out, err := run(t, c.args...)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if got := strings.Contains(out, "--otp-digits") && strings.Contains(out, "--graph-read-limit"); got != c.tuning {
			t.Errorf("%v lists the tuning flags = %v, want %v\n%s", c.args, got, c.tuning, out)
		}
		if !strings.Contains(out, "--database-url") || !strings.Contains(out, "--public-url") {
			t.Errorf("%v does not list the deployment settings\n%s", c.args, out)
		}
	}
	// Hidden from help, still accepted.
	db := "--database-url=" + filepath.Join(t.TempDir(), "help.db")
	if out, err := run(t, "tenant", "list", db, "--otp-digits", "6"); err != nil {
		t.Fatalf("tenant list with a tuning flag: %v\n%s", err, out)
	}
	// And serve --help afterwards still lists them (help hides them only while printing).
	if out, _ := run(t, "serve", "--help"); !strings.Contains(out, "--otp-digits") {
		t.Fatal("serve --help lost the tuning flags")
	}
}

// TestListsReadWell: app list, role list and tenant list print a header
// and names beside ids; --app names an app everywhere, with --app-id kept
// as a deprecated alias for scripts.
func TestListsReadWell(t *testing.T) {
	db := "--database-url=" + filepath.Join(t.TempDir(), "lists.db")
	if out, err := runIn(t, "correct-Horse-Battery-2026\n", "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--admin-email", "admin@fabrikam.example"); err != nil {
		t.Fatalf("tenant create: %v\n%s", err, out)
	}
	var bot, wiki struct{ AppID string }
	runJSON(t, &bot, "app", "create", db, "--tenant", "fabrikam.example", "--name", "Invite bot", "--permission", "User.Invite.All", "--output", "json")
	runJSON(t, &wiki, "app", "create", db, "--tenant", "fabrikam.example", "--name", "Wiki", "--public", "--redirect-uri", "https://wiki.fabrikam.example/cb", "--output", "json")

	out, err := run(t, "app", "list", db, "--tenant", "fabrikam.example")
	if err != nil {
		t.Fatalf("app list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "APP ID (CLIENT_ID)") || !strings.Contains(out, bot.AppID) || !strings.Contains(out, "Invite bot") ||
		!strings.Contains(out, "User.Invite.All") || !strings.Contains(out, wiki.AppID) || !strings.Contains(out, "public") {
		t.Fatalf("app list =\n%s", out)
	}
	var listed struct{ Value []appListJSON }
	runJSON(t, &listed, "app", "list", db, "--tenant", "fabrikam.example", "--output", "json")
	if len(listed.Value) != 2 || listed.Value[0].DisplayName != "Invite bot" || strings.Contains(out, "clientSecret") {
		t.Fatalf("app list JSON = %+v", listed)
	}

	if out, err := run(t, "app", "update", db, "--tenant", "fabrikam.example", "--app", wiki.AppID, "--sign-up"); err != nil || !strings.Contains(out, "sign-up on") {
		t.Fatalf("app update --app: %v\n%s", err, out)
	}
	if out, err := run(t, "app", "update", db, "--tenant", "fabrikam.example", "--app-id", wiki.AppID, "--sign-up=false"); err != nil || !strings.Contains(out, "sign-up off") {
		t.Fatalf("app update --app-id (the old name): %v\n%s", err, out)
	}
	if out, err := run(t, "app", "update", db, "--tenant", "fabrikam.example", "--sign-up"); err == nil || !strings.Contains(err.Error(), `"app"`) {
		t.Fatalf("app update without --app = %v\n%s", err, out)
	}
	if out, _ := run(t, "app", "update", "--help"); strings.Contains(out, "--app-id") || !strings.Contains(out, "--app ") {
		t.Fatalf("app update --help shows the old name or lacks --app:\n%s", out)
	}

	out, err = run(t, "role", "list", db, "--tenant", "fabrikam.example")
	if err != nil {
		t.Fatalf("role list: %v\n%s", err, out)
	}
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ROLE") || !strings.Contains(lines[0], "MEMBER ID") ||
		!strings.HasPrefix(lines[1], "Global Administrator") || !strings.Contains(lines[1], "admin@fabrikam.example") {
		t.Fatalf("role list =\n%s", out)
	}

	out, err = run(t, "tenant", "list", db)
	if err != nil {
		t.Fatalf("tenant list: %v\n%s", err, out)
	}
	lines = strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "DOMAINS") || !strings.Contains(out, "Fabrikam ") || !strings.Contains(out, "fabrikam.example") {
		t.Fatalf("tenant list =\n%s", out)
	}
	var check map[string]any
	if out, err := run(t, "tenant", "list", db, "--output", "json"); err != nil || json.Unmarshal([]byte(out), &check) != nil {
		t.Fatalf("tenant list JSON: %v\n%s", err, out)
	}
}
