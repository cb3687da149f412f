package console

import (
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/policy"
)

// TestPaneOf: the email OTP pane's forms as DESIGN section 4 says (R11).
func TestPaneOf(t *testing.T) {
	auto := time.Date(2021, 10, 1, 0, 0, 0, 0, time.UTC)
	public := directory.Tenant{Cloud: directory.CloudPublic}
	view := func(v policy.AllowExternal, preview, enabled bool) policy.View {
		return policy.View{Stored: policy.Stored{Config: policy.EmailConfig{AllowExternal: v}, PreviewOptIn: preview}, Effective: policy.Effective{Enabled: enabled}}
	}
	cases := []struct {
		rule, name string
		t          directory.Tenant
		v          policy.View
		form       otpForm
		values     []string
	}{
		{"R11", "default_offers_automatic_enable", public, view(policy.AllowDefault, false, true), formThree, []string{"default", "enabled", "disabled"}},
		{"R11", "explicit_enable_drops_automatic", public, view(policy.AllowEnabled, false, true), formThree, []string{"enabled", "disabled"}},
		{"R11", "explicit_disable_drops_automatic", public, view(policy.AllowDisabled, false, false), formThree, []string{"enabled", "disabled"}},
		{"R11", "preview_tenant_yes_no", public, view(policy.AllowDefault, true, false), formYesNo, []string{"enabled", "disabled"}},
		{"R11", "us_government_yes_no", directory.Tenant{Cloud: directory.CloudUSGov}, view(policy.AllowDefault, false, false), formYesNo, []string{"enabled", "disabled"}},
	}
	for _, c := range cases {
		t.Run(c.rule+"_"+c.name, func(t *testing.T) {
			d := paneOf("en", c.t, c.v, auto)
			var got []string
			for _, o := range d.Options {
				got = append(got, o.Value)
			}
			if d.Form != c.form || len(got) != len(c.values) {
				t.Fatalf("pane = %s %v, want %s %v", d.Form, got, c.form, c.values)
			}
			for i := range got {
				if got[i] != c.values[i] {
					t.Fatalf("options = %v, want %v", got, c.values)
				}
			}
			if c.form == formThree && c.values[0] == "default" && d.Options[0].Label != "Automatically enable email one-time passcode for guests after 2021-10-01" {
				t.Fatalf("automatic option = %q", d.Options[0].Label)
			}
			if c.t.Cloud == directory.CloudUSGov && d.Breadcrumb != "Organizational relationships > All identity providers > Email one-time passcode" {
				t.Fatalf("US Government breadcrumb = %q", d.Breadcrumb)
			}
		})
	}
}

// TestDeniedDomainMessage: the console says what the API says.
func TestDeniedDomainMessage(t *testing.T) {
	err := &collab.DomainError{Domain: "denied.example"}
	if got, _ := invitationMessage(i18n.Default, err); got != err.Error() {
		t.Fatalf("console %q, API %q", got, err.Error())
	}
	if got, _ := invitationMessage("ja", err); got == err.Error() || got == "" {
		t.Fatalf("no Japanese message: %q", got)
	}
}
