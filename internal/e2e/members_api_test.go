package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestMembersAPI: POST /v1.0/users creates a member (userType Member,
// accountEnabled, a userPrincipalName without #EXT#) in Graph's shape;
// weak and common passwords, a domain the tenant has not verified and a
// taken address answer Graph's 400s and write nothing; a token without
// User.ReadWrite.All is 403; GET /v1.0/users lists the member beside the
// guests, and the creation is in the audit log.
func TestMembersAPI(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.ReadWrite.All", "AuditLog.Read.All")
		_, reader := in.TenantWithAdmin("Contoso", "contoso.example", "User.Read.All", "User.Invite.All")
		u := in.URL + "/v1.0/users"
		// The body Graph's documentation and SDKs send.
		body := func(upn, password string) map[string]any {
			return map[string]any{
				"@odata.type": "#microsoft.graph.user", "accountEnabled": true, "displayName": "Kim Akers",
				"mailNickname": "kim", "userPrincipalName": upn,
				"passwordProfile": map[string]any{"forceChangePasswordNextSignIn": true, "password": password},
			}
		}

		var created map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, u, body("kim@fabrikam.example", "tulip-Quarry-2026"), &created); s != http.StatusCreated {
			t.Fatalf("POST /v1.0/users = %d %v, want 201", s, created)
		}
		// Graph answers the default property set (issue 22, item 6).
		if created["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#users/$entity" || created["id"] == "" ||
			created["userPrincipalName"] != "kim@fabrikam.example" ||
			created["mail"] != "kim@fabrikam.example" || created["displayName"] != "Kim Akers" {
			t.Fatalf("created member = %v", created)
		}
		var keys []string
		for k := range created {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if want := []string{"@odata.context", "businessPhones", "displayName", "givenName", "id", "jobTitle", "mail", "mobilePhone",
			"officeLocation", "preferredLanguage", "surname", "userPrincipalName"}; !slices.Equal(keys, want) {
			t.Fatalf("POST /v1.0/users answers %v, want Graph's default set %v", keys, want)
		}
		var kim map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, u+"/"+created["id"].(string)+"?$select=userType,accountEnabled,creationType,externalUserState", nil, &kim); s != http.StatusOK ||
			kim["userType"] != "Member" || kim["accountEnabled"] != true || kim["creationType"] != nil || kim["externalUserState"] != nil {
			t.Fatalf("created member = %d %v", s, kim)
		}
		if _, ok := created["passwordProfile"]; ok {
			t.Fatalf("the answer carries the password profile: %v", created)
		}

		type graphError struct {
			Error struct {
				Code, Message string
				InnerError    map[string]any
			}
		}
		cases := []struct {
			name string
			body any
			want string
		}{
			{"short password", body("lee@fabrikam.example", "short-pw"), "The specified password does not comply with password complexity requirements. Please provide a different password."},
			{"common password", body("lee@fabrikam.example", "Password1234"), "commonly used"},
			{"password holds the user name", body("lee.ng@fabrikam.example", "Lee.Ng-rocks-2026"), "user name"},
			{"domain not verified", body("lee@contoso.example", "tulip-Quarry-2026"), "The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."},
			{"duplicate any case", body("KIM@fabrikam.example", "tulip-Quarry-2026"), "Another object with the same value for property userPrincipalName already exists."},
			{"guest-style upn", body("lee_gmail.example#EXT#@fabrikam.example", "tulip-Quarry-2026"), "userPrincipalName"},
			{"no password profile", map[string]any{"accountEnabled": true, "displayName": "Lee", "mailNickname": "lee", "userPrincipalName": "lee@fabrikam.example"}, "passwordProfile"},
			{"unknown property", map[string]any{"userPrincipalName": "lee@fabrikam.example", "shoeSize": 42}, "shoeSize"},
		}
		for _, c := range cases {
			var e graphError
			if s := e2etest.API(t, admin, http.MethodPost, u, c.body, &e); s != http.StatusBadRequest || !strings.Contains(e.Error.Message, c.want) || e.Error.InnerError["request-id"] == "" {
				t.Errorf("%s: %d %+v, want 400 saying %q", c.name, s, e.Error, c.want)
			}
		}

		var e graphError
		if s := e2etest.API(t, reader, http.MethodPost, in.URL+"/v1.0/users", body("lee@contoso.example", "tulip-Quarry-2026"), &e); s != http.StatusForbidden || e.Error.Code != "Authorization_RequestDenied" {
			t.Errorf("token without User.ReadWrite.All = %d %+v, want 403", s, e.Error)
		}

		e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": "teri@gmail.example", "inviteRedirectUrl": "https://apps.fabrikam.example"}, nil)
		var list struct {
			Value []struct {
				ID, UserPrincipalName, UserType string
				AccountEnabled                  bool
			}
		}
		if s := e2etest.API(t, admin, http.MethodGet, u+"?$select=id,userPrincipalName,userType,accountEnabled", nil, &list); s != http.StatusOK || len(list.Value) != 2 {
			t.Fatalf("GET /v1.0/users = %d, %d users; want the member and the guest (refused members wrote nothing)", s, len(list.Value))
		}
		for _, v := range list.Value {
			switch {
			case v.ID == created["id"]:
				if v.UserType != "Member" || !v.AccountEnabled || strings.Contains(v.UserPrincipalName, "#EXT#") {
					t.Errorf("listed member = %+v", v)
				}
			case v.UserType != "Guest" || !v.AccountEnabled || !strings.HasSuffix(v.UserPrincipalName, "#EXT#@"+tn.InitialDomain):
				t.Errorf("listed guest = %+v", v)
			}
		}
		var disabled map[string]any
		off := body("ana@fabrikam.example", "tulip-Quarry-2026")
		off["accountEnabled"] = false
		if s := e2etest.API(t, admin, http.MethodPost, u, off, &disabled); s != http.StatusCreated {
			t.Fatalf("POST a disabled member = %d %v", s, disabled)
		}
		if s := e2etest.API(t, admin, http.MethodGet, u+"/"+disabled["id"].(string)+"?$select=accountEnabled", nil, &disabled); s != http.StatusOK || disabled["accountEnabled"] != false {
			t.Fatalf("the disabled member = %d %v", s, disabled)
		}

		var audits struct {
			Value []struct {
				ActivityDisplayName, Category string
				TargetResources               []struct{ ID string }
			}
		}
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits", nil, &audits)
		found := false
		for _, a := range audits.Value {
			if a.ActivityDisplayName == "Add user" && a.Category == "UserManagement" && len(a.TargetResources) == 1 && a.TargetResources[0].ID == created["id"] {
				found = true
			}
		}
		if !found {
			t.Fatalf("no \"Add user\" audit record for the member: %+v", audits.Value)
		}
	})
}
