package member

import (
	"context"
	"time"
)

// Store is what members need from persistence beyond the directory:
// password hashes and the wrong-password counters. Methods join the
// transaction in ctx and return store.ErrNotFound wrapped with context.
type Store interface {
	// SetPassword stores hash (a PHC string) as the user's password,
	// replacing any; store.ErrNotFound when the tenant has no such user.
	SetPassword(ctx context.Context, tenantID, userID, hash string, at time.Time) error
	// GetPassword returns the user's password hash, or store.ErrNotFound
	// when the user has none.
	GetPassword(ctx context.Context, tenantID, userID string) (string, error)

	// GetPasswordFailures returns the counters of the keys that have one;
	// keys without a counter are absent from the map.
	GetPasswordFailures(ctx context.Context, tenantID string, keys []string) (map[string]Failures, error)
	// AddPasswordFailure counts one failure for key at now, atomically (an
	// upsert: concurrent callers in any process are all counted) and
	// returns the counter: a counter whose window opened at or before
	// staleBefore is restarted as {now, 1}.
	AddPasswordFailure(ctx context.Context, tenantID, key string, now, staleBefore time.Time) (Failures, error)
	// ClearPasswordFailures removes key's counter (nothing when it has none).
	ClearPasswordFailures(ctx context.Context, tenantID, key string) error
}
