package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSecretNeverOnTheCommandLine: --secret is refused with a message
// naming the ways to give it; GUESTGATE_SECRET_FILE (--secret-file) and
// GUESTGATE_SECRET are read; both at once are refused.
func TestSecretNeverOnTheCommandLine(t *testing.T) {
	db := "--database-url=" + filepath.Join(t.TempDir(), "cli.db")
	secret := strings.Repeat("s", 40)
	_, err := run(t, "keys", "rotate", db, "--secret", secret)
	if err == nil || !strings.Contains(err.Error(), "--secret is refused") || !strings.Contains(err.Error(), "GUESTGATE_SECRET_FILE") {
		t.Fatalf("keys rotate --secret = %v, want a refusal naming GUESTGATE_SECRET_FILE", err)
	}
	_, err = run(t, "serve", db, "--secret", secret)
	if err == nil || !strings.Contains(err.Error(), "--secret is refused") {
		t.Fatalf("serve --secret = %v, want a refusal", err)
	}

	// Signing keys are sealed with the secret: keys rotate needs it.
	if _, err := run(t, "keys", "rotate", db); err == nil || !strings.Contains(err.Error(), "GUESTGATE_SECRET") {
		t.Fatalf("keys rotate without a secret = %v, want a refusal naming GUESTGATE_SECRET", err)
	}
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte(secret+"\n"+strings.Repeat("o", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, "keys", "rotate", db, "--secret-file", file); err != nil || !strings.Contains(out, "is current") {
		t.Fatalf("keys rotate --secret-file = %q, %v", out, err)
	}
	t.Setenv("GUESTGATE_SECRET", secret)
	if out, err := run(t, "keys", "rotate", db); err != nil || !strings.Contains(out, "is current") {
		t.Fatalf("keys rotate with GUESTGATE_SECRET = %q, %v", out, err)
	}
	if _, err := run(t, "keys", "rotate", db, "--secret-file", file); err == nil || !strings.Contains(err.Error(), "one way") {
		t.Fatalf("both GUESTGATE_SECRET and a secret file = %v, want a refusal", err)
	}
	t.Setenv("GUESTGATE_SECRET", "short")
	if _, err := run(t, "keys", "rotate", db); err == nil || !strings.Contains(err.Error(), "at least 32") {
		t.Fatalf("keys rotate with a short secret = %v, want a refusal", err)
	}
}
