package graph

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
)

// Permissions that grant each kind of operation, spelled out here (not
// taken from the handlers' lists) so that a handler or a list that loses
// or swaps a permission fails TestRoutePermissions.
var (
	grantUsersRead    = []string{roles.UserReadAll, roles.UserReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	grantUsersWrite   = []string{roles.UserReadWriteAll, roles.DirectoryReadWriteAll}
	grantUserDelete   = []string{roles.UserDeleteRestoreAll, roles.UserReadWriteAll, roles.DirectoryReadWriteAll}
	grantRevoke       = []string{roles.UserRevokeSessionsAll, roles.UserReadWriteAll, roles.DirectoryReadWriteAll}
	grantInvite       = []string{roles.UserInviteAll, roles.UserReadWriteAll, roles.DirectoryReadWriteAll}
	grantAuthnRead    = []string{roles.PolicyReadAll, roles.PolicyReadWriteAuthn}
	grantAuthnWrite   = []string{roles.PolicyReadWriteAuthn}
	grantAuthzRead    = []string{roles.PolicyReadAll, roles.PolicyReadWriteAuthz}
	grantAuthzWrite   = []string{roles.PolicyReadWriteAuthz}
	grantXTRead       = []string{roles.PolicyReadAll, roles.PolicyReadWriteXTenant}
	grantXTWrite      = []string{roles.PolicyReadWriteXTenant}
	grantAudit        = []string{roles.AuditLogReadAll}
	grantIdPRead      = []string{roles.IdentityProviderReadAll, roles.PolicyReadWriteIdP}
	grantIdPWrite     = []string{roles.PolicyReadWriteIdP}
	grantOrgRead      = []string{roles.OrganizationReadAll, roles.OrganizationReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	grantBrandRead    = []string{roles.OrganizationalBrandingReadAll, roles.OrganizationalBrandingReadWriteAll, roles.OrganizationReadAll, roles.OrganizationReadWriteAll}
	grantBrandWrite   = []string{roles.OrganizationalBrandingReadWriteAll, roles.OrganizationReadWriteAll}
	grantRolesRead    = []string{roles.RoleManagementRead, roles.RoleManagementReadWrite, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	grantRolesWrite   = []string{roles.RoleManagementReadWrite}
	grantGroupsRead   = []string{roles.GroupReadAll, roles.GroupReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	grantGroupsWrite  = []string{roles.GroupReadWriteAll, roles.DirectoryReadWriteAll}
	grantMembersRead  = []string{roles.GroupMemberReadAll, roles.GroupMemberReadWriteAll, roles.GroupReadAll, roles.GroupReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	grantMembersWrite = []string{roles.GroupMemberReadWriteAll, roles.GroupReadWriteAll, roles.DirectoryReadWriteAll}

	// Applications, service principals and app role assignments.
	grantAppsRead    = []string{roles.ApplicationReadAll, roles.ApplicationReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	grantAppsWrite   = []string{roles.ApplicationReadWriteAll, roles.DirectoryReadWriteAll}
	grantAssignedTo  = []string{roles.ApplicationReadAll, roles.ApplicationReadWriteAll, roles.AppRoleAssignmentReadWriteAll, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	grantAssignments = []string{roles.DirectoryReadAll, roles.AppRoleAssignmentReadWriteAll, roles.DirectoryReadWriteAll}
	grantAssign      = []string{roles.AppRoleAssignmentReadWriteAll}

	everyPermission  = unionOf(grantUsersRead, grantUserDelete, grantRevoke, grantInvite, grantAuthnRead, grantAuthzRead, grantXTRead, grantAudit, grantIdPRead, grantOrgRead, grantBrandRead, grantRolesRead, grantMembersRead, grantAssignedTo)
	routePermissions = map[string][]string{
		"POST /v1.0/invitations":                                        grantInvite,
		"GET /v1.0/users":                                               grantUsersRead,
		"GET /v1.0/users/$count":                                        grantUsersRead,
		"GET /v1.0/users/{id}":                                          grantUsersRead,
		"POST /v1.0/users":                                              grantUsersWrite,
		"PATCH /v1.0/users/{id}":                                        grantUsersWrite,
		"DELETE /v1.0/users/{id}":                                       grantUserDelete,
		"POST /v1.0/users/{id}/revokeSignInSessions":                    grantRevoke,
		"GET /v1.0/directory/deletedItems/microsoft.graph.user":         grantUsersRead,
		"GET /v1.0/directory/deletedItems/{id}":                         unionOf(grantUsersRead, grantGroupsRead),
		"POST /v1.0/directory/deletedItems/{id}/restore":                unionOf(grantUserDelete, grantGroupsWrite),
		"GET /v1.0/directory/deletedItems/microsoft.graph.group":        grantGroupsRead,
		"GET /v1.0/directory/deletedItems/graph.group":                  grantGroupsRead,
		"GET /v1.0/groups":                                              grantGroupsRead,
		"POST /v1.0/groups":                                             grantGroupsWrite,
		"GET /v1.0/groups/{id}":                                         grantGroupsRead,
		"PATCH /v1.0/groups/{id}":                                       grantGroupsWrite,
		"DELETE /v1.0/groups/{id}":                                      grantGroupsWrite,
		"GET /v1.0/groups/{id}/members":                                 grantMembersRead,
		"POST /v1.0/groups/{id}/members/$ref":                           grantMembersWrite,
		"DELETE /v1.0/groups/{id}/members/{member}/$ref":                grantMembersWrite,
		"GET /v1.0/users/{id}/memberOf":                                 grantMembersRead,
		"GET /v1.0/users/{id}/transitiveMemberOf":                       grantMembersRead,
		"POST /v1.0/users/{id}/checkMemberGroups":                       grantMembersRead,
		"POST /v1.0/users/{id}/getMemberObjects":                        grantMembersRead,
		"POST /v1.0/me/getMemberObjects":                                unionOf(grantMembersRead, grantUsersRead),
		"DELETE /v1.0/directory/deletedItems/{id}":                      unionOf(grantUserDelete, grantGroupsWrite),
		"GET /v1.0/policies/authenticationMethodsPolicy":                grantAuthnRead,
		"GET " + authMethodConfigsPath:                                  grantAuthnRead,
		"GET " + emailConfigPath:                                        grantAuthnRead,
		"PATCH " + emailConfigPath:                                      grantAuthnWrite,
		"DELETE " + emailConfigPath:                                     grantAuthnWrite,
		"GET /v1.0/auditLogs/directoryAudits":                           grantAudit,
		"GET /v1.0/auditLogs/directoryAudits/{id}":                      grantAudit,
		"GET /v1.0/auditLogs/signIns":                                   grantAudit,
		"GET /v1.0/auditLogs/signIns/{id}":                              grantAudit,
		"GET /v1.0/policies/crossTenantAccessPolicy/default":            grantXTRead,
		"PATCH /v1.0/policies/crossTenantAccessPolicy/default":          grantXTWrite,
		"GET /v1.0/identity/identityProviders":                          grantIdPRead,
		"POST /v1.0/identity/identityProviders":                         grantIdPWrite,
		"GET /v1.0/identity/identityProviders/{id}":                     grantIdPRead,
		"PATCH /v1.0/identity/identityProviders/{id}":                   grantIdPWrite,
		"DELETE /v1.0/identity/identityProviders/{id}":                  grantIdPWrite,
		"GET /v1.0/directory/federationConfigurations/{x}":              grantIdPRead,
		"POST /v1.0/directory/federationConfigurations/{x}":             grantIdPWrite,
		"PATCH /v1.0/directory/federationConfigurations/{x}":            grantIdPWrite,
		"DELETE /v1.0/directory/federationConfigurations/{x}":           grantIdPWrite,
		"GET /v1.0/directory/federationConfigurations/{a}/{b}":          grantIdPRead,
		"PATCH /v1.0/directory/federationConfigurations/{a}/{b}":        grantIdPWrite,
		"DELETE /v1.0/directory/federationConfigurations/{a}/{b}":       grantIdPWrite,
		"GET /v1.0/directory/federationConfigurations/{a}/{b}/domains":  grantIdPRead,
		"POST /v1.0/directory/federationConfigurations/{a}/{b}/domains": grantIdPWrite,
		"GET /v1.0/organization":                                        grantOrgRead,
		"GET /v1.0/organization/{id}":                                   grantOrgRead,
		"GET /v1.0/me":                                                  grantUsersRead,
		"GET " + brandingPath:                                           grantBrandRead,
		"PATCH " + brandingPath:                                         grantBrandWrite,
		"GET " + brandingPath + "/bannerLogo":                           grantBrandRead,
		"PUT " + brandingPath + "/bannerLogo":                           grantBrandWrite,
		"GET " + brandingPath + "/localizations":                        grantBrandRead,
		"POST " + brandingPath + "/localizations":                       grantBrandWrite,
		"GET " + brandingPath + "/localizations/{lang}":                 grantBrandRead,
		"PATCH " + brandingPath + "/localizations/{lang}":               grantBrandWrite,
		"GET " + brandingPath + "/localizations/{lang}/bannerLogo":      grantBrandRead,
		"PUT " + brandingPath + "/localizations/{lang}/bannerLogo":      grantBrandWrite,
		"GET " + roleAssignmentsPath:                                    grantRolesRead,
		"POST " + roleAssignmentsPath:                                   grantRolesWrite,
		"GET " + roleAssignmentsPath + "/{id}":                          grantRolesRead,
		"DELETE " + roleAssignmentsPath + "/{id}":                       grantRolesWrite,
		"GET " + roleDefinitionsPath:                                    grantRolesRead,
		"GET " + roleDefinitionsPath + "/{id}":                          grantRolesRead,
		"GET " + authorizationPolicyPath:                                grantAuthzRead,
		"PATCH " + authorizationPolicyPath:                              grantAuthzWrite,
		"GET " + b2bPolicyPath:                                          grantAuthzRead,
		"PATCH " + b2bPolicyPath:                                        grantAuthzWrite,

		// Applications, service principals and app role assignments.
		"GET /v1.0/servicePrincipals":                                        grantAppsRead,
		"GET /v1.0/servicePrincipals/{id}":                                   grantAppsRead,
		"PATCH /v1.0/servicePrincipals/{id}":                                 grantAppsWrite,
		"GET /v1.0/servicePrincipals/{id}/appRoleAssignedTo":                 grantAssignedTo,
		"POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo":                grantAssign,
		"DELETE /v1.0/servicePrincipals/{id}/appRoleAssignedTo/{assignment}": grantAssign,
		"GET /v1.0/applications/{id}":                                        grantAppsRead,
		"PATCH /v1.0/applications/{id}":                                      grantAppsWrite,
		"GET /v1.0/users/{id}/appRoleAssignments":                            grantAssignments,
		"POST /v1.0/users/{id}/appRoleAssignments":                           grantAssign,
		"DELETE /v1.0/users/{id}/appRoleAssignments/{assignment}":            grantAssign,
		"GET /v1.0/groups/{id}/appRoleAssignments":                           grantAssignments,
		"POST /v1.0/groups/{id}/appRoleAssignments":                          grantAssign,
		"DELETE /v1.0/groups/{id}/appRoleAssignments/{assignment}":           grantAssign,
	}
)

// delegatedPermissions are the routes a delegated token reaches with more
// scopes than an app: Graph lets a signed-in member read the organization
// with a user read scope.
var delegatedPermissions = map[string][]string{
	"GET /v1.0/organization":      unionOf(grantOrgRead, grantUsersRead),
	"GET /v1.0/organization/{id}": unionOf(grantOrgRead, grantUsersRead),
}

func unionOf(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, p := range l {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func without(all, drop []string) []string {
	var out []string
	for _, p := range all {
		if !slices.Contains(drop, p) {
			out = append(out, p)
		}
	}
	return out
}

// TestRoutePermissions (R10; issue 21, tests for the wiring): every
// route of the admin API is in one table with the permissions that grant
// it. An app holding every other permission guestgate knows is refused
// 403 Authorization_RequestDenied before anything is read; so is a
// delegated token of a Global Administrator carrying every other scope,
// and a delegated token carrying the granting scopes for a member whose
// roles grant nothing (where a member needs a role for them). An app holding any one granting permission gets
// past authorization (its handler reaches the store, which this
// stand-in lacks).
func TestRoutePermissions(t *testing.T) {
	tn := directory.Tenant{ID: "6f9619ff-8b86-4d01-b42d-00cf4fc964ff", DisplayName: "Fabrikam", Managed: true}
	caller := &Caller{}
	a := mustNew(Deps{Tokens: callerIs{caller}, Directory: oneTenant{t: tn}, Collab: adminsInvite{},
		Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))})
	const id = "0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b"
	const cast = "microsoft.graph." + samlFedTypeName
	seen := map[string]bool{}
	for _, rt := range a.routes {
		seen[rt.pattern] = true
		if _, ok := routePermissions[rt.pattern]; !ok {
			t.Errorf("%s is served but not in routePermissions: add its row", rt.pattern)
		}
	}
	for p := range routePermissions {
		if !seen[p] {
			t.Errorf("%s is in routePermissions but not served", p)
		}
	}
	member := directory.User{TenantID: tn.ID, ID: id, UserType: directory.UserTypeMember}
	for _, rt := range a.routes {
		grant := routePermissions[rt.pattern]
		method, p, _ := strings.Cut(rt.pattern, " ")
		x := id
		if method == http.MethodPost {
			x = cast
		}
		target := strings.NewReplacer("{id}", tn.ID, "{x}", x, "{a}", id, "{b}", cast, "{lang}", "en-US", "{assignment}", id).Replace(p)
		if !strings.Contains(p, "/organization/") {
			target = strings.Replace(target, tn.ID, id, 1)
		}
		call := func(c Caller) (code int, errCode string, passed bool) {
			*caller = c
			w := httptest.NewRecorder()
			r := httptest.NewRequest(method, target, strings.NewReader(`{}`))
			r.Header.Set("Authorization", "Bearer x")
			r.Header.Set("Content-Type", "application/json")
			defer func() {
				if recover() != nil {
					passed = true
				}
			}()
			a.ServeHTTP(w, r)
			var env errorBody
			_ = json.Unmarshal(w.Body.Bytes(), &env)
			return w.Code, env.Error.Code, false
		}
		refused := func(c Caller) bool {
			code, errCode, passed := call(c)
			return !passed && code == http.StatusForbidden && errCode == "Authorization_RequestDenied"
		}
		t.Run(rt.pattern, func(t *testing.T) {
			others := without(everyPermission, grant)
			if !strings.Contains(rt.pattern, " /v1.0/me") { // app-only tokens are 400 at /me
				if c := (Caller{TenantID: tn.ID, AppID: "app-1", Roles: others}); !refused(c) {
					t.Errorf("an app holding %v (none granting) is not refused", others)
				}
				for _, g := range grant {
					if refused(Caller{TenantID: tn.ID, AppID: "app-1", Roles: []string{g}}) {
						t.Errorf("an app holding %s is refused", g)
					}
				}
			}
			if d, ok := delegatedPermissions[rt.pattern]; ok {
				grant, others = d, without(everyPermission, d)
			}
			ga := Caller{TenantID: tn.ID, AppID: "app-1", Scopes: others, User: member, DirectoryRoles: []string{roles.GlobalAdministrator.TemplateID}}
			if !refused(ga) {
				t.Errorf("a Global Administrator's token with scopes %v (none granting) is not refused", others)
			}
			// What every member may read needs no role (roles.Allows);
			// the rest needs one.
			var needRole []string
			for _, g := range grant {
				if !roles.Allows(nil, g) {
					needRole = append(needRole, g)
				}
			}
			if len(needRole) > 0 && !refused(Caller{TenantID: tn.ID, AppID: "app-1", Scopes: needRole, User: member}) {
				t.Errorf("a member without a role, with scopes %v, is not refused", needRole)
			}
			ga.Scopes = grant[:1]
			if refused(ga) {
				t.Errorf("a Global Administrator's token with scope %s is refused", grant[0])
			}
		})
	}
}
