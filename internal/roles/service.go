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
	Store     Store
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
	ActivityAddMemberToRole = "Add member to role"
	CategoryRoleManagement  = "RoleManagement"
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
