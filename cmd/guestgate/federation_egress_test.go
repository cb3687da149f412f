package main

import (
	"testing"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/server"
)

// loadConfig parses args (and GUESTGATE_* variables) as every command does.
func loadConfig(t *testing.T, args ...string) server.Config {
	t.Helper()
	root := &cobra.Command{Use: "guestgate", SilenceUsage: true}
	f := bindConfigFlags(root)
	var cfg server.Config
	root.RunE = func(cmd *cobra.Command, _ []string) error {
		var err error
		cfg, err = f.load(cmd)
		return err
	}
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestFederationEgressSettings (issue 20, finding 4): by default partners'
// identity providers are reached over https at public addresses only; the
// development switch and the allow-list are set only explicitly, by flag
// or variable.
func TestFederationEgressSettings(t *testing.T) {
	if cfg := loadConfig(t); cfg.FederationAllowHTTP || cfg.FederationAllowAddresses != "" {
		t.Fatalf("F4_production_default: allow http %v, allow-list %q; want neither", cfg.FederationAllowHTTP, cfg.FederationAllowAddresses)
	}
	if cfg := loadConfig(t, "--federation-allow-http", "--federation-allow-addresses", "10.20.0.0/16,adfs.corp.example:443"); !cfg.FederationAllowHTTP || cfg.FederationAllowAddresses != "10.20.0.0/16,adfs.corp.example:443" {
		t.Fatalf("flags: %v %q", cfg.FederationAllowHTTP, cfg.FederationAllowAddresses)
	}
	t.Setenv("GUESTGATE_FEDERATION_ALLOW_HTTP", "true")
	t.Setenv("GUESTGATE_FEDERATION_ALLOW_ADDRESSES", "127.0.0.1:8443")
	if cfg := loadConfig(t); !cfg.FederationAllowHTTP || cfg.FederationAllowAddresses != "127.0.0.1:8443" {
		t.Fatalf("variables: %v %q", cfg.FederationAllowHTTP, cfg.FederationAllowAddresses)
	}
}
