package e2e

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestAppAssignmentAPI (issue "Which guest may reach which app"): the
// requests of Graph's service principal, application and app role
// assignment pages through a real server on both engines — find the
// service principal by appId, define app roles and the groups claim on the
// application, require assignment, assign a group and a user, list them
// from the app, the user and the group, refuse a duplicate, an unknown
// role and an enabled role's removal, unassign — with Entra's audit names,
// and another tenant's service principal, application, assignment, user
// and group answering 404.
func TestAppAssignmentAPI(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		perms := []string{"Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "Group.ReadWrite.All", "User.Invite.All",
			"Directory.Read.All", "AuditLog.Read.All"}
		fab, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", perms...)
		con, other := in.TenantWithAdmin("Contoso", "contoso.example", perms...)
		_, reader := in.TenantWithAdmin("Northwind", "northwind.example", "User.Read.All")
		ctx := context.Background()
		portal, _, err := in.Srv.CreateApp(ctx, fab.ID, "Partner portal", nil, []string{"https://portal.example/cb"}, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		conApp, _, err := in.Srv.CreateApp(ctx, con.ID, "Contoso portal", nil, []string{"https://contoso.example/cb"}, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		var inv struct{ InvitedUser struct{ ID string } }
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": "ana@partner.example", "inviteRedirectUrl": "https://app.example/"}, &inv); s != http.StatusCreated {
			t.Fatalf("invite = %d", s)
		}
		guestID := inv.InvitedUser.ID
		var g map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/groups", map[string]any{"displayName": "Portal users", "mailEnabled": false,
			"mailNickname": "portal-users", "securityEnabled": true, "members@odata.bind": []string{"https://graph.microsoft.com/v1.0/users/" + guestID}}, &g); s != http.StatusCreated {
			t.Fatalf("POST /groups = %d %v", s, g)
		}
		groupID := g["id"].(string)

		sps := in.URL + "/v1.0/servicePrincipals"
		var list struct {
			Context string           `json:"@odata.context"`
			Value   []map[string]any `json:"value"`
		}
		filter := "?$filter=" + url.QueryEscape("appId eq '"+portal.AppID+"'")
		if s := e2etest.API(t, admin, http.MethodGet, sps+filter, nil, &list); s != http.StatusOK || len(list.Value) != 1 ||
			list.Context != "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals" || list.Value[0]["appId"] != portal.AppID ||
			list.Value[0]["appRoleAssignmentRequired"] != false || list.Value[0]["servicePrincipalType"] != "Application" {
			t.Fatalf("GET servicePrincipals by appId = %d %+v", s, list)
		}
		spID := list.Value[0]["id"].(string)
		if spID == portal.AppID {
			t.Fatal("the service principal's id is the appId")
		}
		var sp map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/servicePrincipals(appId='"+portal.AppID+"')", nil, &sp); s != http.StatusOK || sp["id"] != spID ||
			sp["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity" {
			t.Fatalf("GET servicePrincipals(appId=) = %d %v", s, sp)
		}
		var app map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/applications(appId='"+portal.AppID+"')", nil, &app); s != http.StatusOK ||
			app["appId"] != portal.AppID || app["id"] == spID || app["groupMembershipClaims"] != "None" {
			t.Fatalf("GET applications(appId=) = %d %v", s, app)
		}
		appObjID := app["id"].(string)
		const reader1 = "7a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d"
		roles := []map[string]any{{"allowedMemberTypes": []string{"User"}, "description": "Reads the portal", "displayName": "Reader",
			"id": reader1, "isEnabled": true, "value": "Portal.Read"}}
		if s := e2etest.API(t, admin, http.MethodPatch, in.URL+"/v1.0/applications/"+appObjID, map[string]any{"appRoles": roles, "groupMembershipClaims": "SecurityGroup"}, nil); s != http.StatusNoContent {
			t.Fatalf("PATCH application = %d", s)
		}
		if s := e2etest.API(t, admin, http.MethodPatch, sps+"/"+spID, map[string]any{"appRoleAssignmentRequired": true}, nil); s != http.StatusNoContent {
			t.Fatalf("PATCH servicePrincipal = %d", s)
		}
		var selected map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, sps+"/"+spID+"?$select=appRoleAssignmentRequired,appRoles", nil, &selected); s != http.StatusOK ||
			selected["appRoleAssignmentRequired"] != true || len(selected["appRoles"].([]any)) != 1 || len(selected) != 3 {
			t.Fatalf("GET servicePrincipal $select = %d %v", s, selected)
		}

		a, err := in.Srv.Base().Assignments()
		if err != nil {
			t.Fatal(err)
		}
		if acc, err := a.Access(ctx, fab, portal.AppID, guestID); err != nil || acc.Allowed() {
			t.Fatalf("access before assignment = %+v, %v; want refused", acc, err)
		}
		var e struct {
			Error struct{ Code, Message string }
		}
		grant := func(principal, role string) map[string]any {
			return map[string]any{"principalId": principal, "resourceId": spID, "appRoleId": role}
		}
		var ga map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, sps+"/"+spID+"/appRoleAssignedTo", grant(groupID, reader1), &ga); s != http.StatusCreated ||
			ga["principalType"] != "Group" || ga["principalId"] != groupID || ga["resourceId"] != spID || ga["appRoleId"] != reader1 ||
			ga["principalDisplayName"] != "Portal users" || ga["resourceDisplayName"] != "Partner portal" || ga["deletedDateTime"] != nil ||
			ga["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('"+spID+"')/appRoleAssignedTo/$entity" {
			t.Fatalf("POST appRoleAssignedTo = %d %v", s, ga)
		}
		if s := e2etest.API(t, admin, http.MethodPost, sps+"/"+spID+"/appRoleAssignedTo", grant(groupID, reader1), &e); s != http.StatusBadRequest ||
			e.Error.Message != "Permission being assigned already exists on the object." {
			t.Fatalf("assign twice = %d %+v", s, e)
		}
		if s := e2etest.API(t, admin, http.MethodPost, sps+"/"+spID+"/appRoleAssignedTo", grant(groupID, "00000000-0000-0000-0000-000000000000"), &e); s != http.StatusBadRequest ||
			e.Error.Code != "Request_BadRequest" || e.Error.Message != "Permission being assigned was not found on application '"+spID+"'." {
			t.Fatalf("an app with roles, the default access role = %d %+v", s, e)
		}
		if acc, err := a.Access(ctx, fab, portal.AppID, guestID); err != nil || !acc.Allowed() || !slices.Equal(acc.Roles, []string{"Portal.Read"}) ||
			!slices.Equal(acc.Groups, []string{groupID}) {
			t.Fatalf("access through the group = %+v, %v", acc, err)
		}
		var ua map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/users/"+guestID+"/appRoleAssignments", map[string]any{"principalId": guestID, "resourceId": spID, "appRoleId": reader1}, &ua); s != http.StatusCreated ||
			ua["principalType"] != "User" {
			t.Fatalf("POST users/appRoleAssignments = %d %v", s, ua)
		}
		var as struct {
			Context string           `json:"@odata.context"`
			Value   []map[string]any `json:"value"`
		}
		if s := e2etest.API(t, admin, http.MethodGet, sps+"/"+spID+"/appRoleAssignedTo", nil, &as); s != http.StatusOK || len(as.Value) != 2 {
			t.Fatalf("GET appRoleAssignedTo = %d %+v", s, as)
		}
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users/"+guestID+"/appRoleAssignments", nil, &as); s != http.StatusOK || len(as.Value) != 2 ||
			as.Context != "https://graph.microsoft.com/v1.0/$metadata#users('"+guestID+"')/appRoleAssignments" {
			t.Fatalf("GET the user's appRoleAssignments (hers and her group's) = %d %+v", s, as)
		}
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/groups/"+groupID+"/appRoleAssignments", nil, &as); s != http.StatusOK || len(as.Value) != 1 || as.Value[0]["id"] != ga["id"] {
			t.Fatalf("GET the group's appRoleAssignments = %d %+v", s, as)
		}
		if s := e2etest.API(t, admin, http.MethodPatch, in.URL+"/v1.0/applications/"+appObjID, map[string]any{"appRoles": []any{}}, &e); s != http.StatusBadRequest ||
			e.Error.Code != "CannotDeleteOrUpdateEnabledEntitlement" {
			t.Fatalf("remove an enabled role = %d %+v", s, e)
		}

		isolation(t, in, other, isolated{spID: spID, appObjID: appObjID, appID: portal.AppID, assignmentID: ga["id"].(string),
			guestID: guestID, groupID: groupID, conAppID: conApp.AppID})
		if s := e2etest.API(t, reader, http.MethodGet, sps, nil, nil); s != http.StatusForbidden {
			t.Fatalf("GET servicePrincipals with User.Read.All only = %d, want 403", s)
		}

		if s := e2etest.API(t, admin, http.MethodDelete, in.URL+"/v1.0/users/"+guestID+"/appRoleAssignments/"+ga["id"].(string), nil, nil); s != http.StatusNotFound {
			t.Fatalf("delete the group's assignment through the user = %d, want 404", s)
		}
		if s := e2etest.API(t, admin, http.MethodDelete, in.URL+"/v1.0/groups/"+groupID+"/appRoleAssignments/"+ga["id"].(string), nil, nil); s != http.StatusNoContent {
			t.Fatalf("DELETE groups/appRoleAssignments = %d", s)
		}
		if s := e2etest.API(t, admin, http.MethodDelete, sps+"/"+spID+"/appRoleAssignedTo/"+ua["id"].(string), nil, nil); s != http.StatusNoContent {
			t.Fatalf("DELETE appRoleAssignedTo = %d", s)
		}
		if acc, err := a.Access(ctx, fab, portal.AppID, guestID); err != nil || acc.Allowed() {
			t.Fatalf("access after unassigning = %+v, %v; want refused", acc, err)
		}
		for activity, want := range map[string]int{"Update application": 1, "Update service principal": 1, "Add app role assignment to group": 1,
			"Add app role assignment grant to user": 1, "Remove app role assignment from group": 1, "Remove app role assignment from user": 1} {
			var audits struct{ Value []map[string]any }
			if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits?$filter="+url.QueryEscape("activityDisplayName eq '"+activity+"'"), nil, &audits); s != http.StatusOK || len(audits.Value) != want {
				t.Fatalf("audit %q = %d, %d records, want %d", activity, s, len(audits.Value), want)
			}
		}
	})
}

// isolated names Fabrikam's objects another tenant tries to reach.
type isolated struct {
	spID, appObjID, appID, assignmentID, guestID, groupID string
	// conAppID is an app of the other tenant.
	conAppID string
}

// isolation: another tenant's admin reaches none of Fabrikam's objects
// (404), not even through its own service principal.
func isolation(t *testing.T, in *e2etest.Instance, other *http.Client, x isolated) {
	t.Helper()
	var list struct{ Value []map[string]any }
	if s := e2etest.API(t, other, http.MethodGet, in.URL+"/v1.0/servicePrincipals?$filter="+url.QueryEscape("appId eq '"+x.appID+"'"), nil, &list); s != http.StatusOK || len(list.Value) != 0 {
		t.Fatalf("another tenant's app by appId = %d %+v, want none", s, list)
	}
	var conSP map[string]any
	if s := e2etest.API(t, other, http.MethodGet, in.URL+"/v1.0/servicePrincipals(appId='"+x.conAppID+"')", nil, &conSP); s != http.StatusOK {
		t.Fatalf("own service principal = %d", s)
	}
	conSPID := conSP["id"].(string)
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/v1.0/servicePrincipals/" + x.spID},
		{http.MethodGet, "/v1.0/servicePrincipals(appId='" + x.appID + "')"},
		{http.MethodGet, "/v1.0/applications/" + x.appObjID},
		{http.MethodGet, "/v1.0/applications(appId='" + x.appID + "')"},
		{http.MethodGet, "/v1.0/servicePrincipals/" + x.spID + "/appRoleAssignedTo"},
		{http.MethodGet, "/v1.0/users/" + x.guestID + "/appRoleAssignments"},
		{http.MethodGet, "/v1.0/groups/" + x.groupID + "/appRoleAssignments"},
		{http.MethodDelete, "/v1.0/servicePrincipals/" + x.spID + "/appRoleAssignedTo/" + x.assignmentID},
		{http.MethodDelete, "/v1.0/servicePrincipals/" + conSPID + "/appRoleAssignedTo/" + x.assignmentID},
		{http.MethodDelete, "/v1.0/groups/" + x.groupID + "/appRoleAssignments/" + x.assignmentID},
	} {
		if s := e2etest.API(t, other, c.method, in.URL+c.path, nil, nil); s != http.StatusNotFound {
			t.Fatalf("%s %s through another tenant = %d, want 404", c.method, c.path, s)
		}
	}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{http.MethodPatch, "/v1.0/servicePrincipals/" + x.spID, map[string]any{"appRoleAssignmentRequired": false}},
		{http.MethodPatch, "/v1.0/applications/" + x.appObjID, map[string]any{"groupMembershipClaims": "None"}},
		{http.MethodPost, "/v1.0/servicePrincipals/" + conSPID + "/appRoleAssignedTo",
			map[string]any{"principalId": x.guestID, "resourceId": conSPID, "appRoleId": "00000000-0000-0000-0000-000000000000"}},
		{http.MethodPost, "/v1.0/servicePrincipals/" + x.spID + "/appRoleAssignedTo",
			map[string]any{"principalId": x.guestID, "resourceId": x.spID, "appRoleId": "00000000-0000-0000-0000-000000000000"}},
	} {
		if s := e2etest.API(t, other, c.method, in.URL+c.path, c.body, nil); s != http.StatusNotFound {
			t.Fatalf("%s %s through another tenant = %d, want 404", c.method, c.path, s)
		}
	}
}
