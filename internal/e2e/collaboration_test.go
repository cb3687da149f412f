package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestCollaborationSettingsAPI: authorizationPolicy answers Graph's shape
// with allowInvitesFrom and guestUserRoleId and takes PATCH (204); an
// unknown allowInvitesFrom is 400. b2bManagementPolicy holds the domain
// list: with a deny list an invitation to that domain (or a subdomain) is
// 400 with the collaboration-restrictions message and creates no user;
// with an allow list only listed domains are invited; both lists at once
// are 400; a reset of redemption to a new address obeys the lists too.
// Without Policy.ReadWrite.Authorization a change is 403.
func TestCollaborationSettingsAPI(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "Policy.ReadWrite.Authorization", "User.Invite.All", "User.ReadWrite.All")
		_, reader := in.TenantWithAdmin("Contoso", "contoso.example", "Policy.Read.All")
		authz := in.URL + "/v1.0/policies/authorizationPolicy"
		b2b := in.URL + "/v1.0/policies/b2bManagementPolicy"

		var got map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, authz, nil, &got); s != 200 || got["allowInvitesFrom"] != "everyone" ||
			got["guestUserRoleId"] != "10dae51f-b6af-4016-8d66-8c2a99b929b3" || got["@odata.type"] != "#microsoft.graph.authorizationPolicy" || got["id"] != "authorizationPolicy" {
			t.Fatalf("GET authorizationPolicy = %d %v", s, got)
		}
		if s := e2etest.API(t, admin, http.MethodPatch, authz, map[string]any{"allowInvitesFrom": "adminsAndGuestInviters", "guestUserRoleId": "2af84b1e-32c8-42b7-82bc-daa82404023b"}, nil); s != 204 {
			t.Fatalf("PATCH authorizationPolicy = %d", s)
		}
		e2etest.API(t, admin, http.MethodGet, authz, nil, &got)
		if got["allowInvitesFrom"] != "adminsAndGuestInviters" || got["guestUserRoleId"] != "2af84b1e-32c8-42b7-82bc-daa82404023b" {
			t.Fatalf("after PATCH: %v", got)
		}
		if s := e2etest.API(t, admin, http.MethodPatch, authz, map[string]any{"allowInvitesFrom": "admins"}, nil); s != 400 {
			t.Fatalf("unknown allowInvitesFrom = %d, want 400", s)
		}
		if s := e2etest.API(t, reader, http.MethodPatch, authz, map[string]any{"allowInvitesFrom": "none"}, nil); s != 403 {
			t.Fatalf("PATCH with Policy.Read.All = %d, want 403", s)
		}

		deny := map[string]any{"invitationsAllowedAndBlockedDomainsPolicy": map[string]any{"blockedDomains": []string{"Denied.example"}}}
		if s := e2etest.API(t, admin, http.MethodPatch, b2b, deny, nil); s != 204 {
			t.Fatalf("PATCH b2bManagementPolicy = %d", s)
		}
		var pol struct {
			Domains struct{ AllowedDomains, BlockedDomains []string } `json:"invitationsAllowedAndBlockedDomainsPolicy"`
		}
		if s := e2etest.API(t, admin, http.MethodGet, b2b, nil, &pol); s != 200 || len(pol.Domains.BlockedDomains) != 1 || pol.Domains.BlockedDomains[0] != "denied.example" || len(pol.Domains.AllowedDomains) != 0 {
			t.Fatalf("GET b2bManagementPolicy = %d %+v", s, pol)
		}
		inviteURL := in.URL + "/v1.0/invitations"
		inv := func(addr string) (int, string) {
			var e struct {
				Error struct{ Code, Message string }
			}
			s := e2etest.API(t, admin, http.MethodPost, inviteURL, map[string]any{"invitedUserEmailAddress": addr, "inviteRedirectUrl": "https://app.example/"}, &e)
			return s, e.Error.Message
		}
		for _, addr := range []string{"kim@denied.example", "kim@eu.denied.example"} {
			s, msg := inv(addr)
			if s != 400 || msg != deniedDomainMessage(strings.SplitN(addr, "@", 2)[1]) {
				t.Fatalf("invite %s = %d %q", addr, s, msg)
			}
		}
		var users struct{ Value []map[string]any }
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users", nil, &users)
		if len(users.Value) != 0 {
			t.Fatalf("a refused invitation created users: %v", users.Value)
		}
		if s, _ := inv("kim@partner.example"); s != 201 {
			t.Fatalf("invite outside the deny list = %d", s)
		}

		allow := map[string]any{"invitationsAllowedAndBlockedDomainsPolicy": map[string]any{"allowedDomains": []string{"partner.example"}, "blockedDomains": []string{}}}
		if s := e2etest.API(t, admin, http.MethodPatch, b2b, allow, nil); s != 204 {
			t.Fatalf("PATCH allow list = %d", s)
		}
		if s, msg := inv("lee@other.example"); s != 400 || msg != deniedDomainMessage("other.example") {
			t.Fatalf("invite off the allow list = %d %q", s, msg)
		}
		if s, _ := inv("lee@partner.example"); s != 201 {
			t.Fatalf("invite on the allow list = %d", s)
		}
		// A reset of redemption to a new address obeys the same lists.
		var lee struct{ Value []struct{ ID string } }
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users?$filter=mail%20eq%20'lee@partner.example'", nil, &lee)
		if len(lee.Value) != 1 {
			t.Fatalf("lee's user: %+v", lee)
		}
		var e struct{ Error struct{ Message string } }
		if s := e2etest.API(t, admin, http.MethodPost, inviteURL, map[string]any{"invitedUserEmailAddress": "lee@other.example", "inviteRedirectUrl": "https://app.example/",
			"resetRedemption": true, "invitedUser": map[string]any{"id": lee.Value[0].ID}}, &e); s != 400 || e.Error.Message != deniedDomainMessage("other.example") {
			t.Fatalf("reset to an address off the allow list = %d %q", s, e.Error.Message)
		}
		both := map[string]any{"invitationsAllowedAndBlockedDomainsPolicy": map[string]any{"allowedDomains": []string{"a.example"}, "blockedDomains": []string{"b.example"}}}
		if s := e2etest.API(t, admin, http.MethodPatch, b2b, both, nil); s != 400 {
			t.Fatalf("both lists = %d, want 400", s)
		}
	})
}

// deniedDomainMessage is what the API and the console say when the
// collaboration restrictions block an invitation.
func deniedDomainMessage(domain string) string {
	return "Invitations to " + domain + " are blocked by this organization's collaboration restrictions (external collaboration settings)."
}
