package collab

import "context"

// Store keeps the settings. Methods join the transaction in ctx.
type Store interface {
	// GetCollaboration returns the tenant's settings, or
	// store.ErrNotFound when they were never changed.
	GetCollaboration(ctx context.Context, tenantID string) (Settings, error)
	// PutCollaboration stores s, replacing any.
	PutCollaboration(ctx context.Context, s Settings) error
}
