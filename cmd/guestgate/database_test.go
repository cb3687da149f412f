package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsRefuseWithoutDatabase (issue 24, major 3): with no database
// set, serve, migrate and the admin commands refuse and name the variable
// to set, and write no ./guestgate.db; a SQLite path given explicitly works.
func TestCommandsRefuseWithoutDatabase(t *testing.T) {
	for _, v := range []string{"GUESTGATE_DATABASE_URL", "GUESTGATE_DATABASE_URL_FILE"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	for _, args := range [][]string{
		{"serve"},
		{"migrate"},
		{"tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example"},
		{"tenant", "list"},
		{"user", "list", "--tenant", "fabrikam.example"},
		{"app", "create", "--tenant", "fabrikam.example", "--name", "Bot"},
		{"role", "list", "--tenant", "fabrikam.example"},
		{"outbox", "list"},
	} {
		out, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), "GUESTGATE_DATABASE_URL") || !strings.Contains(err.Error(), "--database-url") {
			t.Errorf("%v without a database = %v\n%s", args, err, out)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("commands without a database wrote %v", entries)
	}
	db := filepath.Join(dir, "chosen.db")
	if out, err := run(t, "tenant", "create", "--database-url", db, "--name", "Fabrikam", "--domain", "fabrikam.example"); err != nil {
		t.Fatalf("tenant create with an explicit SQLite file = %v\n%s", err, out)
	}
	t.Setenv("GUESTGATE_DATABASE_URL", db)
	if out, err := run(t, "tenant", "list"); err != nil || !strings.Contains(out, "Fabrikam") {
		t.Fatalf("tenant list with GUESTGATE_DATABASE_URL = %v\n%s", err, out)
	}
}
