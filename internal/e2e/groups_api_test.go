package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestGroupsAPI (issue 23, groups): the requests of Graph's group pages
// through a real server on both engines — create a security group, add a
// guest with members/$ref, list members, memberOf and transitiveMemberOf
// of nested groups, checkMemberGroups, getMemberObjects, update, delete to deletedItems and
// restore with the members kept — with Entra's audit names, and another
// tenant's group, member and user answering 404.
func TestGroupsAPI(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "Group.ReadWrite.All", "User.Invite.All", "AuditLog.Read.All")
		_, other := in.TenantWithAdmin("Contoso", "contoso.example", "Group.ReadWrite.All", "User.ReadWrite.All")
		_, reader := in.TenantWithAdmin("Northwind", "northwind.example", "User.Read.All")
		var inv struct{ InvitedUser struct{ ID string } }
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": "ana@partner.example", "inviteRedirectUrl": "https://app.example/"}, &inv); s != http.StatusCreated {
			t.Fatalf("invite = %d", s)
		}
		guestID := inv.InvitedUser.ID
		groups := in.URL + "/v1.0/groups"

		// Graph's "Create a security group" request (without owners and members).
		var g map[string]any
		body := map[string]any{"description": "Group with designated owner and members", "displayName": "Operations group",
			"groupTypes": []string{}, "mailEnabled": false, "mailNickname": "operations2019", "securityEnabled": true}
		if s := e2etest.API(t, admin, http.MethodPost, groups, body, &g); s != http.StatusCreated || g["id"] == "" ||
			g["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#groups/$entity" || g["displayName"] != "Operations group" ||
			g["securityEnabled"] != true || g["mailEnabled"] != false || g["mailNickname"] != "operations2019" || g["mail"] != nil {
			t.Fatalf("POST /groups = %d %v", s, g)
		}
		if gt, ok := g["groupTypes"].([]any); !ok || len(gt) != 0 {
			t.Fatalf("groupTypes = %v, want []", g["groupTypes"])
		}
		opsID := g["id"].(string)
		unified := map[string]any{"displayName": "Library Assist", "groupTypes": []string{"Unified"}, "mailEnabled": true, "mailNickname": "library", "securityEnabled": false}
		if s := e2etest.API(t, admin, http.MethodPost, groups, unified, nil); s != http.StatusBadRequest {
			t.Fatalf("a Microsoft 365 group = %d, want 400", s)
		}
		// Graph's example with members@odata.bind (owners are not kept here).
		var bound map[string]any
		withMembers := map[string]any{"displayName": "Operations partners", "mailEnabled": false, "mailNickname": "opspartners", "securityEnabled": true,
			"members@odata.bind": []string{"https://graph.microsoft.com/v1.0/users/" + guestID}}
		if s := e2etest.API(t, admin, http.MethodPost, groups, withMembers, &bound); s != http.StatusCreated {
			t.Fatalf("POST with members@odata.bind = %d %v", s, bound)
		}
		var boundMembers struct{ Value []map[string]any }
		if s := e2etest.API(t, admin, http.MethodGet, groups+"/"+bound["id"].(string)+"/members", nil, &boundMembers); s != http.StatusOK ||
			len(boundMembers.Value) != 1 || boundMembers.Value[0]["id"] != guestID {
			t.Fatalf("members of a group created with members = %d %+v", s, boundMembers)
		}
		if s := e2etest.API(t, admin, http.MethodDelete, groups+"/"+bound["id"].(string), nil, nil); s != http.StatusNoContent {
			t.Fatalf("DELETE = %d", s)
		}
		if s := e2etest.API(t, admin, http.MethodDelete, in.URL+"/v1.0/directory/deletedItems/"+bound["id"].(string), nil, nil); s != http.StatusNoContent {
			t.Fatalf("purge = %d", s)
		}
		if s := e2etest.API(t, reader, http.MethodGet, groups, nil, nil); s != http.StatusForbidden {
			t.Fatalf("GET /groups with User.Read.All only = %d, want 403", s)
		}
		var all map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, groups, map[string]any{"displayName": "All partners", "mailEnabled": false, "mailNickname": "all-partners", "securityEnabled": true}, &all); s != http.StatusCreated {
			t.Fatalf("POST second group = %d", s)
		}
		allID := all["id"].(string)

		// Graph's "Add a member" request, with Graph's base in @odata.id.
		ref := func(id string) map[string]any {
			return map[string]any{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + id}
		}
		if s := e2etest.API(t, admin, http.MethodPost, groups+"/"+opsID+"/members/$ref", ref(guestID), nil); s != http.StatusNoContent {
			t.Fatalf("add the guest = %d, want 204", s)
		}
		var e struct {
			Error struct{ Code, Message string }
		}
		if s := e2etest.API(t, admin, http.MethodPost, groups+"/"+opsID+"/members/$ref", ref(guestID), &e); s != http.StatusBadRequest || e.Error.Code != "Request_BadRequest" {
			t.Fatalf("add the guest twice = %d %+v, want 400", s, e)
		}
		// This deployment's base names a member too.
		if s := e2etest.API(t, admin, http.MethodPost, groups+"/"+allID+"/members/$ref", map[string]any{"@odata.id": in.URL + "/v1.0/groups/" + opsID}, nil); s != http.StatusNoContent {
			t.Fatalf("nest the group = %d, want 204", s)
		}
		if s := e2etest.API(t, admin, http.MethodPost, groups+"/"+opsID+"/members/$ref", ref(allID), nil); s != http.StatusBadRequest {
			t.Fatalf("a group inside its own member = %d, want 400", s)
		}
		type list struct {
			Context string           `json:"@odata.context"`
			Value   []map[string]any `json:"value"`
		}
		var ms list
		if s := e2etest.API(t, admin, http.MethodGet, groups+"/"+opsID+"/members", nil, &ms); s != http.StatusOK || len(ms.Value) != 1 ||
			ms.Value[0]["id"] != guestID || ms.Value[0]["@odata.type"] != "#microsoft.graph.user" || ms.Value[0]["userType"] != "Guest" {
			t.Fatalf("GET members = %d %+v", s, ms)
		}
		ids := func(l list) []string {
			var out []string
			for _, v := range l.Value {
				out = append(out, v["id"].(string))
			}
			return out
		}
		var of list
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users/"+guestID+"/memberOf", nil, &of); s != http.StatusOK ||
			!slices.Equal(ids(of), []string{opsID}) || of.Value[0]["@odata.type"] != "#microsoft.graph.group" ||
			of.Context != "https://graph.microsoft.com/v1.0/$metadata#directoryObjects" {
			t.Fatalf("memberOf = %d %+v", s, of)
		}
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users/"+guestID+"/transitiveMemberOf", nil, &of); s != http.StatusOK ||
			!slices.Equal(ids(of), []string{opsID, allID}) {
			t.Fatalf("transitiveMemberOf = %d %+v", s, of)
		}
		// Graph's checkMemberGroups request and answer.
		var check struct {
			Context string   `json:"@odata.context"`
			Value   []string `json:"value"`
		}
		unknown := "4fe90ae7-065a-478b-9400-e0a0e1cbd540"
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/users/"+guestID+"/checkMemberGroups", map[string]any{"groupIds": []string{allID, unknown}}, &check); s != http.StatusOK ||
			!slices.Equal(check.Value, []string{allID}) || check.Context != "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)" {
			t.Fatalf("checkMemberGroups = %d %+v", s, check)
		}
		// Graph's getMemberObjects, where a token's groups overage points (R16).
		var objs struct {
			Context string   `json:"@odata.context"`
			Value   []string `json:"value"`
		}
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/users/"+guestID+"/getMemberObjects", map[string]any{"securityEnabledOnly": true}, &objs); s != http.StatusOK ||
			!slices.Equal(objs.Value, []string{opsID, allID}) || objs.Context != "https://graph.microsoft.com/v1.0/$metadata#Collection(Edm.String)" {
			t.Fatalf("getMemberObjects = %d %+v", s, objs)
		}
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/users/"+guestID+"/getMemberObjects", map[string]any{}, nil); s != http.StatusBadRequest {
			t.Fatalf("getMemberObjects without securityEnabledOnly = %d, want 400", s)
		}
		if s := e2etest.API(t, other, http.MethodPost, in.URL+"/v1.0/users/"+guestID+"/getMemberObjects", map[string]any{"securityEnabledOnly": false}, nil); s != http.StatusNotFound {
			t.Fatalf("getMemberObjects of another tenant's user = %d, want 404", s)
		}
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/me/getMemberObjects", map[string]any{"securityEnabledOnly": true}, nil); s != http.StatusBadRequest {
			t.Fatalf("/me/getMemberObjects with an app token = %d, want 400", s)
		}

		// Tenant isolation: another tenant's group, member and user are not found.
		if s := e2etest.API(t, other, http.MethodGet, groups+"/"+opsID, nil, nil); s != http.StatusNotFound {
			t.Fatalf("another tenant's group = %d, want 404", s)
		}
		if s := e2etest.API(t, other, http.MethodGet, groups+"/"+opsID+"/members", nil, nil); s != http.StatusNotFound {
			t.Fatalf("another tenant's members = %d, want 404", s)
		}
		var theirs map[string]any
		if s := e2etest.API(t, other, http.MethodPost, groups, map[string]any{"displayName": "Theirs", "mailEnabled": false, "mailNickname": "theirs", "securityEnabled": true}, &theirs); s != http.StatusCreated {
			t.Fatalf("POST in the other tenant = %d", s)
		}
		if s := e2etest.API(t, other, http.MethodPost, groups+"/"+theirs["id"].(string)+"/members/$ref", ref(guestID), nil); s != http.StatusNotFound {
			t.Fatalf("another tenant's guest as a member = %d, want 404", s)
		}
		if s := e2etest.API(t, other, http.MethodDelete, groups+"/"+opsID+"/members/"+guestID+"/$ref", nil, nil); s != http.StatusNotFound {
			t.Fatalf("remove through another tenant = %d, want 404", s)
		}
		if s := e2etest.API(t, other, http.MethodGet, in.URL+"/v1.0/users/"+guestID+"/memberOf", nil, nil); s != http.StatusNotFound {
			t.Fatalf("another tenant's user's memberOf = %d, want 404", s)
		}
		if s := e2etest.API(t, other, http.MethodDelete, groups+"/"+opsID, nil, nil); s != http.StatusNotFound {
			t.Fatalf("delete through another tenant = %d, want 404", s)
		}

		// Update, list, delete and restore.
		if s := e2etest.API(t, admin, http.MethodPatch, groups+"/"+opsID, map[string]any{"description": "Partners who run operations"}, nil); s != http.StatusNoContent {
			t.Fatalf("PATCH = %d, want 204", s)
		}
		var one map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, groups+"/"+opsID+"?$select=id,description", nil, &one); s != http.StatusOK ||
			one["description"] != "Partners who run operations" || len(one) != 3 {
			t.Fatalf("GET with $select = %d %v", s, one)
		}
		var page list
		if s := e2etest.API(t, admin, http.MethodGet, groups+"?$top=1", nil, &page); s != http.StatusOK || len(page.Value) != 1 {
			t.Fatalf("GET /groups?$top=1 = %d %+v", s, page)
		}
		// List queries as on users: $filter, $search with $count, $orderby with paging.
		if s := e2etest.API(t, admin, http.MethodGet, groups+"?$filter="+url.QueryEscape("startswith(displayName,'oper')"), nil, &page); s != http.StatusOK ||
			!slices.Equal(ids(page), []string{opsID}) {
			t.Fatalf("$filter=startswith = %d %+v", s, page)
		}
		if s := e2etest.API(t, admin, http.MethodGet, groups+"?$filter="+url.QueryEscape("displayName ne 'x'"), nil, &e); s != http.StatusBadRequest || e.Error.Code != "Request_UnsupportedQuery" {
			t.Fatalf("$filter with ne on groups = %d %+v, want 400 Request_UnsupportedQuery", s, e)
		}
		var counted struct {
			Count int              `json:"@odata.count"`
			Value []map[string]any `json:"value"`
		}
		if s, raw := graphGet(t, admin, groups+"?$count=true&$search="+url.QueryEscape(`"displayName:partners"`), eventualHeader); s != http.StatusOK ||
			json.Unmarshal(raw, &counted) != nil || counted.Count != 1 || len(counted.Value) != 1 || counted.Value[0]["id"] != allID {
			t.Fatalf("$search with $count = %d %s", s, raw)
		}
		var byName struct {
			Value []map[string]any `json:"value"`
			Next  string           `json:"@odata.nextLink"`
		}
		if s := e2etest.API(t, admin, http.MethodGet, groups+"?$orderby=displayName&$top=1", nil, &byName); s != http.StatusOK || len(byName.Value) != 1 ||
			byName.Value[0]["displayName"] != "All partners" || byName.Next == "" {
			t.Fatalf("$orderby=displayName page 1 = %d %+v", s, byName)
		}
		next := byName.Next
		byName.Value, byName.Next = nil, ""
		if s := e2etest.API(t, admin, http.MethodGet, next, nil, &byName); s != http.StatusOK || len(byName.Value) != 1 ||
			byName.Value[0]["displayName"] != "Operations group" || byName.Next != "" {
			t.Fatalf("$orderby=displayName page 2 (%s) = %d %+v", next, s, byName)
		}
		if s := e2etest.API(t, admin, http.MethodDelete, groups+"/"+opsID, nil, nil); s != http.StatusNoContent {
			t.Fatalf("DELETE = %d, want 204", s)
		}
		if s := e2etest.API(t, admin, http.MethodGet, groups+"/"+opsID, nil, nil); s != http.StatusNotFound {
			t.Fatalf("GET a deleted group = %d, want 404", s)
		}
		var deleted list
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/directory/deletedItems/microsoft.graph.group", nil, &deleted); s != http.StatusOK ||
			!slices.Equal(ids(deleted), []string{opsID}) || deleted.Value[0]["deletedDateTime"] == nil {
			t.Fatalf("deletedItems/microsoft.graph.group = %d %+v", s, deleted)
		}
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users/"+guestID+"/memberOf", nil, &of); s != http.StatusOK || len(of.Value) != 0 {
			t.Fatalf("memberOf while the group is deleted = %d %+v", s, of)
		}
		var restored map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/directory/deletedItems/"+opsID+"/restore", nil, &restored); s != http.StatusOK ||
			restored["id"] != opsID || restored["@odata.type"] != "#microsoft.graph.group" || restored["deletedDateTime"] != nil {
			t.Fatalf("restore = %d %v", s, restored)
		}
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users/"+guestID+"/memberOf", nil, &of); s != http.StatusOK || !slices.Equal(ids(of), []string{opsID}) {
			t.Fatalf("memberOf after restore = %d %+v", s, of)
		}
		if s := e2etest.API(t, admin, http.MethodDelete, groups+"/"+opsID+"/members/"+guestID+"/$ref", nil, nil); s != http.StatusNoContent {
			t.Fatalf("remove the guest = %d, want 204", s)
		}
		if s := e2etest.API(t, admin, http.MethodDelete, groups+"/"+allID, nil, nil); s != http.StatusNoContent {
			t.Fatalf("DELETE all-partners = %d, want 204", s)
		}
		if s := e2etest.API(t, other, http.MethodDelete, in.URL+"/v1.0/directory/deletedItems/"+allID, nil, nil); s != http.StatusNotFound {
			t.Fatalf("purge through another tenant = %d, want 404", s)
		}
		if s := e2etest.API(t, admin, http.MethodDelete, in.URL+"/v1.0/directory/deletedItems/"+allID, nil, nil); s != http.StatusNoContent {
			t.Fatalf("purge = %d, want 204", s)
		}
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/directory/deletedItems/"+allID+"/restore", nil, nil); s != http.StatusNotFound {
			t.Fatalf("restore a purged group = %d, want 404", s)
		}
		for activity, want := range map[string]int{"Add group": 3, "Update group": 1, "Delete group": 3, "Add member to group": 3,
			"Remove member from group": 1, "Restore group": 1, "Hard Delete group": 2} {
			var audits struct{ Value []map[string]any }
			if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits?$filter="+url.QueryEscape("activityDisplayName eq '"+activity+"'"), nil, &audits); s != http.StatusOK || len(audits.Value) != want {
				t.Fatalf("audit %q = %d, %d records, want %d", activity, s, len(audits.Value), want)
			}
		}
	})
}
