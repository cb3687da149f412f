package main

import (
	"testing"

	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestAutoEnableDateReachesThePolicy (security round 2, tests a mutation
// showed missing): the configured --otp-auto-enable-date
// (GUESTGATE_OTP_AUTO_ENABLE_DATE) is the date the policy service
// decides with, not the default: a public-cloud tenant left at "default"
// has passcodes on after the default date (2021-10-01) and off while a
// configured date is still ahead (section 4).
func TestAutoEnableDateReachesThePolicy(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			var tn struct{ ID string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
			show := func(extra ...string) policyShow {
				t.Helper()
				var p policyShow
				runJSON(t, &p, append([]string{"policy", "email", "show", db, "--tenant", tn.ID, "--output", "json"}, extra...)...)
				return p
			}
			if p := show(); p.Configuration.AllowExternal != "default" || p.Effective.State != "enabled" || p.Effective.Reason != string(policy.ReasonAutoEnabled) {
				t.Fatalf("S4_default_date_passed: %+v", p)
			}
			if p := show("--otp-auto-enable-date", "2999-01-01"); p.Effective.State != "disabled" || p.Effective.Reason != string(policy.ReasonBeforeAutoEnable) {
				t.Fatalf("S4_configured_date_ahead (flag): %+v", p)
			}
			t.Setenv("GUESTGATE_OTP_AUTO_ENABLE_DATE", "2999-01-01")
			if p := show(); p.Effective.State != "disabled" || p.Effective.Reason != string(policy.ReasonBeforeAutoEnable) {
				t.Fatalf("S4_configured_date_ahead (variable): %+v", p)
			}
		})
	}
}
