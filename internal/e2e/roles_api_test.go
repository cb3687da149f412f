package e2e

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
)

// TestRoleAssignmentsAPI: POST /v1.0/roleManagement/directory/roleAssignments
// gives a member a role in Graph's unifiedRoleAssignment shape (201) and GET
// lists it; an unknown role, a guest, a second assignment are 400; without
// RoleManagement.ReadWrite.Directory it is 403 (R10).
func TestRoleAssignmentsAPI(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "RoleManagement.ReadWrite.Directory", "User.Invite.All", "AuditLog.Read.All")
		_, reader := in.TenantWithAdmin("Contoso", "contoso.example", "User.ReadWrite.All")
		kim, err := in.Srv.CreateMember(context.Background(), tn, member.NewMember{UserPrincipalName: "kim@fabrikam.example", DisplayName: "Kim", Password: "tulip-Quarry-2026", AccountEnabled: true})
		if err != nil {
			t.Fatal(err)
		}
		u := in.URL + "/v1.0/roleManagement/directory/roleAssignments"
		body := map[string]any{"@odata.type": "#microsoft.graph.unifiedRoleAssignment", "roleDefinitionId": roles.AuthenticationPolicyAdministrator.TemplateID,
			"principalId": kim.ID, "directoryScopeId": "/"}
		var got map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, u, body, &got); s != http.StatusCreated || got["principalId"] != kim.ID ||
			got["roleDefinitionId"] != roles.AuthenticationPolicyAdministrator.TemplateID || got["directoryScopeId"] != "/" || got["id"] == "" {
			t.Fatalf("POST roleAssignments = %d %v", s, got)
		}
		if s := e2etest.API(t, admin, http.MethodPost, u, body, nil); s != http.StatusBadRequest {
			t.Fatalf("the same assignment again = %d, want 400", s)
		}
		bad := map[string]any{"roleDefinitionId": "00000000-0000-0000-0000-000000000001", "principalId": kim.ID, "directoryScopeId": "/"}
		if s := e2etest.API(t, admin, http.MethodPost, u, bad, nil); s != http.StatusBadRequest {
			t.Fatalf("an unknown role = %d, want 400", s)
		}
		var inv struct{ InvitedUser struct{ ID string } }
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": "ana@partner.example", "inviteRedirectUrl": "https://app.example/"}, &inv); s != http.StatusCreated {
			t.Fatalf("invite = %d", s)
		}
		guest := map[string]any{"roleDefinitionId": roles.GlobalAdministrator.TemplateID, "principalId": inv.InvitedUser.ID, "directoryScopeId": "/"}
		if s := e2etest.API(t, admin, http.MethodPost, u, guest, nil); s != http.StatusBadRequest {
			t.Fatalf("a role for a guest = %d, want 400", s)
		}
		var list struct{ Value []map[string]any }
		if s := e2etest.API(t, admin, http.MethodGet, u, nil, &list); s != http.StatusOK || len(list.Value) != 1 || list.Value[0]["principalId"] != kim.ID {
			t.Fatalf("GET roleAssignments = %d %v", s, list)
		}
		if s := e2etest.API(t, reader, http.MethodPost, u, body, nil); s != http.StatusForbidden {
			t.Fatalf("POST without RoleManagement.ReadWrite.Directory = %d, want 403", s)
		}
		roleAssignmentsRound2(t, in, tn, admin, reader, kim.ID, got["id"].(string))
	})
}

// roleAssignmentsRound2 (issue 22 item 9): the documented requests of
// Graph's roleAssignments and roleDefinitions pages: GET by id, the two
// list examples ($filter=principalId eq, $filter=roleDefinitionId eq with
// $expand=principal), DELETE by id under R14 (the last enabled Global
// Administrator keeps the role), and the built-in role definitions with
// their templateId. @odata.context uses Graph's base.
func roleAssignmentsRound2(t *testing.T, in *e2etest.Instance, tn directory.Tenant, admin, reader *http.Client, kimID, kimAssignment string) {
	t.Helper()
	u := in.URL + "/v1.0/roleManagement/directory/roleAssignments"
	apa := roles.AuthenticationPolicyAdministrator.TemplateID
	var one map[string]any
	if s := e2etest.API(t, admin, http.MethodGet, u+"/"+kimAssignment, nil, &one); s != http.StatusOK || one["principalId"] != kimID ||
		one["roleDefinitionId"] != apa || one["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments/$entity" {
		t.Fatalf("GET roleAssignments/{id} = %d %v", s, one)
	}
	ga, err := in.Srv.CreateMember(context.Background(), tn, member.NewMember{UserPrincipalName: "ga@fabrikam.example", DisplayName: "Gal", Password: "tulip-Quarry-2026", AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	gaAssignment, err := in.Srv.AssignRole(context.Background(), tn, ga.ID, "Global Administrator")
	if err != nil {
		t.Fatal(err)
	}
	type list struct {
		Context string           `json:"@odata.context"`
		Value   []map[string]any `json:"value"`
	}
	var byPrincipal list
	if s := e2etest.API(t, admin, http.MethodGet, u+"?$filter="+url.QueryEscape("principalId eq '"+kimID+"'"), nil, &byPrincipal); s != http.StatusOK ||
		len(byPrincipal.Value) != 1 || byPrincipal.Value[0]["id"] != kimAssignment ||
		byPrincipal.Context != "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments" {
		t.Fatalf("$filter=principalId eq = %d %+v", s, byPrincipal)
	}
	var byRole list
	if s := e2etest.API(t, admin, http.MethodGet, u+"?$filter="+url.QueryEscape("roleDefinitionId eq '"+roles.GlobalAdministrator.TemplateID+"'")+"&$expand=principal", nil, &byRole); s != http.StatusOK ||
		len(byRole.Value) != 1 || byRole.Value[0]["principalId"] != ga.ID {
		t.Fatalf("$filter=roleDefinitionId eq with $expand=principal = %d %+v", s, byRole)
	}
	if p, _ := byRole.Value[0]["principal"].(map[string]any); p["id"] != ga.ID || p["@odata.type"] != "#microsoft.graph.user" || p["userPrincipalName"] != "ga@fabrikam.example" {
		t.Fatalf("$expand=principal = %v", byRole.Value[0]["principal"])
	}
	if s := e2etest.API(t, admin, http.MethodGet, u+"?$filter="+url.QueryEscape("directoryScopeId eq '/'"), nil, nil); s != http.StatusBadRequest {
		t.Fatalf("$filter on another property = %d, want 400", s)
	}
	if s := e2etest.API(t, reader, http.MethodDelete, u+"/"+kimAssignment, nil, nil); s != http.StatusForbidden {
		t.Fatalf("DELETE without RoleManagement.ReadWrite.Directory = %d, want 403", s)
	}
	if s := e2etest.API(t, admin, http.MethodDelete, u+"/"+kimAssignment, nil, nil); s != http.StatusNoContent {
		t.Fatalf("DELETE roleAssignments/{id} = %d, want 204", s)
	}
	if s := e2etest.API(t, admin, http.MethodGet, u+"/"+kimAssignment, nil, nil); s != http.StatusNotFound {
		t.Fatalf("GET a removed assignment = %d, want 404", s)
	}
	if s := e2etest.API(t, admin, http.MethodDelete, u+"/"+kimAssignment, nil, nil); s != http.StatusNotFound {
		t.Fatalf("DELETE a removed assignment = %d, want 404", s)
	}
	if as, _ := in.Srv.RoleAssignments(context.Background(), tn); len(as) != 1 {
		t.Fatalf("after DELETE, assignments = %+v", as)
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	if s := e2etest.API(t, admin, http.MethodDelete, u+"/"+gaAssignment.ID, nil, &e); s != http.StatusBadRequest || e.Error.Code != "Request_BadRequest" {
		t.Fatalf("R14: DELETE of the last Global Administrator's role = %d %+v, want 400", s, e)
	}
	var audits struct{ Value []map[string]any }
	if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits?$filter="+url.QueryEscape("activityDisplayName eq 'Remove member from role'"), nil, &audits); s != http.StatusOK || len(audits.Value) != 1 {
		t.Fatalf("audit of the removal = %d %v", s, audits.Value)
	}

	var defs list
	if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/roleManagement/directory/roleDefinitions", nil, &defs); s != http.StatusOK || len(defs.Value) != len(roles.All()) ||
		defs.Context != "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleDefinitions" {
		t.Fatalf("GET roleDefinitions = %d %+v", s, defs)
	}
	var def map[string]any
	if s := e2etest.API(t, reader, http.MethodGet, in.URL+"/v1.0/roleManagement/directory/roleDefinitions/"+roles.GuestInviter.TemplateID, nil, &def); s != http.StatusForbidden {
		t.Fatalf("GET roleDefinitions without a read permission = %d, want 403", s)
	}
	if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/roleManagement/directory/roleDefinitions/"+roles.GuestInviter.TemplateID, nil, &def); s != http.StatusOK ||
		def["templateId"] != roles.GuestInviter.TemplateID || def["id"] != roles.GuestInviter.TemplateID || def["displayName"] != "Guest Inviter" ||
		def["isBuiltIn"] != true || def["isEnabled"] != true || def["rolePermissions"] == nil {
		t.Fatalf("GET roleDefinitions/{id} = %d %v", s, def)
	}
	if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/roleManagement/directory/roleDefinitions/00000000-0000-0000-0000-000000000001", nil, nil); s != http.StatusNotFound {
		t.Fatalf("GET an unknown role definition = %d, want 404", s)
	}
}
