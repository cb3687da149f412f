package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestGuestInactivePolicyCommand: the policy is off until set; set turns
// it on with days and warning days, or off, as the operator (show says
// so); invalid settings and mixed flags are refused and leave it as it
// was.
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
			if err != nil || !strings.Contains(out, "on") || !strings.Contains(out, "90 days") || !strings.Contains(out, "set by: the operator") {
				t.Fatalf("show after refused changes: %v\n%s", err, out)
			}
			runJSON(t, &p, "guest", "inactive-policy", "set", db, "--tenant", tn.ID, "--off", "--output", "json")
			if p != (inactivePolicyJSON{}) {
				t.Fatalf("off: %+v", p)
			}
		})
	}
}

// TestPrintInactivePolicySetter: show names who set the policy, whose
// authority it disables with (R14): the operator, or the member by object
// id, in text and in JSON.
func TestPrintInactivePolicySetter(t *testing.T) {
	for _, tc := range []struct {
		rule string
		p    inactivepolicy.Policy
		text string
	}{
		{"R14_set_by_the_operator", inactivepolicy.Policy{Days: 90, WarnDays: 14}, "set by: the operator"},
		{"R14_set_by_a_member", inactivepolicy.Policy{Days: 90, WarnDays: 14, SetBy: "5d0c6e7a-0000-4000-8000-000000000001"},
			"set by: member 5d0c6e7a-0000-4000-8000-000000000001"},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			var text, js strings.Builder
			if err := printInactivePolicy(&text, "", tc.p); err != nil {
				t.Fatal(err)
			}
			if err := printInactivePolicy(&js, "json", tc.p); err != nil {
				t.Fatal(err)
			}
			var got inactivePolicyJSON
			if err := json.Unmarshal([]byte(js.String()), &got); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text.String(), tc.text) || got.SetBy != tc.p.SetBy {
				t.Fatalf("text:\n%s\njson:\n%s\nwant %q and setBy %q", text.String(), js.String(), tc.text, tc.p.SetBy)
			}
		})
	}
}
