package directory

import (
	"context"
	"fmt"
	"time"
)

// DeletedUser is a soft-deleted user (Graph's directory/deletedItems): it
// no longer signs in or appears among the tenant's users, and can be
// restored, with the same id, until it is purged (PurgeAfter).
type DeletedUser struct {
	User
	DeletedAt time.Time
}

// PurgeAfter is how long a deleted user can be restored before it is
// deleted for good, as in the reproduced product.
const PurgeAfter = 30 * 24 * time.Hour

// PurgeDue reports whether a user deleted at deletedAt is purged at now.
func PurgeDue(deletedAt, now time.Time) bool { return !now.Before(deletedAt.Add(PurgeAfter)) }

// TokensRevoked reports whether a session or token of u, from a sign-in
// at authTime, was ended by revoking u's access (revokeSignInSessions,
// disabling, deleting): every sign-in before u.TokensValidAfter is dead.
// A sign-in at the instant itself or later is alive.
func TokensRevoked(u User, authTime time.Time) bool {
	return !u.TokensValidAfter.IsZero() && authTime.Before(u.TokensValidAfter)
}

// LifecycleStore keeps what ending access and deleting users need. Methods
// join the transaction in ctx and return store.ErrNotFound and
// store.ErrAlreadyExists wrapped with context. Every look-up is scoped by
// tenant, but for the purge's ListDeletedUsersBefore.
type LifecycleStore interface {
	// SetTokensValidAfter moves the user's TokensValidAfter to at, never
	// back. An unknown user is ErrNotFound.
	SetTokensValidAfter(ctx context.Context, tenantID, userID string, at time.Time) error

	// DeleteUser moves the user (with a member's password) to the deleted
	// users, marked deleted at at.
	DeleteUser(ctx context.Context, tenantID, id string, at time.Time) error
	GetDeletedUser(ctx context.Context, tenantID, id string) (DeletedUser, error)
	// ListDeletedUsers returns the tenant's deleted users ordered by id,
	// after afterID, at most limit (limit <= 0: all).
	ListDeletedUsers(ctx context.Context, tenantID, afterID string, limit int) ([]DeletedUser, error)
	// QueryDeletedUsers returns one page of the tenant's deleted users in
	// q's order.
	QueryDeletedUsers(ctx context.Context, tenantID string, q DeletedQuery) ([]DeletedUser, error)
	// CountDeletedUsers counts the tenant's deleted users.
	CountDeletedUsers(ctx context.Context, tenantID string) (int, error)
	// RestoreUser moves a deleted user back among the users and returns it;
	// an address another user took meanwhile is ErrAlreadyExists.
	RestoreUser(ctx context.Context, tenantID, id string) (User, error)
	// PurgeDeletedUser deletes a deleted user for good, with its
	// invitations, sessions, refresh tokens and group memberships, in one
	// transaction.
	PurgeDeletedUser(ctx context.Context, tenantID, id string) error
	// ListDeletedUsersBefore returns deleted users of every tenant deleted
	// before before, oldest first, at most limit.
	ListDeletedUsersBefore(ctx context.Context, before time.Time, limit int) ([]DeletedUser, error)
}

// AccessStore is what EndAccess writes: the user's instant, its sessions
// (session.Store) and its refresh tokens (oidc.AuthRequestStore).
type AccessStore interface {
	SetTokensValidAfter(ctx context.Context, tenantID, userID string, at time.Time) error
	RevokeUserSessions(ctx context.Context, tenantID, userID string, at time.Time) error
	// DeleteOIDCRefreshTokens removes the user's refresh tokens of one app
	// ("" : of every app).
	DeleteOIDCRefreshTokens(ctx context.Context, tenantID, clientID, userID string) error
}

// EndAccess ends every sign-in of the user at at, in every process: the
// user's TokensValidAfter moves to at (which kills stateless access tokens
// and anything checked against it), its sessions are revoked and its
// refresh tokens deleted. It joins the transaction in ctx; call it in the
// transaction of the change that ends access.
func EndAccess(ctx context.Context, s AccessStore, tenantID, userID string, at time.Time) error {
	if err := s.SetTokensValidAfter(ctx, tenantID, userID, at); err != nil {
		return fmt.Errorf("end access of %s: %w", userID, err)
	}
	if err := s.RevokeUserSessions(ctx, tenantID, userID, at); err != nil {
		return fmt.Errorf("end access of %s: sessions: %w", userID, err)
	}
	if err := s.DeleteOIDCRefreshTokens(ctx, tenantID, "", userID); err != nil {
		return fmt.Errorf("end access of %s: refresh tokens: %w", userID, err)
	}
	return nil
}

// AccessEnder ends all of a user's access where a domain asks only to end
// its sessions (member.SessionRevoker, invitation.SessionRevoker): disabling
// an account or resetting a redemption then also kills its tokens.
type AccessEnder struct{ Store AccessStore }

// RevokeUserSessions ends every sign-in of the user (EndAccess).
func (e AccessEnder) RevokeUserSessions(ctx context.Context, tenantID, userID string, at time.Time) error {
	return EndAccess(ctx, e.Store, tenantID, userID, at)
}
