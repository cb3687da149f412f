package e2e

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestUserPropertiesAndSignInActivity (issue 22, items 1 and 2): the
// guest-report script's requests: $select of directory properties and
// signInActivity, PATCH {"department":"Sales"}, and Graph's stale-guest
// filter signInActivity/lastSignInDateTime le …, after a real sign-in.
func TestUserPropertiesAndSignInActivity(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.ReadWrite.All", "User.Invite.All", "AuditLog.Read.All")
		_, reader := in.TenantWithAdmin("Contoso", "contoso.example", "User.ReadWrite.All", "User.Invite.All")
		id, link := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")
		users := in.URL + "/v1.0/users"

		var u map[string]any
		sel := users + "/" + id + "?$select=id,department,companyName,signInActivity,businessPhones,onPremisesSyncEnabled"
		if s := e2etest.API(t, admin, http.MethodGet, sel, nil, &u); s != http.StatusOK || u["department"] != nil || u["companyName"] != nil ||
			u["onPremisesSyncEnabled"] != nil || len(u["businessPhones"].([]any)) != 0 {
			t.Fatalf("GET %s = %d %v", sel, s, u)
		}
		if a := u["signInActivity"].(map[string]any); a["lastSignInDateTime"] != nil {
			t.Fatalf("signInActivity before any sign-in = %v", a)
		}

		if s := e2etest.API(t, admin, http.MethodPatch, users+"/"+id, map[string]any{"department": "Sales", "companyName": "Teri Consulting"}, nil); s != http.StatusNoContent {
			t.Fatalf("PATCH department = %d", s)
		}
		redeemByPasscode(t, in, e2etest.NewBrowser(t), link, "teri@gmail.example")

		if s := e2etest.API(t, admin, http.MethodGet, sel, nil, &u); s != http.StatusOK || u["department"] != "Sales" || u["companyName"] != "Teri Consulting" {
			t.Fatalf("after PATCH: %d %v", s, u)
		}
		a := u["signInActivity"].(map[string]any)
		last, err := time.Parse(time.RFC3339, a["lastSignInDateTime"].(string))
		if err != nil || a["lastSuccessfulSignInDateTime"] != a["lastSignInDateTime"] || a["lastSignInRequestId"] == nil ||
			a["lastSignInRequestId"] != a["lastSuccessfulSignInRequestId"] {
			t.Fatalf("signInActivity after the redemption = %v (%v)", a, err)
		}
		// The request id is the sign-in log entry's id.
		var entry map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns/"+a["lastSignInRequestId"].(string), nil, &entry); s != http.StatusOK || entry["userId"] != id {
			t.Fatalf("the sign-in of lastSignInRequestId = %d %v", s, entry)
		}

		list := func(c *http.Client, filter string) (int, []string) {
			var page struct {
				Value []struct{ ID string }
			}
			s := e2etest.API(t, c, http.MethodGet, users+"?$filter="+url.QueryEscape(filter)+"&$select=id,signInActivity", nil, &page)
			var ids []string
			for _, v := range page.Value {
				ids = append(ids, v.ID)
			}
			return s, ids
		}
		after := last.Add(time.Hour).Format(time.RFC3339)
		if s, ids := list(admin, "signInActivity/lastSignInDateTime le "+after); s != http.StatusOK || len(ids) != 1 || ids[0] != id {
			t.Fatalf("le %s = %d %v, want the guest", after, s, ids)
		}
		if s, ids := list(admin, "signInActivity/lastSignInDateTime ge "+after); s != http.StatusOK || len(ids) != 0 {
			t.Fatalf("ge %s = %d %v, want none", after, s, ids)
		}
		// Without AuditLog.Read.All, Graph refuses signInActivity.
		if s, _ := list(reader, "signInActivity/lastSignInDateTime le "+after); s != http.StatusForbidden {
			t.Fatalf("filter without AuditLog.Read.All = %d, want 403", s)
		}
	})
}
