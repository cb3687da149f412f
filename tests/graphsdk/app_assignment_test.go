package graphsdk

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"
)

// TestGraphSDKAppAssignment (issue "Which guest may reach which app"): the
// Go Graph SDK defines an app role on its own application (by appId),
// finds the service principal with $filter=appId eq, requires assignment
// on it, assigns a group holding an invited guest through
// appRoleAssignedTo, reads the assignment from the group's and the guest's
// appRoleAssignments (Graph lists a direct member's group assignments with
// the user's), and deletes it.
func TestGraphSDKAppAssignment(t *testing.T) {
	g := startGuestgate(t, "User.Invite.All", "Group.ReadWrite.All", "Application.ReadWrite.All",
		"AppRoleAssignment.ReadWrite.All", "Directory.Read.All")
	client := g.graphClient(t, g.appToken(t))
	ctx := context.Background()
	ana := invite(t, ctx, client, "ana@partner.example")

	roleID := uuid.MustParse("0d5c3a2e-7c4b-4f7e-9a61-2b8d5e0f4c17")
	role := models.NewAppRole()
	role.SetId(&roleID)
	role.SetAllowedMemberTypes([]string{"User"})
	role.SetDisplayName(ptr("Portal reader"))
	role.SetDescription(ptr("Reads the partner portal"))
	role.SetValue(ptr("Portal.Read"))
	role.SetIsEnabled(ptr(true))
	app := models.NewApplication()
	app.SetAppRoles([]models.AppRoleable{role})
	app.SetGroupMembershipClaims(ptr("SecurityGroup"))
	if _, err := client.ApplicationsWithAppId(&g.AppID).Patch(ctx, app, nil); err != nil {
		t.Fatalf("PATCH applications(appId=): %v", describe(err))
	}
	gotApp, err := client.ApplicationsWithAppId(&g.AppID).Get(ctx, nil)
	if err != nil {
		t.Fatalf("GET applications(appId=): %v", describe(err))
	}
	if rs := gotApp.GetAppRoles(); len(rs) != 1 || deref(rs[0].GetValue()) != "Portal.Read" || *rs[0].GetId() != roleID ||
		deref(gotApp.GetGroupMembershipClaims()) != "SecurityGroup" {
		t.Fatalf("application = %d roles, groupMembershipClaims %q", len(rs), deref(gotApp.GetGroupMembershipClaims()))
	}

	filter := "appId eq '" + g.AppID + "'"
	sps, err := client.ServicePrincipals().Get(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
		QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{Filter: &filter}})
	if err != nil {
		t.Fatalf("GET servicePrincipals $filter: %v", describe(err))
	}
	if len(sps.GetValue()) != 1 || deref(sps.GetValue()[0].GetAppId()) != g.AppID {
		t.Fatalf("servicePrincipals by appId = %d", len(sps.GetValue()))
	}
	spID := deref(sps.GetValue()[0].GetId())
	sp := models.NewServicePrincipal()
	sp.SetAppRoleAssignmentRequired(ptr(true))
	if _, err := client.ServicePrincipals().ByServicePrincipalId(spID).Patch(ctx, sp, nil); err != nil {
		t.Fatalf("PATCH servicePrincipals/{id}: %v", describe(err))
	}
	gotSP, err := client.ServicePrincipalsWithAppId(&g.AppID).Get(ctx, nil)
	if err != nil {
		t.Fatalf("GET servicePrincipals(appId=): %v", describe(err))
	}
	if deref(gotSP.GetId()) != spID || !deref(gotSP.GetAppRoleAssignmentRequired()) || len(gotSP.GetAppRoles()) != 1 {
		t.Fatalf("service principal = %q required %v", deref(gotSP.GetId()), deref(gotSP.GetAppRoleAssignmentRequired()))
	}

	group := models.NewGroup()
	group.SetDisplayName(ptr("Portal users"))
	group.SetMailEnabled(ptr(false))
	group.SetMailNickname(ptr("portal-users"))
	group.SetSecurityEnabled(ptr(true))
	created, err := client.Groups().Post(ctx, group, nil)
	if err != nil {
		t.Fatalf("POST groups: %v", describe(err))
	}
	groupID := deref(created.GetId())
	ref := models.NewReferenceCreate()
	ref.SetOdataId(ptr("https://graph.microsoft.com/v1.0/directoryObjects/" + ana))
	if err := client.Groups().ByGroupId(groupID).Members().Ref().Post(ctx, ref, nil); err != nil {
		t.Fatalf("POST members/$ref: %v", describe(err))
	}

	principal, resource := uuid.MustParse(groupID), uuid.MustParse(spID)
	grant := models.NewAppRoleAssignment()
	grant.SetPrincipalId(&principal)
	grant.SetResourceId(&resource)
	grant.SetAppRoleId(&roleID)
	assigned, err := client.ServicePrincipals().ByServicePrincipalId(spID).AppRoleAssignedTo().Post(ctx, grant, nil)
	if err != nil {
		t.Fatalf("POST appRoleAssignedTo: %v", describe(err))
	}
	if deref(assigned.GetPrincipalType()) != "Group" || *assigned.GetPrincipalId() != principal || *assigned.GetResourceId() != resource ||
		deref(assigned.GetPrincipalDisplayName()) != "Portal users" || assigned.GetCreatedDateTime() == nil {
		t.Fatalf("assignment = type %q principal %v", deref(assigned.GetPrincipalType()), assigned.GetPrincipalId())
	}
	assignmentID := deref(assigned.GetId())

	ofGroup, err := client.Groups().ByGroupId(groupID).AppRoleAssignments().Get(ctx, nil)
	if err != nil {
		t.Fatalf("GET groups/{id}/appRoleAssignments: %v", describe(err))
	}
	if v := ofGroup.GetValue(); len(v) != 1 || deref(v[0].GetId()) != assignmentID || *v[0].GetAppRoleId() != roleID {
		t.Fatalf("the group's assignments = %d", len(v))
	}
	ofUser, err := client.Users().ByUserId(ana).AppRoleAssignments().Get(ctx, nil)
	if err != nil {
		t.Fatalf("GET users/{id}/appRoleAssignments: %v", describe(err))
	}
	if v := ofUser.GetValue(); len(v) != 1 || deref(v[0].GetId()) != assignmentID || deref(v[0].GetPrincipalType()) != "Group" {
		t.Fatalf("the guest's assignments = %d (want her group's)", len(v))
	}
	assignedTo, err := client.ServicePrincipals().ByServicePrincipalId(spID).AppRoleAssignedTo().Get(ctx, nil)
	if err != nil {
		t.Fatalf("GET appRoleAssignedTo: %v", describe(err))
	}
	if len(assignedTo.GetValue()) != 1 {
		t.Fatalf("appRoleAssignedTo = %d", len(assignedTo.GetValue()))
	}

	if err := client.ServicePrincipals().ByServicePrincipalId(spID).AppRoleAssignedTo().ByAppRoleAssignmentId(assignmentID).Delete(ctx, nil); err != nil {
		t.Fatalf("DELETE appRoleAssignedTo/{id}: %v", describe(err))
	}
	after, err := client.Groups().ByGroupId(groupID).AppRoleAssignments().Get(ctx, nil)
	if err != nil {
		t.Fatalf("GET groups/{id}/appRoleAssignments after delete: %v", describe(err))
	}
	if len(after.GetValue()) != 0 {
		t.Fatalf("the group's assignments after delete = %d", len(after.GetValue()))
	}
}
