package server

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
)

// AssignRole gives a member a directory role (guestgate role assign);
// role is a template id or a role's name.
func (s *Server) AssignRole(ctx context.Context, t directory.Tenant, userID, role string) (roles.Assignment, error) {
	r, ok := roles.Lookup(role)
	if !ok {
		return roles.Assignment{}, fmt.Errorf("role %q: %w", role, roles.ErrUnknownRole)
	}
	return s.roles.Assign(ctx, t, userID, r.TemplateID, "/", audit.CLI)
}

// RoleAssignments lists a tenant's role assignments (guestgate role list).
func (s *Server) RoleAssignments(ctx context.Context, t directory.Tenant) ([]roles.Assignment, error) {
	return s.roles.List(ctx, t.ID, "")
}

// RemoveRole takes a role away (guestgate role remove): assignment is the
// assignment's id. The operator manages every role, but without force the
// last enabled Global Administrator of a managed tenant keeps the role
// (R14), as in the API and the console; force is the operator's recovery.
func (s *Server) RemoveRole(ctx context.Context, t directory.Tenant, assignment string, force bool) error {
	as := roles.AsOperatorKeepingLastGlobalAdmin()
	if force {
		as = roles.AsOperator()
	}
	return s.roles.Remove(ctx, t, assignment, audit.CLI, as)
}

// CreateTenantWithAdmin creates a tenant, then its first member as a
// Global Administrator (guestgate tenant create --admin-email).
func (s *Server) CreateTenantWithAdmin(ctx context.Context, req directory.NewTenantRequest, admin member.NewMember) (directory.Tenant, directory.User, error) {
	t, err := s.CreateTenant(ctx, req)
	if err != nil {
		return t, directory.User{}, err
	}
	admin.AccountEnabled = true
	u, err := s.members.CreateMember(ctx, t, admin, audit.CLI)
	if err != nil {
		return t, u, fmt.Errorf("tenant %s created; its administrator was not: %w", t.ID, err)
	}
	if _, err := s.roles.Assign(ctx, t, u.ID, roles.GlobalAdministrator.TemplateID, "/", audit.CLI); err != nil {
		return t, u, fmt.Errorf("tenant %s and member %s created; the Global Administrator role was not assigned: %w", t.ID, u.ID, err)
	}
	return t, u, nil
}
