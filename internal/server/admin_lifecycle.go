package server

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// ListUsers returns every user of t, ordered by id (guestgate user list).
func (s *Server) ListUsers(ctx context.Context, t directory.Tenant) ([]directory.User, error) {
	var all []directory.User
	for after := ""; ; {
		page, err := s.db.ListUsers(ctx, t.ID, after, 500)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < 500 {
			return all, nil
		}
		after = page[len(page)-1].ID
	}
}

// ListDeletedUsers returns every deleted user of t, ordered by id
// (guestgate user list --deleted).
func (s *Server) ListDeletedUsers(ctx context.Context, t directory.Tenant) ([]directory.DeletedUser, error) {
	return s.lifecycle.ListDeleted(ctx, t, "", 0)
}

// FindUser returns the user of t named by its object id or its
// userPrincipalName (any case), or store.ErrNotFound (guestgate user
// show|update|delete).
func (s *Server) FindUser(ctx context.Context, t directory.Tenant, idOrUPN string) (directory.User, error) {
	u, err := s.db.GetUser(ctx, t.ID, idOrUPN)
	if err == nil || !errors.Is(err, store.ErrNotFound) || !strings.Contains(idOrUPN, "@") {
		return u, err
	}
	users, err := s.ListUsers(ctx, t)
	if err != nil {
		return directory.User{}, err
	}
	for _, u := range users {
		if strings.EqualFold(u.UserPrincipalName, idOrUPN) {
			return u, nil
		}
	}
	return directory.User{}, fmt.Errorf("user %q: %w", idOrUPN, store.ErrNotFound)
}

// FindDeletedUser returns the deleted user of t named by its object id or
// its userPrincipalName (guestgate user restore).
func (s *Server) FindDeletedUser(ctx context.Context, t directory.Tenant, idOrUPN string) (directory.DeletedUser, error) {
	d, err := s.lifecycle.GetDeleted(ctx, t, idOrUPN)
	if err == nil || !errors.Is(err, store.ErrNotFound) || !strings.Contains(idOrUPN, "@") {
		return d, err
	}
	list, err := s.ListDeletedUsers(ctx, t)
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
func (s *Server) UpdateUser(ctx context.Context, t directory.Tenant, userID string, p lifecycle.Patch) (directory.User, error) {
	return s.lifecycle.Update(ctx, t, userID, p, audit.CLI, roles.AsOperator())
}

// DeleteUser soft-deletes a user, recorded as done by the CLI (guestgate
// user delete); it can be restored for 30 days.
func (s *Server) DeleteUser(ctx context.Context, t directory.Tenant, userID string) error {
	return s.lifecycle.Delete(ctx, t, userID, audit.CLI, roles.AsOperator())
}

// RestoreUser brings a deleted user back with the same id, recorded as
// done by the CLI (guestgate user restore).
func (s *Server) RestoreUser(ctx context.Context, t directory.Tenant, userID string) (directory.User, error) {
	return s.lifecycle.Restore(ctx, t, userID, audit.CLI, roles.AsOperator())
}

// RevokeSignInSessions ends every session and token of a user, recorded as
// done by the CLI.
func (s *Server) RevokeSignInSessions(ctx context.Context, t directory.Tenant, userID string) error {
	return s.lifecycle.RevokeSignInSessions(ctx, t, userID, audit.CLI, roles.AsOperator())
}
