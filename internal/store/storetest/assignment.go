package storetest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/store"
)

// seedAssignment assigns roleID of appID to a principal of the tenant.
func seedAssignment(t *testing.T, s Store, tenantID, appID, kind, principalID, roleID string) assignment.Assignment {
	t.Helper()
	a := assignment.Assignment{TenantID: tenantID, ID: uuid.NewString(), AppID: appID, PrincipalType: kind,
		PrincipalID: principalID, AppRoleID: roleID, CreatedAt: at(0)}
	must(t, "assign "+principalID, s.CreateAppRoleAssignment(t.Context(), a))
	return a
}

func assignmentIDs(as []assignment.Assignment) []string {
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.ID)
	}
	return out
}

func addMember(t *testing.T, s Store, tn directory.Tenant, groupID, memberID, kind string) {
	t.Helper()
	must(t, "add member", s.AddGroupMember(t.Context(), groups.Member{TenantID: tn.ID, GroupID: groupID,
		MemberID: memberID, MemberType: kind, CreatedAt: at(0)}))
}

func testAppAssignment(t *testing.T, open Open) {
	t.Run("new_app_has_settings_and_object_ids", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		app := seedApp(t, s, tn.ID, "portal", at(0))
		got, err := s.GetAssignmentApp(t.Context(), tn.ID, app.AppID)
		must(t, "get", err)
		if got.ServicePrincipalID == "" || got.ApplicationID == "" || got.ServicePrincipalID == app.AppID ||
			got.ApplicationID == app.AppID || got.ServicePrincipalID == got.ApplicationID {
			t.Fatalf("object ids must be set and distinct: app %s, application %s, service principal %s",
				app.AppID, got.ApplicationID, got.ServicePrincipalID)
		}
		wantEqual(t, "display name", got.DisplayName, "portal")
		wantEqual(t, "required", got.AssignmentRequired, false)
		wantEqual(t, "claims", got.GroupMembershipClaims, assignment.ClaimsNone)
		wantEqual(t, "roles", len(got.AppRoles), 0)
		bySP, err := s.GetAssignmentAppByObjectID(t.Context(), tn.ID, got.ServicePrincipalID)
		must(t, "by service principal", err)
		wantEqual(t, "by service principal", bySP, got)
		byApp, err := s.GetAssignmentAppByObjectID(t.Context(), tn.ID, got.ApplicationID)
		must(t, "by application", err)
		wantEqual(t, "by application", byApp, got)
	})
	t.Run("settings_updated_and_listed_paged", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		app := seedApp(t, s, tn.ID, "portal", at(0))
		got, err := s.GetAssignmentApp(t.Context(), tn.ID, app.AppID)
		must(t, "get", err)
		got.AssignmentRequired, got.GroupMembershipClaims = true, assignment.ClaimsSecurityGroup
		got.AppRoles = []assignment.AppRole{{ID: uuid.NewString(), Value: "Reader", DisplayName: "Reader",
			Description: "reads", AllowedMemberTypes: []string{"User"}, IsEnabled: true}}
		must(t, "update", s.UpdateAssignmentApp(t.Context(), got))
		again, err := s.GetAssignmentApp(t.Context(), tn.ID, app.AppID)
		must(t, "get updated", err)
		wantEqual(t, "updated", again, got)
		seedApp(t, s, tn.ID, "b", at(0))
		seedApp(t, s, tn.ID, "c", at(0))
		page, err := s.ListAssignmentApps(t.Context(), tn.ID, "", 2)
		must(t, "first page", err)
		wantEqual(t, "first page size", len(page), 2)
		rest, err := s.ListAssignmentApps(t.Context(), tn.ID, page[1].AppID, 2)
		must(t, "second page", err)
		wantEqual(t, "second page size", len(rest), 1)
	})
	t.Run("tenant_isolation_another_tenants_app_and_assignment_not_found", func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		app := seedApp(t, s, tn.ID, "portal", at(0))
		u := seedGuest(t, s, tn, "ann@partner.example")
		got, err := s.GetAssignmentApp(t.Context(), tn.ID, app.AppID)
		must(t, "get", err)
		_, err = s.GetAssignmentApp(t.Context(), other.ID, app.AppID)
		wantErr(t, "get through another tenant", err, store.ErrNotFound)
		_, err = s.GetAssignmentAppByObjectID(t.Context(), other.ID, got.ServicePrincipalID)
		wantErr(t, "service principal through another tenant", err, store.ErrNotFound)
		moved := got
		moved.TenantID, moved.AssignmentRequired = other.ID, true
		wantErr(t, "update through another tenant", s.UpdateAssignmentApp(t.Context(), moved), store.ErrNotFound)
		a := seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalUser, u.ID, assignment.DefaultAccessRoleID)
		_, err = s.GetAppRoleAssignment(t.Context(), other.ID, a.ID)
		wantErr(t, "assignment through another tenant", err, store.ErrNotFound)
		wantErr(t, "delete through another tenant", s.DeleteAppRoleAssignment(t.Context(), other.ID, a.ID), store.ErrNotFound)
		list, err := s.ListPrincipalAppRoleAssignments(t.Context(), other.ID, u.ID, true, "", 10)
		must(t, "list through another tenant", err)
		wantEqual(t, "list through another tenant", len(list), 0)
		_, err = s.ReadAccess(t.Context(), other.ID, app.AppID, u.ID)
		wantErr(t, "access through another tenant", err, store.ErrNotFound)
		stolen := a
		stolen.ID, stolen.TenantID = uuid.NewString(), other.ID
		wantErr(t, "assign another tenant's app", s.CreateAppRoleAssignment(t.Context(), stolen), store.ErrNotFound)
	})
	t.Run("assignment_created_read_listed_once_deleted", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		app := seedApp(t, s, tn.ID, "portal", at(0))
		sp, err := s.GetAssignmentApp(t.Context(), tn.ID, app.AppID)
		must(t, "get", err)
		u := seedGuest(t, s, tn, "ann@partner.example")
		g := seedGroup(t, s, tn, "partners")
		a := seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalUser, u.ID, assignment.DefaultAccessRoleID)
		b := seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalGroup, g.ID, assignment.DefaultAccessRoleID)
		dup := a
		dup.ID = uuid.NewString()
		wantErr(t, "same principal and role twice", s.CreateAppRoleAssignment(t.Context(), dup), store.ErrAlreadyExists)
		got, err := s.GetAppRoleAssignment(t.Context(), tn.ID, a.ID)
		must(t, "get assignment", err)
		want := a
		want.PrincipalDisplayName, want.ResourceDisplayName, want.ServicePrincipalID = u.DisplayName, "portal", sp.ServicePrincipalID
		wantEqual(t, "assignment", got, want)
		list, err := s.ListAppRoleAssignments(t.Context(), tn.ID, app.AppID, "", 1)
		must(t, "first page", err)
		wantEqual(t, "first page size", len(list), 1)
		rest, err := s.ListAppRoleAssignments(t.Context(), tn.ID, app.AppID, list[0].ID, 1)
		must(t, "second page", err)
		wantEqual(t, "pages", len(rest), 1)
		ofGroup, err := s.ListPrincipalAppRoleAssignments(t.Context(), tn.ID, g.ID, false, "", 10)
		must(t, "group's assignments", err)
		wantEqual(t, "group's assignments", assignmentIDs(ofGroup), []string{b.ID})
		wantEqual(t, "group's name", ofGroup[0].PrincipalDisplayName, "partners")
		ofUser, err := s.ListPrincipalAppRoleAssignments(t.Context(), tn.ID, u.ID, false, "", 10)
		must(t, "user's own assignments", err)
		wantEqual(t, "user's own assignments", assignmentIDs(ofUser), []string{a.ID})
		addMember(t, s, tn, g.ID, u.ID, groups.MemberUser)
		withGroups, err := s.ListPrincipalAppRoleAssignments(t.Context(), tn.ID, u.ID, true, "", 10)
		must(t, "user's assignments with her groups'", err)
		wantEqual(t, "user's assignments with her groups'", sortedOrNil(assignmentIDs(withGroups)), sortedOrNil([]string{a.ID, b.ID}))
		must(t, "delete", s.DeleteAppRoleAssignment(t.Context(), tn.ID, a.ID))
		wantErr(t, "delete again", s.DeleteAppRoleAssignment(t.Context(), tn.ID, a.ID), store.ErrNotFound)
		_, err = s.GetAppRoleAssignment(t.Context(), tn.ID, a.ID)
		wantErr(t, "get deleted", err, store.ErrNotFound)
	})
	t.Run("deleted_principals_hidden_purged_ones_removed", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		app := seedApp(t, s, tn.ID, "portal", at(0))
		u := seedGuest(t, s, tn, "ann@partner.example")
		g := seedGroup(t, s, tn, "partners")
		a := seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalUser, u.ID, assignment.DefaultAccessRoleID)
		b := seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalGroup, g.ID, assignment.DefaultAccessRoleID)
		must(t, "delete user", s.DeleteUser(t.Context(), tn.ID, u.ID, at(1)))
		must(t, "delete group", s.DeleteGroup(t.Context(), tn.ID, g.ID, at(1)))
		list, err := s.ListAppRoleAssignments(t.Context(), tn.ID, app.AppID, "", 10)
		must(t, "list", err)
		wantEqual(t, "deleted principals hidden", len(list), 0)
		must(t, "restore group", s.RestoreGroup(t.Context(), tn.ID, g.ID))
		list, err = s.ListAppRoleAssignments(t.Context(), tn.ID, app.AppID, "", 10)
		must(t, "list after restore", err)
		wantEqual(t, "restored group's assignment back", assignmentIDs(list), []string{b.ID})
		must(t, "purge user", s.PurgeDeletedUser(t.Context(), tn.ID, u.ID))
		must(t, "delete group again", s.DeleteGroup(t.Context(), tn.ID, g.ID, at(2)))
		must(t, "purge group", s.PurgeGroup(t.Context(), tn.ID, g.ID))
		for _, id := range []string{a.ID, b.ID} {
			wantErr(t, "purged principal's assignment", s.DeleteAppRoleAssignment(t.Context(), tn.ID, id), store.ErrNotFound)
		}
	})
	t.Run("deleting_app_removes_its_assignments", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		app := seedApp(t, s, tn.ID, "portal", at(0))
		u := seedGuest(t, s, tn, "ann@partner.example")
		seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalUser, u.ID, assignment.DefaultAccessRoleID)
		must(t, "delete app", s.DeleteApp(t.Context(), tn.ID, app.AppID))
		list, err := s.ListPrincipalAppRoleAssignments(t.Context(), tn.ID, u.ID, true, "", 10)
		must(t, "list", err)
		wantEqual(t, "assignments of a deleted app", len(list), 0)
		_, err = s.GetAssignmentApp(t.Context(), tn.ID, app.AppID)
		wantErr(t, "settings of a deleted app", err, store.ErrNotFound)
		again := seedApp(t, s, tn.ID, "portal", at(0))
		seedAssignment(t, s, tn.ID, again.AppID, assignment.PrincipalUser, u.ID, assignment.DefaultAccessRoleID)
	})
}
