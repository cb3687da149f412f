package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// Users is the operator's changes to users: members, accounts, the user
// lifecycle (guestgate user …). It reads users through its Directory.
type Users struct {
	Directory
	lifecycle *lifecycle.Service
	members   *member.Service
}

// NewUsers builds Users over the directory, lifecycle and member services.
func NewUsers(d Directory, l *lifecycle.Service, m *member.Service) (Users, error) {
	switch {
	case d.store == nil:
		return Users{}, errMissing("the directory")
	case l == nil:
		return Users{}, errMissing("the lifecycle service")
	case m == nil:
		return Users{}, errMissing("the member service")
	}
	return Users{Directory: d, lifecycle: l, members: m}, nil
}

// ListDeletedUsers returns every deleted user of t, ordered by id
// (guestgate user list --deleted).
func (u Users) ListDeletedUsers(ctx context.Context, t directory.Tenant) ([]directory.DeletedUser, error) {
	return u.lifecycle.ListDeleted(ctx, t, "", 0)
}

// FindDeletedUser returns the deleted user of t named by its object id or
// its userPrincipalName (guestgate user restore).
func (u Users) FindDeletedUser(ctx context.Context, t directory.Tenant, idOrUPN string) (directory.DeletedUser, error) {
	d, err := u.lifecycle.GetDeleted(ctx, t, idOrUPN)
	if err == nil || !errors.Is(err, store.ErrNotFound) || !strings.Contains(idOrUPN, "@") {
		return d, err
	}
	list, err := u.ListDeletedUsers(ctx, t)
	if err != nil {
		return directory.DeletedUser{}, err
	}
	for _, d := range list {
		if strings.EqualFold(d.UserPrincipalName, idOrUPN) {
			return d, nil
		}
	}
	return directory.DeletedUser{}, fmt.Errorf("deleted user %q: %w", idOrUPN, store.ErrNotFound)
}

// UpdateUser applies a partial update to a user, recorded in the audit log
// as done by the CLI (guestgate user update).
func (u Users) UpdateUser(ctx context.Context, t directory.Tenant, userID string, p lifecycle.Patch) (directory.User, error) {
	return u.lifecycle.Update(ctx, t, userID, p, audit.CLI, roles.AsOperator())
}

// DeleteUser soft-deletes a user, recorded as done by the CLI (guestgate
// user delete); it can be restored for 30 days.
func (u Users) DeleteUser(ctx context.Context, t directory.Tenant, userID string) error {
	return u.lifecycle.Delete(ctx, t, userID, audit.CLI, roles.AsOperator())
}

// RestoreUser brings a deleted user back with the same id, recorded as
// done by the CLI (guestgate user restore).
func (u Users) RestoreUser(ctx context.Context, t directory.Tenant, userID string) (directory.User, error) {
	return u.lifecycle.Restore(ctx, t, userID, audit.CLI, roles.AsOperator())
}

// RevokeSignInSessions ends every session and token of a user, recorded as
// done by the CLI.
func (u Users) RevokeSignInSessions(ctx context.Context, t directory.Tenant, userID string) error {
	return u.lifecycle.RevokeSignInSessions(ctx, t, userID, audit.CLI, roles.AsOperator())
}

// CreateMember creates a member with a password, recorded in the audit log
// as done by the CLI (guestgate user create --member).
func (u Users) CreateMember(ctx context.Context, t directory.Tenant, req member.NewMember) (directory.User, error) {
	return u.members.CreateMember(ctx, t, req, audit.CLI)
}

// SetAccountEnabled disables or enables a user's account, recorded in the
// audit log as done by the CLI (guestgate user disable|enable).
func (u Users) SetAccountEnabled(ctx context.Context, t directory.Tenant, userID string, enabled bool) error {
	return u.members.SetAccountEnabled(ctx, t, userID, enabled, audit.CLI, roles.AsOperator())
}
