package console

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestInactivePolicyConsole: the Inactive guests page shows the policy off
// by default; the form turns it on with its days and off again, each
// change recorded as the member's, and the policy remembers the member
// who set it (it disables with their authority, R14), which the page
// says; values the policy refuses are a 400
// that leaves it as it was. Both engines.
func TestInactivePolicyConsole(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			c := newInactiveConsole(t, e.DSN(t))
			c.h.d.InactivePolicy = inactivepolicy.Settings{Store: c.db, Audit: c.db, Tx: c.db, Clock: c.h.d.Clock}
			post := func(f url.Values) answer {
				f.Set("csrf", c.h.csrfSign(c.cookie))
				return c.post("POST /admin/guests/inactive/policy", "application/x-www-form-urlencoded", strings.NewReader(f.Encode()), nil)
			}
			stored := func() inactivepolicy.Policy {
				p, err := c.db.GetInactivePolicy(context.Background(), c.as.Tenant.ID)
				if err != nil {
					t.Fatal(err)
				}
				return p
			}
			// The acting member, as the directory has them (the page names the
			// policy's setter).
			me := c.as.User
			me.TenantID, me.DisplayName, me.AccountEnabled = c.as.Tenant.ID, "Kim", true
			if err := c.db.CreateUser(context.Background(), me); err != nil {
				t.Fatal(err)
			}
			page := c.get("GET /admin/guests/inactive")
			if page.code != http.StatusOK || !strings.Contains(page.body, `id="policy-form"`) || !strings.Contains(page.body, "Off: no guest") {
				t.Fatalf("page shows the policy off: %d\n%s", page.code, page.body)
			}
			if a := post(url.Values{"enabled": {"on"}, "days": {"90"}, "warn_days": {"14"}}); a.code != http.StatusSeeOther {
				t.Fatalf("turn on: %d\n%s", a.code, a.body)
			}
			if p := stored(); p.Days != 90 || p.WarnDays != 14 || p.SetBy != c.as.User.ID {
				t.Fatalf("stored %+v, want 90/14 set by the acting member %s (R14)", p, c.as.User.ID)
			}
			for _, bad := range []struct {
				rule string
				f    url.Values
			}{
				{"warning_not_shorter_than_days", url.Values{"enabled": {"on"}, "days": {"10"}, "warn_days": {"10"}}},
				{"days_not_a_number", url.Values{"enabled": {"on"}, "days": {"ninety"}, "warn_days": {"14"}}},
				{"days_beyond_ten_years", url.Values{"enabled": {"on"}, "days": {"4000"}, "warn_days": {"14"}}},
			} {
				if a := post(bad.f); a.code != http.StatusBadRequest {
					t.Errorf("%s: %d, want 400", bad.rule, a.code)
				}
			}
			if p := stored(); p.Days != 90 || p.WarnDays != 14 {
				t.Fatalf("refused changes changed the policy: %+v", p)
			}
			page = c.get("GET /admin/guests/inactive?policy=saved")
			if !strings.Contains(page.body, "On: guests inactive for 90 days") || !strings.Contains(page.body, "is saved") ||
				!strings.Contains(page.body, `<p id="policy-set-by">Set by `+html.EscapeString("Kim ("+me.UserPrincipalName+")")) {
				t.Fatalf("page after saving:\n%s", page.body)
			}
			if a := post(url.Values{"days": {"90"}, "warn_days": {"14"}}); a.code != http.StatusSeeOther || stored().On() {
				t.Fatalf("turn off: %d, policy %+v", a.code, stored())
			}
			recs, err := c.db.ListAudits(context.Background(), c.as.Tenant.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range recs {
				if r.Activity == inactivepolicy.ActivityUpdatePolicy && r.InitiatedBy.UserID == c.as.User.ID {
					n++
				}
			}
			if n != 2 {
				t.Fatalf("%d policy records by the member, want 2 (on, off)", n)
			}
		})
	}
}
