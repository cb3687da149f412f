package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/validation"
)

// Deps are what a Service uses. sqlstore.DB is every store.
type Deps struct {
	Directory directory.Store
	Lifecycle directory.LifecycleStore
	// Access is what directory.EndAccess writes.
	Access directory.AccessStore
	Audit  audit.Store
	// Roles is what R14's check reads (roles.CheckChange); without it
	// every guarded change is refused.
	Roles roles.GuardStore
	Tx    store.Transactor
	Clock clock.Clock
	Log   *slog.Logger
}

// Service changes, deletes, restores and purges users and ends their
// access. It is safe for concurrent use.
type Service struct{ d Deps }

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{d: d}
}

// Audit names (Graph's activityDisplayName, category UserManagement).
const (
	ActivityUpdateUser     = "Update user"
	ActivityDeleteUser     = "Delete user"
	ActivityRestoreUser    = "Restore user"
	ActivityHardDeleteUser = "Hard delete user"
	// ActivityRevokeSessions is what the reproduced product logs for
	// revokeSignInSessions.
	ActivityRevokeSessions = "Invalidate all refresh tokens for user"
	LoggedByService        = "Core Directory"
)

// Housekeeping is the actor of purges made by Run.
var Housekeeping = audit.Actor{AppName: "guestgate housekeeping"}

// Update applies p to the user (ApplyPatch) and records one "Update user"
// audit record naming each changed property's old and new value, in one
// transaction. Disabling the account ends the user's access
// (directory.EndAccess). A new mail or otherMails, or a change of
// accountEnabled, is R14's to allow (roles.CheckChange with as): on an
// admin it needs a role that manages the admin's roles, and the last
// enabled Global Administrator is never disabled. A mail another user of
// the tenant has is a *ValidationError with ErrAddressTaken. An unknown
// user is store.ErrNotFound. It returns the user after the change.
func (s *Service) Update(ctx context.Context, t directory.Tenant, userID string, p Patch, by audit.Actor, as roles.Authority) (directory.User, error) {
	var after directory.User
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		var changes []audit.Change
		err := s.d.Directory.UpdateUser(ctx, t.ID, userID, func(u *directory.User) error {
			next, c, err := ApplyPatch(*u, p)
			if err != nil {
				return err
			}
			for _, a := range guarded(*u, next) {
				if err := roles.CheckChange(ctx, s.d.Roles, t, *u, as, a); err != nil {
					return err
				}
			}
			if !strings.EqualFold(next.Mail, u.Mail) {
				if err := s.addressFree(ctx, t.ID, u.ID, next.Mail); err != nil {
					return err
				}
			}
			*u, after, changes = next, next, c
			return nil
		})
		if errors.Is(err, store.ErrAlreadyExists) {
			return &ValidationError{Resource: validation.ResourceUser, Property: "mail", Message: ErrAddressTaken.Error(), Err: ErrAddressTaken}
		}
		if err != nil {
			return fmt.Errorf("update user %s: %w", userID, err)
		}
		if p.AccountEnabled != nil && !*p.AccountEnabled {
			if err := directory.EndAccess(ctx, s.d.Access, t.ID, userID, now); err != nil {
				return err
			}
		}
		if len(changes) == 0 {
			return nil
		}
		return s.write(ctx, userRecord(after, ActivityUpdateUser, audit.OperationUpdate, by, changes), now)
	})
	return after, err
}

// guarded lists the changes from before to after that R14 guards: a new
// sign-in address (mail, otherMails) and enabling or disabling.
func guarded(before, after directory.User) []roles.Action {
	var out []roles.Action
	if before.Mail != after.Mail || !slices.Equal(before.OtherMails, after.OtherMails) {
		out = append(out, roles.ChangeSignInAddress)
	}
	switch {
	case before.AccountEnabled && !after.AccountEnabled:
		out = append(out, roles.DisableAccount)
	case !before.AccountEnabled && after.AccountEnabled:
		out = append(out, roles.EnableAccount)
	}
	return out
}

// addressFree refuses addr when another user of the tenant has it as its
// mail or userPrincipalName (the sign-in address must find one user).
func (s *Service) addressFree(ctx context.Context, tenantID, selfID, addr string) error {
	u, err := s.d.Directory.GetUserByMail(ctx, tenantID, addr)
	switch {
	case err == nil && u.ID != selfID:
		return &ValidationError{Resource: validation.ResourceUser, Property: "mail", Message: ErrAddressTaken.Error(), Err: ErrAddressTaken}
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
	return nil
}

// RevokeSignInSessions ends every sign-in of the user (Graph's
// revokeSignInSessions): sessions, refresh tokens and access tokens from
// before now stop working at once, in every process; the user can sign in
// again. It is recorded in the audit log. R14 guards it (an admin's
// sessions need a role that manages the admin's roles). An unknown user
// is store.ErrNotFound.
func (s *Service) RevokeSignInSessions(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		u, err := s.d.Directory.GetUser(ctx, t.ID, userID)
		if err != nil {
			return fmt.Errorf("revoke sign-in sessions of %s: %w", userID, err)
		}
		if err := roles.CheckChange(ctx, s.d.Roles, t, u, as, roles.RevokeSessions); err != nil {
			return err
		}
		if err := directory.EndAccess(ctx, s.d.Access, t.ID, userID, now); err != nil {
			return err
		}
		c, err := audit.Changed("StsRefreshTokensValidFrom", nilTime(u.TokensValidAfter), now.UTC().Format(time.RFC3339))
		if err != nil {
			return err
		}
		return s.write(ctx, userRecord(u, ActivityRevokeSessions, audit.OperationUpdate, by, []audit.Change{c}), now)
	})
}

func nilTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

// Delete soft-deletes the user: its access ends (directory.EndAccess), it
// moves to the deleted users (its redeem links and passcodes stop working
// with it) and "Delete user" is recorded, in one transaction. R14 guards
// it: an admin needs a role that manages the admin's roles, and the last
// enabled Global Administrator is never deleted. An unknown user is
// store.ErrNotFound.
func (s *Service) Delete(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		u, err := s.d.Directory.GetUser(ctx, t.ID, userID)
		if err != nil {
			return fmt.Errorf("delete user %s: %w", userID, err)
		}
		if err := roles.CheckChange(ctx, s.d.Roles, t, u, as, roles.DeleteUser); err != nil {
			return err
		}
		if err := directory.EndAccess(ctx, s.d.Access, t.ID, userID, now); err != nil {
			return err
		}
		if err := s.d.Lifecycle.DeleteUser(ctx, t.ID, userID, now); err != nil {
			return fmt.Errorf("delete user %s: %w", userID, err)
		}
		return s.write(ctx, userRecord(u, ActivityDeleteUser, audit.OperationDelete, by, nil), now)
	})
}

// Restore brings a deleted user back with the same id and properties (its
// sessions and tokens from before the deletion stay dead) and records
// "Restore user", in one transaction. A user created since with its
// address or userPrincipalName is ErrRestoreConflict; an unknown deleted
// user is store.ErrNotFound. R14 guards it: a deleted admin keeps its
// roles, so restoring one needs a role that manages them.
func (s *Service) Restore(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) (directory.User, error) {
	var u directory.User
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		d, err := s.d.Lifecycle.GetDeletedUser(ctx, t.ID, userID)
		if err != nil {
			return fmt.Errorf("restore user %s: %w", userID, err)
		}
		if err := roles.CheckChange(ctx, s.d.Roles, t, d.User, as, roles.RestoreUser); err != nil {
			return err
		}
		for _, addr := range []string{d.Mail, d.UserPrincipalName} {
			if _, err := s.d.Directory.GetUserByMail(ctx, t.ID, addr); err == nil {
				return ErrRestoreConflict
			} else if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("restore user %s: %w", userID, err)
			}
		}
		u, err = s.d.Lifecycle.RestoreUser(ctx, t.ID, userID)
		if errors.Is(err, store.ErrAlreadyExists) {
			return ErrRestoreConflict
		}
		if err != nil {
			return fmt.Errorf("restore user %s: %w", userID, err)
		}
		return s.write(ctx, userRecord(u, ActivityRestoreUser, audit.OperationRestore, by, nil), now)
	})
	return u, err
}

// Purge deletes a deleted user for good (Graph's permanent delete of a
// deleted item) and records "Hard delete user". R14 guards it as it
// guards deleting. An unknown deleted user (a live user included) is
// store.ErrNotFound.
func (s *Service) Purge(ctx context.Context, t directory.Tenant, userID string, by audit.Actor, as roles.Authority) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		d, err := s.d.Lifecycle.GetDeletedUser(ctx, t.ID, userID)
		if err != nil {
			return fmt.Errorf("purge user %s: %w", userID, err)
		}
		if err := roles.CheckChange(ctx, s.d.Roles, t, d.User, as, roles.PurgeUser); err != nil {
			return err
		}
		return s.purge(ctx, d, by)
	})
}

func (s *Service) purge(ctx context.Context, d directory.DeletedUser, by audit.Actor) error {
	if err := s.d.Lifecycle.PurgeDeletedUser(ctx, d.TenantID, d.ID); err != nil {
		return fmt.Errorf("purge user %s: %w", d.ID, err)
	}
	return s.write(ctx, userRecord(d.User, ActivityHardDeleteUser, audit.OperationDelete, by, nil), s.d.Clock.Now())
}

// GetDeleted returns a deleted user of t, or store.ErrNotFound.
func (s *Service) GetDeleted(ctx context.Context, t directory.Tenant, userID string) (directory.DeletedUser, error) {
	return s.d.Lifecycle.GetDeletedUser(ctx, t.ID, userID)
}

// ListDeleted returns t's deleted users ordered by id, after afterID, at
// most limit (limit <= 0: all).
func (s *Service) ListDeleted(ctx context.Context, t directory.Tenant, afterID string, limit int) ([]directory.DeletedUser, error) {
	return s.d.Lifecycle.ListDeletedUsers(ctx, t.ID, afterID, limit)
}

// QueryDeleted returns one page of t's deleted users in q's order.
func (s *Service) QueryDeleted(ctx context.Context, t directory.Tenant, q directory.DeletedQuery) ([]directory.DeletedUser, error) {
	return s.d.Lifecycle.QueryDeletedUsers(ctx, t.ID, q)
}

// CountDeleted counts t's deleted users.
func (s *Service) CountDeleted(ctx context.Context, t directory.Tenant) (int, error) {
	return s.d.Lifecycle.CountDeletedUsers(ctx, t.ID)
}

// purgeBatch bounds the users one PurgeExpired round reads.
const purgeBatch = 100

// PurgeExpired purges every user deleted directory.PurgeAfter ago or more
// (each in its own transaction, with a "Hard delete user" record by
// Housekeeping) and returns how many. Several processes may run it at
// once: a user another process purged first is skipped.
func (s *Service) PurgeExpired(ctx context.Context) (int, error) {
	n := 0
	for {
		now := s.d.Clock.Now()
		due, err := s.d.Lifecycle.ListDeletedUsersBefore(ctx, now.Add(-directory.PurgeAfter).Add(time.Microsecond), purgeBatch)
		if err != nil {
			return n, fmt.Errorf("purge deleted users: %w", err)
		}
		for _, d := range due {
			if !directory.PurgeDue(d.DeletedAt, now) {
				continue
			}
			err := s.d.Tx.InTx(ctx, func(ctx context.Context) error { return s.purge(ctx, d, Housekeeping) })
			switch {
			case errors.Is(err, store.ErrNotFound):
			case err != nil:
				return n, err
			default:
				n++
			}
		}
		if len(due) < purgeBatch {
			return n, nil
		}
	}
}

// Run calls PurgeExpired every interval until ctx ends; errors are logged.
func (s *Service) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			n, err := s.PurgeExpired(ctx)
			if err != nil && ctx.Err() == nil {
				s.d.Log.ErrorContext(ctx, "purge of deleted users failed", "err", err)
			}
			if n > 0 {
				s.d.Log.InfoContext(ctx, "purged deleted users", "count", n)
			}
		}
	}
}

func (s *Service) write(ctx context.Context, rec audit.Record, at time.Time) error {
	if err := audit.Write(ctx, s.d.Audit, rec, at); err != nil {
		return fmt.Errorf("%s: %w", strings.ToLower(rec.Activity), err)
	}
	return nil
}

func userRecord(u directory.User, activity, op string, by audit.Actor, changes []audit.Change) audit.Record {
	return audit.Record{
		TenantID: u.TenantID, Category: audit.CategoryUserManagement, Activity: activity,
		LoggedByService: LoggedByService, OperationType: op, InitiatedBy: by,
		Targets: []audit.Target{{
			ID: u.ID, DisplayName: u.DisplayName, Type: "User",
			UserPrincipalName: u.UserPrincipalName, Modified: changes,
		}},
	}
}
