package assignment

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/store"
)

// Principal is a user or a live group of the tenant an assignment names.
type Principal struct {
	ID          string
	Type        string // PrincipalUser or PrincipalGroup
	DisplayName string
	// UserPrincipalName is set for users.
	UserPrincipalName string
}

// ResolvePrincipal finds directory object id in tenantID: a user, else a
// live group; store.ErrNotFound when neither (another tenant's object and
// a deleted one included).
func (s *Service) ResolvePrincipal(ctx context.Context, tenantID, id string) (Principal, error) {
	u, err := s.d.Directory.GetUser(ctx, tenantID, id)
	if err == nil {
		return Principal{ID: u.ID, Type: PrincipalUser, DisplayName: u.DisplayName, UserPrincipalName: u.UserPrincipalName}, nil
	}
	if !notFound(err) {
		return Principal{}, fmt.Errorf("resolve %s: %w", id, err)
	}
	g, err := s.d.Groups.GetGroup(ctx, tenantID, id)
	if err != nil {
		return Principal{}, fmt.Errorf("resolve %s: %w", id, err)
	}
	return Principal{ID: g.ID, Type: PrincipalGroup, DisplayName: g.DisplayName}, nil
}

// Assign gives principalID (a user or a live group of the tenant) the app
// role roleID of appID, under DecideAssign, with the audit record. The
// principal holding the role already is ErrAlreadyAssigned; a role the app
// does not offer is ErrRoleNotFound; an unknown app or principal is
// store.ErrNotFound.
func (s *Service) Assign(ctx context.Context, tenantID, appID, principalID, roleID string, by audit.Actor) (Assignment, error) {
	var out Assignment
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		app, err := s.d.Store.GetAssignmentApp(ctx, tenantID, appID)
		if err != nil {
			return fmt.Errorf("assign: app: %w", err)
		}
		p, err := s.ResolvePrincipal(ctx, tenantID, principalID)
		if err != nil {
			return fmt.Errorf("assign: principal: %w", err)
		}
		if err := DecideAssign(app, p.Type, roleID); err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		out = Assignment{TenantID: tenantID, ID: uuid.NewString(), AppID: app.AppID, PrincipalType: p.Type,
			PrincipalID: p.ID, AppRoleID: canonicalRoleID(app, roleID), CreatedAt: s.d.Clock.Now(),
			PrincipalDisplayName: p.DisplayName, ResourceDisplayName: app.DisplayName, ServicePrincipalID: app.ServicePrincipalID}
		err = s.d.Store.CreateAppRoleAssignment(ctx, out)
		if errors.Is(err, store.ErrAlreadyExists) {
			return fmt.Errorf("assign: %w", ErrAlreadyAssigned)
		}
		if err != nil {
			return fmt.Errorf("assign: %w", err)
		}
		category, activity := audit.CategoryUserManagement, ActivityAssignUser
		if p.Type == PrincipalGroup {
			category, activity = groups.CategoryGroupManagement, ActivityAssignGroup
		}
		return s.audit(ctx, tenantID, category, activity, audit.OperationAdd, by, principalTarget(p), servicePrincipalTarget(app))
	})
	if err != nil {
		return Assignment{}, err
	}
	return out, nil
}

// canonicalRoleID spells roleID as the app's role does (ids compare in
// any case), so one role is held once whatever its spelling.
func canonicalRoleID(app App, roleID string) string {
	for _, r := range app.AppRoles {
		if equalFoldID(r.ID, roleID) {
			return r.ID
		}
	}
	return DefaultAccessRoleID
}

// GetAssignment returns the tenant's assignment id (its principal live).
func (s *Service) GetAssignment(ctx context.Context, tenantID, id string) (Assignment, error) {
	a, err := s.d.Store.GetAppRoleAssignment(ctx, tenantID, id)
	if err != nil {
		return Assignment{}, fmt.Errorf("get app role assignment: %w", err)
	}
	return a, nil
}

// Unassign removes the tenant's assignment id, with the audit record.
func (s *Service) Unassign(ctx context.Context, tenantID, id string, by audit.Actor) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		a, err := s.d.Store.GetAppRoleAssignment(ctx, tenantID, id)
		if err != nil {
			return fmt.Errorf("unassign: %w", err)
		}
		if err := s.d.Store.DeleteAppRoleAssignment(ctx, tenantID, id); err != nil {
			return fmt.Errorf("unassign: %w", err)
		}
		p := Principal{ID: a.PrincipalID, Type: a.PrincipalType, DisplayName: a.PrincipalDisplayName}
		sp := audit.Target{ID: a.ServicePrincipalID, DisplayName: a.ResourceDisplayName, Type: auditTypeServicePrincipal}
		category, activity := audit.CategoryUserManagement, ActivityUnassignUser
		if a.PrincipalType == PrincipalGroup {
			category, activity = groups.CategoryGroupManagement, ActivityUnassignGroup
		}
		return s.audit(ctx, tenantID, category, activity, audit.OperationDelete, by, principalTarget(p), sp)
	})
}

// ListForApp returns one page of appID's assignments (appRoleAssignedTo)
// ordered by id; store.ErrNotFound when the tenant has no such app.
func (s *Service) ListForApp(ctx context.Context, tenantID, appID, afterID string, limit int) ([]Assignment, error) {
	if _, err := s.d.Store.GetAssignmentApp(ctx, tenantID, appID); err != nil {
		return nil, fmt.Errorf("list app role assignments: %w", err)
	}
	as, err := s.d.Store.ListAppRoleAssignments(ctx, tenantID, appID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list app role assignments: %w", err)
	}
	return as, nil
}

// ListForPrincipal returns one page of the assignments of principalID,
// ordered by id: a group's own; a user's own and, as Graph lists them,
// those of the live groups the user is a direct member of (the groups
// that assign the user). store.ErrNotFound when the principal is not a
// user or a live group of the tenant.
func (s *Service) ListForPrincipal(ctx context.Context, tenantID, principalID, afterID string, limit int) ([]Assignment, error) {
	p, err := s.ResolvePrincipal(ctx, tenantID, principalID)
	if err != nil {
		return nil, fmt.Errorf("list app role assignments: %w", err)
	}
	as, err := s.d.Store.ListPrincipalAppRoleAssignments(ctx, tenantID, p.ID, p.Type == PrincipalUser, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list app role assignments: %w", err)
	}
	return as, nil
}

func principalTarget(p Principal) audit.Target {
	return audit.Target{ID: p.ID, DisplayName: p.DisplayName, Type: p.Type, UserPrincipalName: p.UserPrincipalName}
}
