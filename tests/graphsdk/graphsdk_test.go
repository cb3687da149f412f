package graphsdk

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/microsoftgraph/msgraph-sdk-go/identity"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
	"github.com/microsoftgraph/msgraph-sdk-go/rolemanagement"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

// guestInviter is Graph's template id of the Guest Inviter role.
const guestInviter = "95e79109-95c0-4d8e-aee3-d01accf2d47b"

// TestGraphSDK sends the Go Graph SDK's own requests to guestgate and reads
// the answers with its typed models (issue 22, "Done when"): it invites a
// guest, patches the guest's department, reads the guest with $select of
// non-default properties, filters users by id in (…), creates a Google
// identity provider and rotates its secret (the SDK always sends
// @odata.type), gives a member a role, filters the role assignments by
// principalId and roleDefinitionId and deletes the assignment, and reads
// /organization.
func TestGraphSDK(t *testing.T) {
	g := startGuestgate(t, "User.Invite.All", "User.ReadWrite.All", "IdentityProvider.ReadWrite.All",
		"RoleManagement.ReadWrite.Directory", "Organization.Read.All", "AuditLog.Read.All") // signInActivity: AuditLog.Read.All, as in Graph
	client := g.graphClient(t, g.appToken(t))
	ctx := context.Background()

	ana := invite(t, ctx, client, "ana@partner.example")
	ben := invite(t, ctx, client, "ben@partner.example")
	invite(t, ctx, client, "cy@partner.example")

	t.Run("patch_department_and_select", func(t *testing.T) {
		patch := models.NewUser()
		patch.SetDepartment(ptr("Sales"))
		patch.SetJobTitle(ptr("Buyer"))
		if _, err := client.Users().ByUserId(ana).Patch(ctx, patch, nil); err != nil {
			t.Fatalf("PATCH users/{id}: %v", describe(err))
		}
		got, err := client.Users().ByUserId(ana).Get(ctx, &users.UserItemRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.UserItemRequestBuilderGetQueryParameters{
				Select: []string{"id", "userPrincipalName", "displayName", "department", "jobTitle", "companyName", "signInActivity", "userType", "externalUserState", "identities", "createdDateTime"},
			}})
		if err != nil {
			t.Fatalf("GET users/{id}?$select: %v", describe(err))
		}
		if deref(got.GetId()) != ana || deref(got.GetDepartment()) != "Sales" || deref(got.GetJobTitle()) != "Buyer" ||
			deref(got.GetUserType()) != "Guest" || deref(got.GetExternalUserState()) != "PendingAcceptance" {
			t.Fatalf("user = id %q department %q jobTitle %q userType %q externalUserState %q",
				deref(got.GetId()), deref(got.GetDepartment()), deref(got.GetJobTitle()), deref(got.GetUserType()), deref(got.GetExternalUserState()))
		}
		if got.GetCompanyName() != nil {
			t.Fatalf("companyName = %q, want null (never set)", *got.GetCompanyName())
		}
		if got.GetCreatedDateTime() == nil || got.GetCreatedDateTime().IsZero() {
			t.Fatal("createdDateTime did not deserialize")
		}
		if a := got.GetSignInActivity(); a != nil && a.GetLastSignInDateTime() != nil {
			t.Fatalf("signInActivity.lastSignInDateTime = %v for a guest who never signed in", a.GetLastSignInDateTime())
		}
		// A guest's first identity is its userPrincipalName in the tenant
		// ({address}#EXT#@{initial domain}, issued by the initial domain).
		upn := deref(got.GetUserPrincipalName())
		ids := got.GetIdentities()
		if !strings.HasPrefix(upn, "ana_partner.example#EXT#@") || len(ids) == 0 ||
			deref(ids[0].GetSignInType()) != "userPrincipalName" || deref(ids[0].GetIssuerAssignedId()) != upn ||
			!strings.HasSuffix(upn, "#EXT#@"+deref(ids[0].GetIssuer())) {
			t.Fatalf("userPrincipalName %q, %d identities", upn, len(ids))
		}
		if got.GetMail() != nil {
			t.Fatalf("mail = %q, not selected", *got.GetMail())
		}
	})

	t.Run("filter_id_in", func(t *testing.T) {
		filter := "id in ('" + ana + "', '" + ben + "')"
		page, err := client.Users().Get(ctx, &users.UsersRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.UsersRequestBuilderGetQueryParameters{Filter: &filter, Select: []string{"id", "mail", "department"}}})
		if err != nil {
			t.Fatalf("GET users?$filter=id in: %v", describe(err))
		}
		var ids []string
		for _, u := range page.GetValue() {
			ids = append(ids, deref(u.GetId()))
		}
		slices.Sort(ids)
		want := []string{ana, ben}
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("id in (ana, ben) = %v, want %v", ids, want)
		}
	})

	t.Run("rotate_google_secret", func(t *testing.T) {
		google := models.NewSocialIdentityProvider()
		google.SetDisplayName(ptr("Google"))
		google.SetIdentityProviderType(ptr("Google"))
		google.SetClientId(ptr("1234567890-abc.apps.googleusercontent.com"))
		google.SetClientSecret(ptr("first-secret"))
		created, err := client.Identity().IdentityProviders().Post(ctx, google, nil)
		if err != nil {
			t.Fatalf("POST identityProviders: %v", describe(err))
		}
		social, ok := created.(models.SocialIdentityProviderable)
		if !ok {
			t.Fatalf("POST identityProviders answered a %T, want a socialIdentityProvider", created)
		}
		id := deref(social.GetId())
		if id != "Google-OAUTH" || deref(social.GetIdentityProviderType()) != "Google" {
			t.Fatalf("created provider id %q type %q", id, deref(social.GetIdentityProviderType()))
		}
		rotate := models.NewSocialIdentityProvider() // the SDK sends its @odata.type
		rotate.SetClientSecret(ptr("second-secret"))
		if _, err := client.Identity().IdentityProviders().ByIdentityProviderBaseId(id).Patch(ctx, rotate, nil); err != nil {
			t.Fatalf("PATCH identityProviders/Google-OAUTH with the SDK's body: %v", describe(err))
		}
		read, err := client.Identity().IdentityProviders().ByIdentityProviderBaseId(id).Get(ctx,
			&identity.IdentityProvidersIdentityProviderBaseItemRequestBuilderGetRequestConfiguration{})
		if err != nil {
			t.Fatalf("GET identityProviders/Google-OAUTH: %v", describe(err))
		}
		after, ok := read.(models.SocialIdentityProviderable)
		if !ok || deref(after.GetClientId()) != "1234567890-abc.apps.googleusercontent.com" {
			t.Fatalf("GET identityProviders/Google-OAUTH = %T %v", read, read)
		}
		if s := deref(after.GetClientSecret()); s == "second-secret" || s == "first-secret" {
			t.Fatal("the client secret is readable; Graph answers it masked")
		}
	})

	t.Run("role_assignment_filter_and_delete", func(t *testing.T) {
		kim := createMember(t, ctx, client, "kim@fabrikam.example")
		body := models.NewUnifiedRoleAssignment()
		body.SetPrincipalId(ptr(kim))
		body.SetRoleDefinitionId(ptr(guestInviter))
		body.SetDirectoryScopeId(ptr("/"))
		created, err := client.RoleManagement().Directory().RoleAssignments().Post(ctx, body, nil)
		if err != nil {
			t.Fatalf("POST roleAssignments: %v", describe(err))
		}
		assignment := deref(created.GetId())
		if assignment == "" || deref(created.GetPrincipalId()) != kim || deref(created.GetRoleDefinitionId()) != guestInviter {
			t.Fatalf("created assignment id %q principal %q role %q", assignment, deref(created.GetPrincipalId()), deref(created.GetRoleDefinitionId()))
		}
		list := func(filter string, expand ...string) []models.UnifiedRoleAssignmentable {
			t.Helper()
			page, err := client.RoleManagement().Directory().RoleAssignments().Get(ctx, &rolemanagement.DirectoryRoleAssignmentsRequestBuilderGetRequestConfiguration{
				QueryParameters: &rolemanagement.DirectoryRoleAssignmentsRequestBuilderGetQueryParameters{Filter: &filter, Expand: expand}})
			if err != nil {
				t.Fatalf("GET roleAssignments?$filter=%s: %v", filter, describe(err))
			}
			return page.GetValue()
		}
		if got := list("principalId eq '" + kim + "'"); len(got) != 1 || deref(got[0].GetId()) != assignment {
			t.Fatalf("$filter=principalId eq kim: %d assignments", len(got))
		}
		got := list("roleDefinitionId eq '"+guestInviter+"'", "principal")
		if len(got) != 1 || got[0].GetPrincipal() == nil || deref(got[0].GetPrincipal().GetId()) != kim {
			t.Fatalf("$filter=roleDefinitionId eq Guest Inviter&$expand=principal: %d assignments", len(got))
		}
		if u, ok := got[0].GetPrincipal().(models.Userable); !ok || deref(u.GetUserPrincipalName()) != "kim@fabrikam.example" {
			t.Fatalf("$expand=principal = %T, want the member as a user", got[0].GetPrincipal())
		}
		if err := client.RoleManagement().Directory().RoleAssignments().ByUnifiedRoleAssignmentId(assignment).Delete(ctx, nil); err != nil {
			t.Fatalf("DELETE roleAssignments/{id}: %v", describe(err))
		}
		if got := list("principalId eq '" + kim + "'"); len(got) != 0 {
			t.Fatalf("after DELETE, principalId eq kim: %d assignments", len(got))
		}
		_, err = client.RoleManagement().Directory().RoleAssignments().ByUnifiedRoleAssignmentId(assignment).Get(ctx, nil)
		var odataErr *odataerrors.ODataError
		if !errors.As(err, &odataErr) || odataErr.ResponseStatusCode != 404 {
			t.Fatalf("GET of the deleted assignment: %v, want a 404 ODataError", err)
		}
	})

	t.Run("organization", func(t *testing.T) {
		page, err := client.Organization().Get(ctx, nil)
		if err != nil {
			t.Fatalf("GET organization: %v", describe(err))
		}
		orgs := page.GetValue()
		if len(orgs) != 1 || deref(orgs[0].GetId()) != g.TenantID || deref(orgs[0].GetDisplayName()) != "Fabrikam" {
			t.Fatalf("organization = %d entries", len(orgs))
		}
		var domains []string
		for _, d := range orgs[0].GetVerifiedDomains() {
			domains = append(domains, deref(d.GetName()))
		}
		if !slices.Contains(domains, "fabrikam.example") {
			t.Fatalf("verifiedDomains = %v, want fabrikam.example among them", domains)
		}
		one, err := client.Organization().ByOrganizationId(g.TenantID).Get(ctx, nil)
		if err != nil || deref(one.GetId()) != g.TenantID {
			t.Fatalf("GET organization/{id}: %v", describe(err))
		}
	})
}

// invite invites addr without a mail and returns the guest's id.
func invite(t *testing.T, ctx context.Context, client graphClient, addr string) string {
	t.Helper()
	inv := models.NewInvitation()
	inv.SetInvitedUserEmailAddress(ptr(addr))
	inv.SetInviteRedirectUrl(ptr("https://app.example/"))
	inv.SetSendInvitationMessage(ptr(false))
	got, err := client.Invitations().Post(ctx, inv, nil)
	if err != nil {
		t.Fatalf("POST invitations %s: %v", addr, describe(err))
	}
	if got.GetInvitedUser() == nil || deref(got.GetInvitedUser().GetId()) == "" || deref(got.GetStatus()) != "PendingAcceptance" {
		t.Fatalf("invitation for %s: status %q", addr, deref(got.GetStatus()))
	}
	return deref(got.GetInvitedUser().GetId())
}

// createMember creates a member with POST /users and returns its id.
func createMember(t *testing.T, ctx context.Context, client graphClient, upn string) string {
	t.Helper()
	u := models.NewUser()
	u.SetAccountEnabled(ptr(true))
	u.SetDisplayName(ptr("Kim"))
	u.SetMailNickname(ptr("kim"))
	u.SetUserPrincipalName(ptr(upn))
	pw := models.NewPasswordProfile()
	pw.SetForceChangePasswordNextSignIn(ptr(false))
	pw.SetPassword(ptr("tulip-Quarry-2026"))
	u.SetPasswordProfile(pw)
	got, err := client.Users().Post(ctx, u, nil)
	if err != nil {
		t.Fatalf("POST users: %v", describe(err))
	}
	if deref(got.GetUserPrincipalName()) != upn || deref(got.GetId()) == "" {
		t.Fatalf("POST users answered upn %q id %q", deref(got.GetUserPrincipalName()), deref(got.GetId()))
	}
	return deref(got.GetId())
}
