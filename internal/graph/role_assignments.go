package graph

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/roles"
)

const roleAssignmentsPath = "/v1.0/roleManagement/directory/roleAssignments"

// Permissions of role assignments (Graph's names).
var (
	permRolesRead  = []string{roles.RoleManagementRead, roles.RoleManagementReadWrite, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	permRolesWrite = []string{roles.RoleManagementReadWrite}
)

// roleAssignmentJSON is Graph's unifiedRoleAssignment.
type roleAssignmentJSON struct {
	ODataContext     string `json:"@odata.context,omitempty"`
	ID               string `json:"id"`
	RoleDefinitionID string `json:"roleDefinitionId"`
	PrincipalID      string `json:"principalId"`
	DirectoryScopeID string `json:"directoryScopeId"`
}

func roleAssignmentOut(as roles.Assignment) roleAssignmentJSON {
	return roleAssignmentJSON{ID: as.ID, RoleDefinitionID: as.RoleDefinitionID, PrincipalID: as.PrincipalID, DirectoryScopeID: as.DirectoryScopeID}
}

// createRoleAssignment is POST /v1.0/roleManagement/directory/roleAssignments (201).
func (a *API) createRoleAssignment(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permRolesWrite...); err != nil {
		return err
	}
	var in struct {
		ODataType        string `json:"@odata.type"`
		RoleDefinitionID string `json:"roleDefinitionId"`
		PrincipalID      string `json:"principalId"`
		DirectoryScopeID string `json:"directoryScopeId"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.RoleDefinitionID == "" || in.PrincipalID == "" {
		return badRequest("The properties 'roleDefinitionId' and 'principalId' are required.")
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	as, err := a.deps.Roles.Assign(r.Context(), t, in.PrincipalID, in.RoleDefinitionID, in.DirectoryScopeID, a.actor(r, c))
	if err != nil {
		return err
	}
	out := roleAssignmentOut(as)
	out.ODataContext = a.deps.BaseURL + "/v1.0/$metadata#roleManagement/directory/roleAssignments/$entity"
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// listRoleAssignments is GET /v1.0/roleManagement/directory/roleAssignments.
func (a *API) listRoleAssignments(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permRolesRead...); err != nil {
		return err
	}
	as, err := a.deps.Roles.List(r.Context(), c.TenantID, "")
	if err != nil {
		return err
	}
	out := make([]roleAssignmentJSON, 0, len(as))
	for _, x := range as {
		out = append(out, roleAssignmentOut(x))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context": a.deps.BaseURL + "/v1.0/$metadata#roleManagement/directory/roleAssignments",
		"value":          out,
	})
	return nil
}
