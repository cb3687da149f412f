package main

import (
	"context"
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/server"
	"github.com/guestgate/guestgate/internal/testenv"
)

type redemptionShow struct {
	Configuration struct {
		ODataContext     string `json:"@odata.context"`
		IsServiceDefault bool
		Redemption       struct {
			PrimaryIdentityProviderPrecedenceOrder []string
			FallbackIdentityProvider               string
		} `json:"invitationRedemptionIdentityProviderConfiguration"`
	}
	UpdatedDateTime *string
}

// TestPolicyRedemptionCommands (section 3): show prints the Graph
// configuration (the service default at first); set changes the order, the
// fallback or both, leaves the rest, and writes one audit record per change
// as the CLI; bad values are refused before anything changes.
func TestPolicyRedemptionCommands(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			db := "--database-url=" + dsn
			var tn struct{ ID string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")

			var r redemptionShow
			runJSON(t, &r, "policy", "redemption", "show", db, "--tenant", "fabrikam.example", "--output", "json")
			c := r.Configuration
			if !c.IsServiceDefault || r.UpdatedDateTime != nil || c.ODataContext != "https://graph.microsoft.com/v1.0/$metadata#policies/crossTenantAccessPolicy/default/$entity" ||
				!reflect.DeepEqual(c.Redemption.PrimaryIdentityProviderPrecedenceOrder, []string{"azureActiveDirectory", "externalFederation", "socialIdentityProviders"}) ||
				c.Redemption.FallbackIdentityProvider != "defaultConfiguredIdp" {
				t.Fatalf("S3_new_tenant_is_service_default: %+v", r)
			}

			runJSON(t, &r, "policy", "redemption", "set", db, "--tenant", tn.ID, "--fallback", "emailOneTimePasscode", "--output", "json")
			c = r.Configuration
			if c.IsServiceDefault || r.UpdatedDateTime == nil || c.Redemption.FallbackIdentityProvider != "emailOneTimePasscode" || len(c.Redemption.PrimaryIdentityProviderPrecedenceOrder) != 3 {
				t.Fatalf("S3_set_fallback_keeps_order: %+v", r)
			}
			runJSON(t, &r, "policy", "redemption", "set", db, "--tenant", tn.ID, "--order", "externalFederation, azureActiveDirectory", "--output", "json")
			c = r.Configuration
			if !reflect.DeepEqual(c.Redemption.PrimaryIdentityProviderPrecedenceOrder, []string{"externalFederation", "azureActiveDirectory"}) || c.Redemption.FallbackIdentityProvider != "emailOneTimePasscode" {
				t.Fatalf("S3_set_order_keeps_fallback: %+v", r)
			}
			runJSON(t, &r, "policy", "redemption", "set", db, "--tenant", tn.ID, "--order", "", "--output", "json")
			if got := r.Configuration.Redemption.PrimaryIdentityProviderPrecedenceOrder; got == nil || len(got) != 0 {
				t.Fatalf("S3_empty_order: %+v", r)
			}
			out, err := run(t, "policy", "redemption", "show", db, "--tenant", tn.ID)
			if err != nil || !strings.Contains(out, "primary identity providers, in order: none") || !strings.Contains(out, "fallback identity provider:           emailOneTimePasscode") {
				t.Fatalf("show as text = %v\n%s", err, out)
			}

			for _, bad := range []struct {
				rule string
				args []string
				want string
			}{
				{"S3_unknown_provider_refused", []string{"--order", "azureActiveDirectory,google"}, "google"},
				{"S3_repeated_provider_refused", []string{"--order", "socialIdentityProviders,socialIdentityProviders"}, "twice"},
				{"S3_unknown_fallback_refused", []string{"--fallback", "passkey"}, "passkey"},
				{"S3_nothing_to_set_refused", nil, "nothing to set"},
			} {
				args := append([]string{"policy", "redemption", "set", db, "--tenant", tn.ID}, bad.args...)
				if out, err := run(t, args...); err == nil || !strings.Contains(err.Error(), bad.want) {
					t.Errorf("%s: %v\n%s", bad.rule, err, out)
				}
			}
			runJSON(t, &r, "policy", "redemption", "show", db, "--tenant", tn.ID, "--output", "json")
			if r.Configuration.Redemption.FallbackIdentityProvider != "emailOneTimePasscode" || len(r.Configuration.Redemption.PrimaryIdentityProviderPrecedenceOrder) != 0 {
				t.Fatalf("the refused commands changed the configuration: %+v", r)
			}

			// One audit record per change, as the CLI, newest first.
			cfg := server.Defaults()
			cfg.DatabaseURL = dsn
			srv, err := server.OpenBase(context.Background(), cfg, server.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			recs, err := srv.DB().ListAudits(context.Background(), tn.ID, 0, 0)
			if err != nil || len(recs) != 3 {
				t.Fatalf("audit records = %d, %v; want 3", len(recs), err)
			}
			for _, rec := range recs {
				if rec.Activity != "Update the company default cross-tenant access setting" || rec.Category != "CrossTenantAccessSettings" || rec.InitiatedBy.AppName != "guestgate CLI" {
					t.Fatalf("S3_change_audited_as_cli: %+v", rec)
				}
			}
			if m := recs[0].Targets[0].Modified; len(m) != 1 || m[0].Property != "primaryIdentityProviderPrecedenceOrder" || m[0].Old != `["externalFederation","azureActiveDirectory"]` || m[0].New != `[]` {
				t.Fatalf("S3_newest_record_old_and_new: %+v", recs[0].Targets)
			}
		})
	}
}

// TestTenantUpdatePrivacyURL: tenant update sets, shows and clears the
// privacy statement URL, and refuses what guests should not be sent to.
func TestTenantUpdatePrivacyURL(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			var tn tenantJSON
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
			if tn.PrivacyURL != "" {
				t.Fatalf("a new tenant has privacy URL %q", tn.PrivacyURL)
			}
			var got tenantJSON
			runJSON(t, &got, "tenant", "update", db, "--tenant", "fabrikam.example", "--privacy-url", "https://fabrikam.example/privacy", "--output", "json")
			if got.ID != tn.ID || got.DisplayName != "Fabrikam" || got.PrivacyURL != "https://fabrikam.example/privacy" {
				t.Fatalf("privacy_url_set: %+v", got)
			}
			var list struct{ Value []tenantJSON }
			runJSON(t, &list, "tenant", "list", db, "--output", "json")
			if len(list.Value) != 1 || list.Value[0].PrivacyURL != "https://fabrikam.example/privacy" {
				t.Fatalf("privacy_url_listed: %+v", list)
			}
			for _, bad := range []string{"http://fabrikam.example/privacy", "javascript:alert(1)", "/privacy"} {
				if out, err := run(t, "tenant", "update", db, "--tenant", tn.ID, "--privacy-url", bad); err == nil || !strings.Contains(err.Error(), "privacy") {
					t.Errorf("privacy_url_%q_refused: %v\n%s", bad, err, out)
				}
			}
			out, err := run(t, "tenant", "update", db, "--tenant", tn.ID, "--privacy-url", "")
			if err != nil || !strings.Contains(out, "has no privacy statement URL") {
				t.Fatalf("privacy_url_cleared: %v\n%s", err, out)
			}
			if out, err := run(t, "tenant", "update", db, "--tenant", tn.ID); err == nil {
				t.Fatalf("update without --privacy-url succeeded: %s", out)
			}
		})
	}
}

// TestRedemptionCommandsHaveHelp: the new subcommands answer --help.
func TestRedemptionCommandsHaveHelp(t *testing.T) {
	for _, args := range [][]string{{"policy", "redemption", "show"}, {"policy", "redemption", "set"}, {"tenant", "update"}} {
		out, err := run(t, append(args, "--help")...)
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "GUESTGATE_DATABASE_URL") {
			t.Errorf("%v --help = %v\n%s", args, err, out)
		}
	}
}
