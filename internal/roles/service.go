package roles

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// Errors of Assign.
var (
	// ErrUnknownRole: the role definition id is not a built-in role guestgate has.
	ErrUnknownRole = errors.New("the role definition is not one of the built-in roles")
	// ErrNotMember: roles are given to the tenant's members only; a guest
	// never administers the tenant.
	ErrNotMember = errors.New("roles can be assigned to members of the tenant only")
	// ErrScope: only the tenant-wide scope "/" exists.
	ErrScope = errors.New(`the directory scope must be "/"`)
)

// Deps are what a Service uses.
type Deps struct {
	Store Store
	// Guard is what R14 reads when a role is removed (sqlstore.DB has
	// it); without it Remove refuses.
	Guard     GuardStore
	Directory directory.Store
	Tx        store.Transactor
	Audit     audit.Store
	Clock     clock.Clock
}

// Service assigns and lists directory roles. It is safe for concurrent use.
type Service struct{ d Deps }

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	return &Service{d: d}
}

// Audit names of role changes (as the reproduced product logs them).
const (
	ActivityAddMemberToRole      = "Add member to role"
	ActivityRemoveMemberFromRole = "Remove member from role"
	CategoryRoleManagement       = "RoleManagement"
)

// Assign gives role roleID (a template id) to member userID of t, with the
// audit record, in one transaction. A principal that already holds the
// role is store.ErrAlreadyExists; a guest is ErrNotMember.
func (s *Service) Assign(ctx context.Context, t directory.Tenant, userID, roleID, scope string, by audit.Actor) (Assignment, error) {
	role, ok := Lookup(roleID)
	if !ok || role.TemplateID != roleID {
		return Assignment{}, fmt.Errorf("assign role %q: %w", roleID, ErrUnknownRole)
	}
	if scope == "" {
		scope = "/"
	}
	if scope != "/" {
		return Assignment{}, fmt.Errorf("assign role: %w", ErrScope)
	}
	a := Assignment{TenantID: t.ID, ID: uuid.NewString(), PrincipalID: userID, RoleDefinitionID: role.TemplateID, DirectoryScopeID: scope}
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		u, err := s.d.Directory.GetUser(ctx, t.ID, userID)
		if err != nil {
			return fmt.Errorf("assign role: user %s: %w", userID, err)
		}
		if u.UserType != directory.UserTypeMember {
			return fmt.Errorf("assign role to %s: %w", userID, ErrNotMember)
		}
		a.CreatedAt = s.d.Clock.Now()
		if err := s.d.Store.CreateRoleAssignment(ctx, a); err != nil {
			return fmt.Errorf("assign role: %w", err)
		}
		return audit.Write(ctx, s.d.Audit, audit.Record{
			TenantID: t.ID, Category: CategoryRoleManagement, Activity: ActivityAddMemberToRole,
			LoggedByService: "Core Directory", OperationType: audit.OperationAdd, InitiatedBy: by,
			Targets: []audit.Target{
				{ID: u.ID, DisplayName: u.DisplayName, Type: "User", UserPrincipalName: u.UserPrincipalName},
				{ID: role.TemplateID, DisplayName: role.DisplayName, Type: "Role"},
			},
		}, a.CreatedAt)
	})
	if err != nil {
		return Assignment{}, err
	}
	return a, nil
}

// Get returns the tenant's assignment id (store.ErrNotFound when there is none).
func (s *Service) Get(ctx context.Context, tenantID, id string) (Assignment, error) {
	a, err := s.d.Store.GetRoleAssignment(ctx, tenantID, id)
	if err != nil {
		return Assignment{}, fmt.Errorf("get role assignment: %w", err)
	}
	return a, nil
}

// Remove takes the role of assignment id away from its holder, with the
// audit record, in one transaction. It is guarded by R14 (CheckChange,
// with the action RemoveGlobalAdministrator for Global Administrator and
// RemoveRole for the others): as must manage every role the holder has,
// and the last enabled Global Administrator of a managed tenant keeps
// the role (ErrLastGlobalAdmin) unless the operator forces it.
func (s *Service) Remove(ctx context.Context, t directory.Tenant, id string, by audit.Actor, as Authority) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.d.Store.GetRoleAssignment(ctx, t.ID, id)
		if err != nil {
			return fmt.Errorf("remove role assignment: %w", err)
		}
		u, err := s.d.Directory.GetUser(ctx, t.ID, a.PrincipalID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("remove role assignment: user %s: %w", a.PrincipalID, err)
		}
		if errors.Is(err, store.ErrNotFound) {
			// A deleted holder: R14 still reads its roles, as for a restore.
			u = directory.User{ID: a.PrincipalID, TenantID: t.ID}
		}
		action := RemoveRole
		if a.RoleDefinitionID == GlobalAdministrator.TemplateID {
			action = RemoveGlobalAdministrator
		}
		if err := CheckChange(ctx, s.d.Guard, t, u, as, action); err != nil {
			return err
		}
		if err := s.d.Store.DeleteRoleAssignment(ctx, t.ID, id); err != nil {
			return fmt.Errorf("remove role assignment: %w", err)
		}
		role, _ := Lookup(a.RoleDefinitionID)
		return audit.Write(ctx, s.d.Audit, audit.Record{
			TenantID: t.ID, Category: CategoryRoleManagement, Activity: ActivityRemoveMemberFromRole,
			LoggedByService: "Core Directory", OperationType: audit.OperationDelete, InitiatedBy: by,
			Targets: []audit.Target{
				{ID: u.ID, DisplayName: u.DisplayName, Type: "User", UserPrincipalName: u.UserPrincipalName},
				{ID: a.RoleDefinitionID, DisplayName: role.DisplayName, Type: "Role"},
			},
		}, s.d.Clock.Now())
	})
}

// List returns t's assignments, of one principal when principalID is set.
func (s *Service) List(ctx context.Context, tenantID, principalID string) ([]Assignment, error) {
	as, err := s.d.Store.ListRoleAssignments(ctx, tenantID, principalID)
	if err != nil {
		return nil, fmt.Errorf("list role assignments: %w", err)
	}
	return as, nil
}

// RolesOf returns the template ids of the roles userID holds in tenantID.
func (s *Service) RolesOf(ctx context.Context, tenantID, userID string) ([]string, error) {
	as, err := s.List(ctx, tenantID, userID)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.RoleDefinitionID)
	}
	return out, nil
}
