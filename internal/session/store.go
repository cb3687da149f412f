package session

import (
	"context"
	"time"
)

// Store keeps sessions, scoped by tenant.
type Store interface {
	CreateSession(ctx context.Context, s Session) error
	// GetSession returns the session with that id hash, or store.ErrNotFound.
	GetSession(ctx context.Context, tenantID string, idHash []byte) (Session, error)
	// ListSessions returns a user's sessions, newest first.
	ListSessions(ctx context.Context, tenantID, userID string) ([]Session, error)
	// RevokeSession marks one session revoked at the given time.
	RevokeSession(ctx context.Context, tenantID string, idHash []byte, at time.Time) error
	// RevokeUserSessions revokes every live session of a user.
	RevokeUserSessions(ctx context.Context, tenantID, userID string, at time.Time) error
}
