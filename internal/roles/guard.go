package roles

import (
	"context"
	"errors"
	"fmt"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// GuardStore is what CheckChange reads (sqlstore.DB has it). Methods join
// the transaction in ctx.
type GuardStore interface {
	// ListRoleAssignments: see Store.
	ListRoleAssignments(ctx context.Context, tenantID, principalID string) ([]Assignment, error)
	// LockRoleAssignments returns the tenant's assignments of roleID and
	// holds them until the transaction ends, so that two changes that each
	// take a Global Administrator away wait for one another instead of
	// each counting the other.
	LockRoleAssignments(ctx context.Context, tenantID, roleID string) ([]Assignment, error)
	GetUser(ctx context.Context, tenantID, id string) (directory.User, error)
}

// errNoGuard: a service was built without the store R14 reads; it refuses
// every guarded change rather than allow one unchecked.
var errNoGuard = errors.New("R14 check: no role store configured")

// CheckChange applies DecideChange (R14) to action on user u of t by by:
// it reads the roles u holds and, when the change would take an enabled
// Global Administrator away, locks the tenant's Global Administrator
// assignments and counts the other enabled ones. Services call it inside
// the transaction of the change, before they write. A nil store refuses.
func CheckChange(ctx context.Context, s GuardStore, t directory.Tenant, u directory.User, by Authority, action Action) error {
	if s == nil {
		return errNoGuard
	}
	as, err := s.ListRoleAssignments(ctx, t.ID, u.ID)
	if err != nil {
		return fmt.Errorf("R14 check: %w", err)
	}
	c := Change{Action: action, TargetEnabled: u.AccountEnabled, Managed: t.Managed}
	for _, a := range as {
		c.TargetRoles = append(c.TargetRoles, a.RoleDefinitionID)
	}
	if EndsGlobalAdmin(c) {
		if c.OtherGlobalAdmins, err = otherGlobalAdmins(ctx, s, t.ID, u.ID); err != nil {
			return err
		}
	}
	if err := DecideChange(by, c); err != nil {
		return fmt.Errorf("%s of %s: %w", action, u.ID, err)
	}
	return nil
}

// otherGlobalAdmins counts the enabled Global Administrators of the tenant
// other than userID (a deleted one holds the role but counts for nothing),
// after locking their assignments.
func otherGlobalAdmins(ctx context.Context, s GuardStore, tenantID, userID string) (int, error) {
	as, err := s.LockRoleAssignments(ctx, tenantID, GlobalAdministrator.TemplateID)
	if err != nil {
		return 0, fmt.Errorf("R14 check: %w", err)
	}
	n := 0
	for _, a := range as {
		if a.PrincipalID == userID {
			continue
		}
		u, err := s.GetUser(ctx, tenantID, a.PrincipalID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return 0, fmt.Errorf("R14 check: %w", err)
		case u.AccountEnabled:
			n++
		}
	}
	return n, nil
}
