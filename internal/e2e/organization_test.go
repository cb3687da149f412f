package e2e

import (
	"context"
	"net/http"
	"testing"

	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/member"
)

// TestOrganizationAndMe (issue 22 item 10): GET /v1.0/organization and
// /organization/{id} answer the caller's tenant as Graph's organization
// (id, displayName, verifiedDomains with name, type Managed, isDefault,
// isInitial, capabilities, tenantType AAD), as scripts read the tenant
// id; another tenant's id is 404. GET /v1.0/me answers the signed-in
// member of a delegated token in Graph's default property set; an
// app-only token gets Graph's 400.
func TestOrganizationAndMe(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		ctx := context.Background()
		const pw = "tulip-Quarry-2026"
		tn, ga, err := in.Srv.CreateTenantWithAdmin(ctx, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}},
			member.NewMember{UserPrincipalName: "admin@fabrikam.example", DisplayName: "Admin", Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		_, app := in.TenantWithAdminIn(tn, "Directory.Read.All")
		other, _ := in.TenantWithAdmin("Contoso", "contoso.example", "Directory.Read.All")
		_, noPerm := in.TenantWithAdminIn(tn, "User.Invite.All")

		var list struct {
			Context string           `json:"@odata.context"`
			Value   []map[string]any `json:"value"`
		}
		if s := e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/organization", nil, &list); s != http.StatusOK || len(list.Value) != 1 ||
			list.Context != "https://graph.microsoft.com/v1.0/$metadata#organization" {
			t.Fatalf("GET /organization = %d %+v", s, list)
		}
		org := list.Value[0]
		if org["id"] != tn.ID || org["displayName"] != "Fabrikam" || org["tenantType"] != "AAD" {
			t.Fatalf("organization = %v", org)
		}
		domains, _ := org["verifiedDomains"].([]any)
		found := map[string]map[string]any{}
		for _, d := range domains {
			m := d.(map[string]any)
			found[m["name"].(string)] = m
		}
		if len(found) != len(tn.Domains) {
			t.Fatalf("verifiedDomains = %v, want %v", domains, tn.Domains)
		}
		initial, custom := found[tn.InitialDomain], found["fabrikam.example"]
		if initial == nil || initial["isInitial"] != true || initial["isDefault"] != true || initial["type"] != "Managed" || initial["capabilities"] != "Email" ||
			custom == nil || custom["isInitial"] != false || custom["isDefault"] != false || custom["type"] != "Managed" {
			t.Fatalf("verifiedDomains = %v", domains)
		}
		var one map[string]any
		if s := e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/organization/"+tn.ID, nil, &one); s != http.StatusOK || one["id"] != tn.ID ||
			one["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#organization/$entity" {
			t.Fatalf("GET /organization/{id} = %d %v", s, one)
		}
		if s := e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/organization/"+other.ID, nil, nil); s != http.StatusNotFound {
			t.Fatalf("GET another tenant's organization = %d, want 404", s)
		}
		if s := e2etest.API(t, noPerm, http.MethodGet, in.URL+"/v1.0/organization", nil, nil); s != http.StatusForbidden {
			t.Fatalf("GET /organization without a read permission = %d, want 403", s)
		}

		var e struct {
			Error struct{ Code, Message string }
		}
		if s := e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/me", nil, &e); s != http.StatusBadRequest || e.Error.Code != "BadRequest" ||
			e.Error.Message != "/me request is only valid with delegated authentication flow." {
			t.Fatalf("GET /me app-only = %d %+v", s, e)
		}
		tool := adminTool(t, in, tn, graphScopesAsked)
		me := oauth2.NewClient(ctx, oauth2.StaticTokenSource(tool.MemberToken("admin@fabrikam.example", pw)))
		var got map[string]any
		if s := e2etest.API(t, me, http.MethodGet, in.URL+"/v1.0/me", nil, &got); s != http.StatusOK || got["id"] != ga.ID ||
			got["userPrincipalName"] != "admin@fabrikam.example" || got["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#users/$entity" {
			t.Fatalf("GET /me = %d %v", s, got)
		}
		for _, k := range []string{"businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation", "preferredLanguage", "surname"} {
			if _, ok := got[k]; !ok {
				t.Errorf("GET /me lacks the default property %s: %v", k, got)
			}
		}
		if _, ok := got["accountEnabled"]; ok {
			t.Errorf("GET /me answers a property outside the default set: %v", got)
		}
		got = nil
		if s := e2etest.API(t, me, http.MethodGet, in.URL+"/v1.0/me?$select=id,userType", nil, &got); s != http.StatusOK || got["userType"] != "Member" || len(got) != 3 {
			t.Fatalf("GET /me?$select = %d %v", s, got)
		}
		if s := e2etest.API(t, me, http.MethodGet, in.URL+"/v1.0/organization", nil, &list); s != http.StatusOK || list.Value[0]["id"] != tn.ID {
			t.Fatalf("GET /organization delegated = %d %+v", s, list)
		}
	})
}
