package inactivepolicy

import (
	"context"
	"errors"
	"fmt"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// authority is who the policy acts as on t now: whoever set it, with the
// authority they have at this moment (R14). The operator (SetBy empty:
// the CLI) may disable anyone but the last enabled Global Administrator;
// a member acts with the directory roles they hold now, so a User
// Administrator's policy disables ordinary guests and the holders of the
// roles a User Administrator manages, and leaves other admin-role holders
// to an administrator who may act on them. A setter since deleted or
// disabled acts with no role at all, as does one stripped of their roles:
// the policy stays the tenant's (it still disables guests without an
// admin role), but no longer reaches further than its setter could.
func (r *Runner) authority(ctx context.Context, t directory.Tenant, p Policy) (roles.Authority, error) {
	if p.SetBy == "" {
		return roles.AsOperatorKeepingLastGlobalAdmin(), nil
	}
	u, err := r.d.Directory.GetUser(ctx, t.ID, p.SetBy)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return roles.AsMember(nil), nil
	case err != nil:
		return roles.Authority{}, fmt.Errorf("the policy's setter %s: %w", p.SetBy, err)
	case !u.AccountEnabled:
		return roles.AsMember(nil), nil
	}
	as, err := r.d.Roles.ListRoleAssignments(ctx, t.ID, u.ID)
	if err != nil {
		return roles.Authority{}, fmt.Errorf("the roles of the policy's setter %s: %w", p.SetBy, err)
	}
	ids := make([]string, 0, len(as))
	for _, a := range as {
		ids = append(ids, a.RoleDefinitionID)
	}
	return roles.AsMember(ids), nil
}

// mayDisable applies R14 (roles.CheckChange) to the policy disabling u
// now, before anything is written: a refusal is roles.ErrPrivilegedTarget
// or roles.ErrLastGlobalAdmin, wrapped.
func (r *Runner) mayDisable(ctx context.Context, t directory.Tenant, p Policy, u directory.User) error {
	as, err := r.authority(ctx, t, p)
	if err != nil {
		return err
	}
	return roles.CheckChange(ctx, r.d.Roles, t, u, as, roles.DisableAccount)
}

// refused reports whether err is R14 refusing the policy's setter a
// disable: the guest is left to an administrator, not an error.
func refused(err error) bool {
	return errors.Is(err, roles.ErrPrivilegedTarget) || errors.Is(err, roles.ErrLastGlobalAdmin)
}
