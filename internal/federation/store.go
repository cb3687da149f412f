package federation

import (
	"context"
	"time"
)

// Store keeps federations and the assertions already used.
type Store interface {
	// CreateFederation stores f; a taken id or domain is store.ErrAlreadyExists.
	CreateFederation(ctx context.Context, f Federation) error
	// GetFederation returns one federation, or store.ErrNotFound.
	GetFederation(ctx context.Context, tenantID, id string) (Federation, error)
	// ListFederations returns the tenant's federations, ordered by id.
	ListFederations(ctx context.Context, tenantID string) ([]Federation, error)
	// UpdateFederation reads f for update, applies fn and writes the result
	// (domains included), joining the transaction in ctx.
	UpdateFederation(ctx context.Context, tenantID, id string, fn func(*Federation) error) error
	// DeleteFederation removes it, or store.ErrNotFound.
	DeleteFederation(ctx context.Context, tenantID, id string) error
	// FederationForDomain returns the federation claiming domain, or store.ErrNotFound.
	FederationForDomain(ctx context.Context, tenantID, domain string) (Federation, error)
	// ConsumeAssertion records an assertion id as used until expires; one
	// used before is store.ErrAlreadyExists. Records expired by now may be
	// purged.
	ConsumeAssertion(ctx context.Context, tenantID, key string, now, expires time.Time) error
}
