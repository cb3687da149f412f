package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/testenv"
)

// runJSON runs the CLI and decodes its one JSON object into out.
func runJSON(t *testing.T, out any, args ...string) {
	t.Helper()
	got, err := run(t, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, got)
	}
	if err := json.Unmarshal([]byte(got), out); err != nil {
		t.Fatalf("%v printed %q: %v", args, got, err)
	}
}

type policyShow struct {
	Configuration struct {
		ODataType     string `json:"@odata.type"`
		ID            string `json:"id"`
		AllowExternal string `json:"allowExternalIdToUseEmailOtp"`
	}
	PreviewOptIn bool
	Effective    struct{ State, Reason string }
}

// TestPolicyEmailCommands: show prints the configuration and the effective
// state with its reason; set changes allowExternalIdToUseEmailOtp, and
// default returns a preview tenant to the three options (section 4).
func TestPolicyEmailCommands(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			var tn struct{ ID string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--preview-opt-in", "--output", "json")

			var p policyShow
			runJSON(t, &p, "policy", "email", "show", db, "--tenant", "fabrikam.example", "--output", "json")
			if p.Configuration.ODataType != "#microsoft.graph.emailAuthenticationMethodConfiguration" || p.Configuration.ID != "Email" ||
				p.Configuration.AllowExternal != "default" || !p.PreviewOptIn || p.Effective.State != "disabled" || !strings.Contains(p.Effective.Reason, "preview") {
				t.Fatalf("S4_preview_tenant_does_not_auto_enable: %+v", p)
			}
			runJSON(t, &p, "policy", "email", "set", db, "--tenant", tn.ID, "enabled", "--output", "json")
			if p.Configuration.AllowExternal != "enabled" || !p.PreviewOptIn || p.Effective.State != "enabled" {
				t.Fatalf("R8_set_enabled: %+v", p)
			}
			runJSON(t, &p, "policy", "email", "set", db, "--tenant", tn.ID, "default", "--output", "json")
			if p.Configuration.AllowExternal != "default" || p.PreviewOptIn || p.Effective.State != "enabled" || !strings.Contains(p.Effective.Reason, "auto-enable") {
				t.Fatalf("S4_default_returns_preview_tenant_to_three_options: %+v", p)
			}
			out, err := run(t, "policy", "email", "show", db, "--tenant", tn.ID)
			if err != nil || !strings.Contains(out, "passcodes for guests of Fabrikam: enabled") || !strings.Contains(out, "preview opt-in:               false") {
				t.Fatalf("show as text = %v\n%s", err, out)
			}
			if out, err := run(t, "policy", "email", "set", db, "--tenant", tn.ID, "on"); err == nil || !strings.Contains(err.Error(), "default, enabled or disabled") {
				t.Fatalf("S4_unknown_value_refused: %v\n%s", err, out)
			}
		})
	}
}

// TestUserResetRedemptionCommand (R7): the guest keeps its object id, goes
// back to PendingAcceptance at the new address, with a new redeem link.
func TestUserResetRedemptionCommand(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			var tn struct{ ID string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--output", "json")
			if out, err := run(t, "migrate", db, "--public-url", "https://login.fabrikam.example"); err != nil {
				t.Fatalf("migrate --public-url: %v\n%s", err, out)
			}
			var inv struct {
				InviteRedeemURL string
				InvitedUser     struct{ ID string }
			}
			runJSON(t, &inv, "invite", db, "--tenant", tn.ID, "--email", "teri@gmail.example", "--redirect-url", "https://apps.fabrikam.example", "--output", "json")

			var reset struct {
				ResetRedemption         bool
				Status                  string
				InvitedUserEmailAddress string
				InviteRedeemURL         string
				InvitedUser             struct{ ID string }
			}
			runJSON(t, &reset, "user", "reset-redemption", db, "--tenant", tn.ID, "--user", inv.InvitedUser.ID,
				"--email", "teri@outlook.example", "--redirect-url", "https://apps.fabrikam.example", "--output", "json")
			if !reset.ResetRedemption || reset.Status != "PendingAcceptance" || reset.InvitedUser.ID != inv.InvitedUser.ID ||
				reset.InvitedUserEmailAddress != "teri@outlook.example" || reset.InviteRedeemURL == "" || reset.InviteRedeemURL == inv.InviteRedeemURL {
				t.Fatalf("R7_reset_keeps_object_id: %+v", reset)
			}
			if out, err := run(t, "user", "reset-redemption", db, "--tenant", tn.ID, "--user", "00000000-0000-0000-0000-000000000000", "--redirect-url", "https://x.example"); err == nil {
				t.Fatalf("reset of an unknown user succeeded: %s", out)
			}
			if out, err := run(t, "user", "reset-redemption", db, "--tenant", tn.ID, "--user", inv.InvitedUser.ID, "--redirect-url", "ftp://x.example"); err == nil || !strings.Contains(err.Error(), "inviteRedirectUrl") {
				t.Fatalf("a bad redirect URL: %v\n%s", err, out)
			}
		})
	}
}

// TestPolicyCommandsHaveHelp: the new subcommands answer --help.
func TestPolicyCommandsHaveHelp(t *testing.T) {
	for _, args := range [][]string{{"policy", "email", "show"}, {"policy", "email", "set"}, {"user", "reset-redemption"}} {
		out, err := run(t, append(args, "--help")...)
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "GUESTGATE_DATABASE_URL") {
			t.Errorf("%v --help = %v\n%s", args, err, out)
		}
	}
}
