package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
)

// TestRoleAssignmentsAPI: POST /v1.0/roleManagement/directory/roleAssignments
// gives a member a role in Graph's unifiedRoleAssignment shape (201) and GET
// lists it; an unknown role, a guest, a second assignment are 400; without
// RoleManagement.ReadWrite.Directory it is 403 (R10).
func TestRoleAssignmentsAPI(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		in := start(t, startOptions{dsn: dsn})
		tn, admin := in.tenantWithAdmin("Fabrikam", "fabrikam.example", "RoleManagement.ReadWrite.Directory", "User.Invite.All")
		_, reader := in.tenantWithAdmin("Contoso", "contoso.example", "User.ReadWrite.All")
		kim, err := in.srv.CreateMember(context.Background(), tn, member.NewMember{UserPrincipalName: "kim@fabrikam.example", DisplayName: "Kim", Password: "tulip-Quarry-2026", AccountEnabled: true})
		if err != nil {
			t.Fatal(err)
		}
		u := in.URL + "/v1.0/roleManagement/directory/roleAssignments"
		body := map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleAssignment", "roleDefinitionId": roles.AuthenticationPolicyAdministrator.TemplateID,
			"principalId": kim.ID, "directoryScopeId": "/"}
		var got map[string]any
		if s := api(t, admin, http.MethodPost, u, body, &got); s != http.StatusCreated || got["principalId"] != kim.ID ||
			got["roleDefinitionId"] != roles.AuthenticationPolicyAdministrator.TemplateID || got["directoryScopeId"] != "/" || got["id"] == "" {
			t.Fatalf("POST roleAssignments = %d %v", s, got)
		}
		if s := api(t, admin, http.MethodPost, u, body, nil); s != http.StatusBadRequest {
			t.Fatalf("the same assignment again = %d, want 400", s)
		}
		bad := map[string]any{"roleDefinitionId": "00000000-0000-0000-0000-000000000001", "principalId": kim.ID, "directoryScopeId": "/"}
		if s := api(t, admin, http.MethodPost, u, bad, nil); s != http.StatusBadRequest {
			t.Fatalf("an unknown role = %d, want 400", s)
		}
		var inv struct{ InvitedUser struct{ ID string } }
		if s := api(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": "ana@partner.example", "inviteRedirectUrl": "https://app.example/"}, &inv); s != http.StatusCreated {
			t.Fatalf("invite = %d", s)
		}
		guest := map[string]any{"roleDefinitionId": roles.GlobalAdministrator.TemplateID, "principalId": inv.InvitedUser.ID, "directoryScopeId": "/"}
		if s := api(t, admin, http.MethodPost, u, guest, nil); s != http.StatusBadRequest {
			t.Fatalf("a role for a guest = %d, want 400", s)
		}
		var list struct{ Value []map[string]any }
		if s := api(t, admin, http.MethodGet, u, nil, &list); s != http.StatusOK || len(list.Value) != 1 || list.Value[0]["principalId"] != kim.ID {
			t.Fatalf("GET roleAssignments = %d %v", s, list)
		}
		if s := api(t, reader, http.MethodPost, u, body, nil); s != http.StatusForbidden {
			t.Fatalf("POST without RoleManagement.ReadWrite.Directory = %d, want 403", s)
		}
	})
}
