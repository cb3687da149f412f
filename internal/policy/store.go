package policy

import "context"

// Stored is a tenant's policy as kept: the configuration and the tenant's
// preview opt-in, read together so the effective state is never computed
// from a stale preview flag (the tenant cache of a process may be older).
type Stored struct {
	Config       EmailConfig
	PreviewOptIn bool
}

// Store is what the policy needs from persistence.
type Store interface {
	// GetEmailPolicy reads the tenant's configuration (DefaultEmailConfig
	// when never set) and preview flag in one indexed row read. It is on
	// every sign-in. An unknown tenant is store.ErrNotFound.
	GetEmailPolicy(ctx context.Context, tenantID string) (Stored, error)
	// UpdateEmailPolicy reads the tenant's policy locked against every
	// other update (in every process), applies fn and writes the result,
	// in one transaction (joining the caller's). Updates of one tenant are
	// therefore serialized: each sees the previous one's result. An error
	// from fn aborts the update and is returned wrapped.
	UpdateEmailPolicy(ctx context.Context, tenantID string, fn func(*Stored) error) error

	// GetRedemptionPolicy reads the tenant's redemption configuration
	// (section 3; DefaultRedemptionConfig, with a zero UpdatedAt, when
	// never set) in one indexed read, in the transaction of ctx if any. It
	// is on every guest sign-in. An unknown tenant is store.ErrNotFound.
	GetRedemptionPolicy(ctx context.Context, tenantID string) (RedemptionConfig, error)
	// UpdateRedemptionPolicy reads the tenant's redemption configuration
	// locked against every other update (in every process), applies fn and
	// writes the result, in one transaction (joining the caller's), like
	// UpdateEmailPolicy. An error from fn aborts the update and is returned
	// wrapped.
	UpdateRedemptionPolicy(ctx context.Context, tenantID string, fn func(*RedemptionConfig) error) error
}
