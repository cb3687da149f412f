package graph

import (
	"encoding/json"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/assignment"
)

func jsonKeys(t *testing.T, v any) []string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestAppRoleAssignmentShape: an appRoleAssignment has exactly Graph
// v1.0's properties, resourceId being the service principal's id.
func TestAppRoleAssignmentShape(t *testing.T) {
	x := assignment.Assignment{ID: "a1", AppID: "app", PrincipalType: assignment.PrincipalGroup, PrincipalID: "g1",
		AppRoleID: assignment.DefaultAccessRoleID, CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		PrincipalDisplayName: "Partners", ResourceDisplayName: "Portal", ServicePrincipalID: "sp1"}
	want := []string{"appRoleId", "createdDateTime", "deletedDateTime", "id", "principalDisplayName", "principalId",
		"principalType", "resourceDisplayName", "resourceId"}
	if got := jsonKeys(t, AppRoleAssignmentJSON(x)); !slices.Equal(got, want) {
		t.Fatalf("keys = %v, want %v", got, want)
	}
	out := appRoleAssignmentOut(x)
	if out.ResourceID != "sp1" || out.CreatedDateTime != "2026-01-02T03:04:05Z" || out.DeletedDateTime != nil {
		t.Fatalf("assignment = %+v", out)
	}
}

// TestServicePrincipalDefaultProperties: the service principal answers
// the properties of Graph's default set (those the Go SDK's model reads,
// navigation properties aside).
func TestServicePrincipalDefaultProperties(t *testing.T) {
	got := jsonKeys(t, ServicePrincipalJSON(assignment.App{AppID: "app", ServicePrincipalID: "sp"}))
	for _, p := range []string{"id", "deletedDateTime", "accountEnabled", "addIns", "alternativeNames", "appDescription",
		"appDisplayName", "appId", "applicationTemplateId", "appOwnerOrganizationId", "appRoleAssignmentRequired", "appRoles",
		"description", "disabledByMicrosoftStatus", "displayName", "homepage", "info", "keyCredentials", "loginUrl", "logoutUrl",
		"notes", "notificationEmailAddresses", "oauth2PermissionScopes", "passwordCredentials", "preferredSingleSignOnMode",
		"preferredTokenSigningKeyThumbprint", "replyUrls", "resourceSpecificApplicationPermissions", "samlSingleSignOnSettings",
		"servicePrincipalNames", "servicePrincipalType", "signInAudience", "tags", "tokenEncryptionKeyId", "verifiedPublisher"} {
		if !slices.Contains(got, p) {
			t.Errorf("servicePrincipal lacks %s", p)
		}
	}
}

// TestAlternateKey: /servicePrincipals(appId='…') and
// /applications(appId='…') reach the {id} routes marked as by appId; a
// malformed key is left for the router to refuse.
func TestAlternateKey(t *testing.T) {
	for _, tc := range []struct {
		path, want string
		byAppID    bool
	}{
		{"/v1.0/servicePrincipals(appId='a1')", "/v1.0/servicePrincipals/a1", true},
		{"/v1.0/serviceprincipals(appid='a1')/appRoleAssignedTo", "/v1.0/servicePrincipals/a1/appRoleAssignedTo", true},
		{"/v1.0/applications(appId='a1')", "/v1.0/applications/a1", true},
		{"/v1.0/applications(displayName='a1')", "/v1.0/applications(displayName='a1')", false},
		{"/v1.0/servicePrincipals(appId='')", "/v1.0/servicePrincipals(appId='')", false},
		{"/v1.0/servicePrincipals(appId='a'b')", "/v1.0/servicePrincipals(appId='a'b')", false},
		{"/v1.0/servicePrincipals/sp1", "/v1.0/servicePrincipals/sp1", false},
		{"/v1.0/users", "/v1.0/users", false},
	} {
		r := alternateKey(httptest.NewRequest("GET", "http://x"+tc.path, nil))
		if r.URL.Path != tc.want || byAppID(r) != tc.byAppID {
			t.Errorf("%s: got %s (by appId %v), want %s (%v)", tc.path, r.URL.Path, byAppID(r), tc.want, tc.byAppID)
		}
	}
}
