package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestUnmanagedRedemptionSetting: --unmanaged-redemption and
// GUESTGATE_UNMANAGED_REDEMPTION take seed or retired (R12); any other
// value stops serve with a message naming the variable.
func TestUnmanagedRedemptionSetting(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	t.Setenv("GUESTGATE_SECRET", strings.Repeat("s", 40))
	t.Setenv("GUESTGATE_SMTP_URL", "smtp://127.0.0.1:1?tls=none")
	_, err := run(t, "serve", "--database-url", db, "--unmanaged-redemption", "sometimes")
	if err == nil || !strings.Contains(err.Error(), "GUESTGATE_UNMANAGED_REDEMPTION") {
		t.Fatalf("serve --unmanaged-redemption=sometimes = %v, want a refusal naming the variable", err)
	}
	t.Setenv("GUESTGATE_UNMANAGED_REDEMPTION", "never")
	_, err = run(t, "serve", "--database-url", db)
	if err == nil || !strings.Contains(err.Error(), `"never"`) {
		t.Fatalf("serve with GUESTGATE_UNMANAGED_REDEMPTION=never = %v, want a refusal", err)
	}
	out, err := run(t, "serve", "--help")
	if err != nil || !strings.Contains(out, "--unmanaged-redemption") || !strings.Contains(out, "GUESTGATE_UNMANAGED_REDEMPTION") {
		t.Fatalf("serve --help = %v:\n%s", err, out)
	}
}
