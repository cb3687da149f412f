package admin

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
)

// Roles is the operator's directory roles (guestgate role …) and the
// founding of a tenant with its first Global Administrator.
type Roles struct {
	Directory
	roles   *roles.Service
	members *member.Service
}

// NewRoles builds Roles over the directory, role and member services.
func NewRoles(d Directory, r *roles.Service, m *member.Service) (Roles, error) {
	switch {
	case d.store == nil:
		return Roles{}, errMissing("the directory")
	case r == nil:
		return Roles{}, errMissing("the role service")
	case m == nil:
		return Roles{}, errMissing("the member service")
	}
	return Roles{Directory: d, roles: r, members: m}, nil
}

// AssignRole gives a member a directory role (guestgate role assign);
// role is a template id or a role's name.
func (r Roles) AssignRole(ctx context.Context, t directory.Tenant, userID, role string) (roles.Assignment, error) {
	def, ok := roles.Lookup(role)
	if !ok {
		return roles.Assignment{}, fmt.Errorf("role %q: %w", role, roles.ErrUnknownRole)
	}
	return r.roles.Assign(ctx, t, userID, def.TemplateID, "/", audit.CLI)
}

// RoleAssignments lists a tenant's role assignments (guestgate role list).
func (r Roles) RoleAssignments(ctx context.Context, t directory.Tenant) ([]roles.Assignment, error) {
	return r.roles.List(ctx, t.ID, "")
}

// RemoveRole takes a role away (guestgate role remove): assignment is the
// assignment's id. The operator manages every role, but without force the
// last enabled Global Administrator of a managed tenant keeps the role
// (R14), as in the API and the console; force is the operator's recovery.
func (r Roles) RemoveRole(ctx context.Context, t directory.Tenant, assignment string, force bool) error {
	as := roles.AsOperatorKeepingLastGlobalAdmin()
	if force {
		as = roles.AsOperator()
	}
	return r.roles.Remove(ctx, t, assignment, audit.CLI, as)
}

// CreateTenantWithAdmin creates a tenant, then its first member as a
// Global Administrator (guestgate tenant create --admin-email).
func (r Roles) CreateTenantWithAdmin(ctx context.Context, req directory.NewTenantRequest, admin member.NewMember) (directory.Tenant, directory.User, error) {
	t, err := r.CreateTenant(ctx, req)
	if err != nil {
		return t, directory.User{}, err
	}
	admin.AccountEnabled = true
	u, err := r.members.CreateMember(ctx, t, admin, audit.CLI)
	if err != nil {
		return t, u, fmt.Errorf("tenant %s created; its administrator was not: %w", t.ID, err)
	}
	if _, err := r.roles.Assign(ctx, t, u.ID, roles.GlobalAdministrator.TemplateID, "/", audit.CLI); err != nil {
		return t, u, fmt.Errorf("tenant %s and member %s created; the Global Administrator role was not assigned: %w", t.ID, u.ID, err)
	}
	return t, u, nil
}
