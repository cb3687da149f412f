package main

import (
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/testenv"
)

// TestGuestInactivePolicyCommand: the policy is off until set; set turns
// it on with days and warning days, or off; invalid settings and mixed
// flags are refused and leave it as it was.
func TestGuestInactivePolicyCommand(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			var tn struct{ ID string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
			var p inactivePolicyJSON
			runJSON(t, &p, "guest", "inactive-policy", "show", db, "--tenant", tn.ID, "--output", "json")
			if p != (inactivePolicyJSON{}) {
				t.Fatalf("default policy: %+v, want off", p)
			}
			runJSON(t, &p, "guest", "inactive-policy", "set", db, "--tenant", "fabrikam.example", "--days", "90", "--warn-days", "14", "--output", "json")
			if p != (inactivePolicyJSON{Enabled: true, Days: 90, WarnDays: 14}) {
				t.Fatalf("set: %+v", p)
			}
			for _, bad := range []struct {
				rule string
				args []string
				want string
			}{
				{"warning_not_shorter_than_days", []string{"--days", "10", "--warn-days", "14"}, "warn days"},
				{"days_beyond_ten_years", []string{"--days", "4000"}, "days"},
				{"off_and_days", []string{"--off", "--days", "30"}, "choose one"},
				{"neither", nil, "--days"},
			} {
				args := append([]string{"guest", "inactive-policy", "set", db, "--tenant", tn.ID}, bad.args...)
				if out, err := run(t, args...); err == nil || !strings.Contains(err.Error(), bad.want) {
					t.Errorf("%s: %v\n%s", bad.rule, err, out)
				}
			}
			out, err := run(t, "guest", "inactive-policy", "show", db, "--tenant", tn.ID)
			if err != nil || !strings.Contains(out, "on") || !strings.Contains(out, "90 days") {
				t.Fatalf("show after refused changes: %v\n%s", err, out)
			}
			runJSON(t, &p, "guest", "inactive-policy", "set", db, "--tenant", tn.ID, "--off", "--output", "json")
			if p != (inactivePolicyJSON{}) {
				t.Fatalf("off: %+v", p)
			}
		})
	}
}
