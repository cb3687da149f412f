package graph

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/odata"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

const (
	roleAssignmentsPath = "/v1.0/roleManagement/directory/roleAssignments"
	roleAssignmentsCtx  = "https://graph.microsoft.com/v1.0/$metadata#roleManagement/directory/roleAssignments"
)

// Permissions of role assignments (Graph's names).
var (
	permRolesRead  = []string{roles.RoleManagementRead, roles.RoleManagementReadWrite, roles.DirectoryReadAll, roles.DirectoryReadWriteAll}
	permRolesWrite = []string{roles.RoleManagementReadWrite}
)

// roleAssignmentJSON is Graph's unifiedRoleAssignment; Principal and
// RoleDefinition are there with $expand only.
type roleAssignmentJSON struct {
	ODataContext     string              `json:"@odata.context,omitempty"`
	ID               string              `json:"id"`
	RoleDefinitionID string              `json:"roleDefinitionId"`
	PrincipalID      string              `json:"principalId"`
	DirectoryScopeID string              `json:"directoryScopeId"`
	Principal        jsonObject          `json:"principal,omitempty"`
	RoleDefinition   *roleDefinitionJSON `json:"roleDefinition,omitempty"`
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
	out.ODataContext = roleAssignmentsCtx + "/$entity"
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// roleAssignmentFilter is what $filter on role assignments may ask:
// principalId eq '…', roleDefinitionId eq '…', or both with and (the
// list examples of Graph's page).
type roleAssignmentFilter struct {
	principalID, roleDefinitionID string
}

func (f roleAssignmentFilter) keeps(as roles.Assignment) bool {
	return (f.roleDefinitionID == "" || strings.EqualFold(f.roleDefinitionID, as.RoleDefinitionID)) &&
		(f.principalID == "" || strings.EqualFold(f.principalID, as.PrincipalID))
}

// mapRoleAssignmentFilter reads e into f; anything else is 400.
func mapRoleAssignmentFilter(e odata.Expr, f *roleAssignmentFilter) error {
	b, ok := e.(*odata.Binary)
	if !ok {
		return badRequest("Unsupported filter on role assignments: only 'principalId eq' and 'roleDefinitionId eq', joined by 'and', are supported.")
	}
	if b.Op == odata.And {
		if err := mapRoleAssignmentFilter(b.Left, f); err != nil {
			return err
		}
		return mapRoleAssignmentFilter(b.Right, f)
	}
	p, okP := b.Left.(*odata.Path)
	l, okL := b.Right.(*odata.Literal)
	if b.Op != odata.Eq || !okP || !okL || (l.Kind != odata.StringLit && l.Kind != odata.GUIDLit) {
		return badRequest("Unsupported filter on role assignments: only 'principalId eq' and 'roleDefinitionId eq', joined by 'and', are supported.")
	}
	switch {
	case strings.EqualFold(p.Name(), "principalId"):
		f.principalID = l.Text
	case strings.EqualFold(p.Name(), "roleDefinitionId"):
		f.roleDefinitionID = l.Text
	default:
		return badRequest("Unsupported filter on role assignments: property '" + p.Name() + "' cannot be filtered; use principalId or roleDefinitionId.")
	}
	return nil
}

// roleAssignmentExpand checks $expand: principal and roleDefinition.
func roleAssignmentExpand(names []string) (principal, definition bool, err error) {
	for _, n := range names {
		switch {
		case strings.EqualFold(n, "principal"):
			principal = true
		case strings.EqualFold(n, "roleDefinition"):
			definition = true
		default:
			return false, false, badRequest("Could not find a property named '" + n + "' on type 'microsoft.graph.unifiedRoleAssignment'.")
		}
	}
	return principal, definition, nil
}

// expandAssignment adds the expanded principal (Graph's default user
// properties, with its @odata.type) and role definition.
func (a *API) expandAssignment(ctx context.Context, t directory.Tenant, out *roleAssignmentJSON, principal, definition bool) error {
	if principal {
		u, err := a.deps.Directory.GetUser(ctx, t.ID, out.PrincipalID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			out.Principal = append(jsonObject{{"@odata.type", "#microsoft.graph.user"}}, userObject(u, t.InitialDomain, nil, "")...)
		}
	}
	if definition {
		if role, ok := roles.Lookup(out.RoleDefinitionID); ok {
			d := roleDefinitionOut(role)
			out.RoleDefinition = &d
		}
	}
	return nil
}

// listRoleAssignments is GET /v1.0/roleManagement/directory/roleAssignments.
func (a *API) listRoleAssignments(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permRolesRead...); err != nil {
		return err
	}
	q := routeQuery(r)
	var f roleAssignmentFilter
	if q.Filter != nil {
		if err := mapRoleAssignmentFilter(q.Filter, &f); err != nil {
			return err
		}
	}
	principal, definition, err := roleAssignmentExpand(q.Expand)
	if err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	as, err := a.deps.Roles.List(r.Context(), c.TenantID, f.principalID)
	if err != nil {
		return err
	}
	out := make([]roleAssignmentJSON, 0, len(as))
	for _, x := range as {
		if !f.keeps(x) {
			continue
		}
		o := roleAssignmentOut(x)
		if err := a.expandAssignment(r.Context(), t, &o, principal, definition); err != nil {
			return err
		}
		out = append(out, o)
	}
	writeJSON(w, http.StatusOK, map[string]any{"@odata.context": roleAssignmentsCtx, "value": out})
	return nil
}

// errNoRoleAssignment is Graph's 404 for an unknown assignment id.
func errNoRoleAssignment(id string) *Error {
	return notFound("Resource '" + id + "' does not exist or one of its queried reference-property objects are not present.")
}

// getRoleAssignment is GET /v1.0/roleManagement/directory/roleAssignments/{id}.
func (a *API) getRoleAssignment(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permRolesRead...); err != nil {
		return err
	}
	principal, definition, err := roleAssignmentExpand(routeQuery(r).Expand)
	if err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	as, err := a.deps.Roles.Get(r.Context(), t.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return errNoRoleAssignment(id)
	}
	if err != nil {
		return err
	}
	out := roleAssignmentOut(as)
	out.ODataContext = roleAssignmentsCtx + "/$entity"
	if err := a.expandAssignment(r.Context(), t, &out, principal, definition); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// deleteRoleAssignment is DELETE /v1.0/roleManagement/directory/roleAssignments/{id}
// (204): the role is taken from its holder under R14 — the caller must
// manage every role the holder has, and the last enabled Global
// Administrator of a managed tenant keeps the role.
func (a *API) deleteRoleAssignment(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permRolesWrite...); err != nil {
		return err
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	err = a.deps.Roles.Remove(r.Context(), t, id, a.actor(r, c), c.authority())
	if errors.Is(err, store.ErrNotFound) {
		return errNoRoleAssignment(id)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
