package inactivepolicy

import (
	"context"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/lifecycle"
)

// disable disables the guest in one transaction that holds the lease:
// through the lifecycle service (its "Update user" record, the end of the
// guest's sessions and tokens, R14 with the authority of whoever set the
// policy, as it is now: see authority), then a "Disable account" record
// initiated by the policy, and the guest's warning is forgotten, so that a
// guest an admin enables again starts a new cycle. When R14 refuses,
// nothing is written: the warning stays (see act).
func (r *Runner) disable(ctx context.Context, t directory.Tenant, p Policy, owner string, c Candidate, now time.Time) (bool, error) {
	done := false
	err := r.d.Tx.InTx(ctx, func(ctx context.Context) error {
		done = false
		if err := r.claim(ctx, t.ID, owner); err != nil {
			return err
		}
		u, ok, err := r.current(ctx, p, c, now, StepDisable)
		if err != nil || !ok {
			return err
		}
		as, err := r.authority(ctx, t, p)
		if err != nil {
			return err
		}
		off := false
		u, err = r.d.Users.Update(ctx, t, u.ID, lifecycle.Patch{AccountEnabled: &off}, Actor, as)
		if err != nil {
			return err
		}
		if err := r.d.Store.ClearInactiveWarning(ctx, t.ID, u.ID); err != nil {
			return err
		}
		if err := audit.Write(ctx, r.d.Audit, disableRecord(u), now); err != nil {
			return fmt.Errorf("disable account: %w", err)
		}
		done = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("disable inactive guest %s: %w", c.User.ID, err)
	}
	return done, nil
}

// disableRecord is the "Disable account" record of u, as the reproduced
// product writes it.
func disableRecord(u directory.User) audit.Record {
	return audit.Record{
		TenantID: u.TenantID, Category: audit.CategoryUserManagement, Activity: ActivityDisableAccount,
		LoggedByService: lifecycle.LoggedByService, OperationType: audit.OperationUpdate, InitiatedBy: Actor,
		Targets: []audit.Target{{ID: u.ID, DisplayName: u.DisplayName, Type: "User", UserPrincipalName: u.UserPrincipalName}},
	}
}
