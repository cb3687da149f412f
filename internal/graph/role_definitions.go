package graph

import (
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/roles"
)

const (
	roleDefinitionsPath = "/v1.0/roleManagement/directory/roleDefinitions"
	roleDefinitionsCtx  = "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleDefinitions"
)

// roleDefinitionJSON is Graph's unifiedRoleDefinition of a built-in role:
// its id is its templateId, as for Entra's built-in roles.
type roleDefinitionJSON struct {
	ODataContext    string               `json:"@odata.context,omitempty"`
	ID              string               `json:"id"`
	Description     string               `json:"description"`
	DisplayName     string               `json:"displayName"`
	IsBuiltIn       bool                 `json:"isBuiltIn"`
	IsEnabled       bool                 `json:"isEnabled"`
	ResourceScopes  []string             `json:"resourceScopes"`
	TemplateID      string               `json:"templateId"`
	Version         string               `json:"version"`
	RolePermissions []rolePermissionJSON `json:"rolePermissions"`
}

// rolePermissionJSON is Graph's unifiedRolePermission.
type rolePermissionJSON struct {
	AllowedResourceActions []string `json:"allowedResourceActions"`
	Condition              *string  `json:"condition"`
}

// roleActions are the Entra resource actions of each role, limited to
// what guestgate has (Entra lists many more for these roles).
var roleActions = map[string][]string{
	roles.GlobalAdministrator.TemplateID: {"microsoft.directory/users/allProperties/allTasks", "microsoft.directory/roleAssignments/allProperties/allTasks",
		"microsoft.directory/identityProviders/allProperties/allTasks", "microsoft.directory/authenticationMethodPolicies/allProperties/allTasks",
		"microsoft.directory/organization/allProperties/allTasks", "microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/signInReports/allProperties/read"},
	roles.AuthenticationPolicyAdministrator.TemplateID: {"microsoft.directory/authenticationMethodPolicies/standard/read", "microsoft.directory/authenticationMethodPolicies/basic/update"},
	roles.UserAdministrator.TemplateID: {"microsoft.directory/users/create", "microsoft.directory/users/delete", "microsoft.directory/users/restore",
		"microsoft.directory/users/basic/update", "microsoft.directory/users/disable", "microsoft.directory/users/enable",
		"microsoft.directory/users/invalidateAllRefreshTokens", "microsoft.directory/users/inviteGuest"},
	roles.GroupsAdministrator.TemplateID: {"microsoft.directory/groups/create", "microsoft.directory/groups/delete", "microsoft.directory/groups/restore",
		"microsoft.directory/groups/basic/update", "microsoft.directory/groups/members/update"},
	roles.ApplicationAdministrator.TemplateID: {"microsoft.directory/applications/create", "microsoft.directory/applications/delete",
		"microsoft.directory/applications/standard/read", "microsoft.directory/applications/appRoles/update",
		"microsoft.directory/servicePrincipals/standard/read", "microsoft.directory/servicePrincipals/appRoleAssignedTo/update"},
	roles.CloudApplicationAdministrator.TemplateID: {"microsoft.directory/applications/create", "microsoft.directory/applications/delete",
		"microsoft.directory/applications/standard/read", "microsoft.directory/applications/appRoles/update",
		"microsoft.directory/servicePrincipals/standard/read", "microsoft.directory/servicePrincipals/appRoleAssignedTo/update"},
	roles.GuestInviter.TemplateID:   {"microsoft.directory/users/inviteGuest"},
	roles.SecurityReader.TemplateID: {"microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/signInReports/allProperties/read"},
	roles.ReportsReader.TemplateID:  {"microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/signInReports/allProperties/read"},
}

func roleDefinitionOut(r roles.Role) roleDefinitionJSON {
	return roleDefinitionJSON{ID: r.TemplateID, Description: r.Description, DisplayName: r.DisplayName, IsBuiltIn: true, IsEnabled: true,
		ResourceScopes: []string{"/"}, TemplateID: r.TemplateID, Version: "1",
		RolePermissions: []rolePermissionJSON{{AllowedResourceActions: append([]string{}, roleActions[r.TemplateID]...)}}}
}

// listRoleDefinitions is GET /v1.0/roleManagement/directory/roleDefinitions:
// the built-in roles guestgate has.
func (a *API) listRoleDefinitions(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permRolesRead...); err != nil {
		return err
	}
	out := []roleDefinitionJSON{}
	for _, role := range roles.All() {
		out = append(out, roleDefinitionOut(role))
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": roleDefinitionsCtx, "value": out})
	return nil
}

// getRoleDefinition is GET /v1.0/roleManagement/directory/roleDefinitions/{id}
// (the id is the template id).
func (a *API) getRoleDefinition(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permRolesRead...); err != nil {
		return err
	}
	id := r.PathValue("id")
	for _, role := range roles.All() {
		if strings.EqualFold(role.TemplateID, id) {
			out := roleDefinitionOut(role)
			out.ODataContext = roleDefinitionsCtx + "/$entity"
			writeJSON(w, http.StatusOK, out)
			return nil
		}
	}
	return notFound("Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.")
}
