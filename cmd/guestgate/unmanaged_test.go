package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
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

// TestPublicMailDomainsSetting (R15): --public-mail-domains and
// GUESTGATE_PUBLIC_MAIL_DOMAINS (comma-separated) reach the configuration,
// the flag over the variable; a malformed domain stops serve with a
// message naming the variable.
func TestPublicMailDomainsSetting(t *testing.T) {
	root := &cobra.Command{Use: "guestgate", RunE: func(*cobra.Command, []string) error { return nil }}
	f := bindConfigFlags(root)
	t.Setenv("GUESTGATE_PUBLIC_MAIL_DOMAINS", "mail.example.net,webmail.example.org")
	if err := root.ParseFlags(nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := f.load(root)
	if err != nil || !slices.Equal(cfg.PublicMailDomains, []string{"mail.example.net", "webmail.example.org"}) {
		t.Fatalf("from the variable: %q, %v", cfg.PublicMailDomains, err)
	}
	root = &cobra.Command{Use: "guestgate", RunE: func(*cobra.Command, []string) error { return nil }}
	f = bindConfigFlags(root)
	if err := root.ParseFlags([]string{"--public-mail-domains", "flag.example"}); err != nil {
		t.Fatal(err)
	}
	if cfg, err = f.load(root); err != nil || !slices.Equal(cfg.PublicMailDomains, []string{"flag.example"}) {
		t.Fatalf("the flag over the variable: %q, %v", cfg.PublicMailDomains, err)
	}

	db := filepath.Join(t.TempDir(), "x.db")
	t.Setenv("GUESTGATE_SECRET", strings.Repeat("s", 40))
	t.Setenv("GUESTGATE_SMTP_URL", "smtp://127.0.0.1:1?tls=none")
	t.Setenv("GUESTGATE_PUBLIC_MAIL_DOMAINS", "not a domain")
	if _, err := run(t, "serve", "--database-url", db); err == nil || !strings.Contains(err.Error(), "GUESTGATE_PUBLIC_MAIL_DOMAINS") {
		t.Fatalf("serve with a malformed public mail domain = %v, want a refusal naming the variable", err)
	}
}
