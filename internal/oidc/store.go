package oidc

import (
	"context"
	"time"
)

// AppStore keeps app registrations, scoped by tenant.
type AppStore interface {
	CreateApp(ctx context.Context, a App) error
	GetApp(ctx context.Context, tenantID, appID string) (App, error)
	ListApps(ctx context.Context, tenantID string) ([]App, error)
}

// KeyStore keeps signing keys.
type KeyStore interface {
	CreateSigningKey(ctx context.Context, k SigningKey) error
	// ListSigningKeys returns keys newest first, including retired ones.
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)
	// RetireSigningKeys sets RetiredAt on every current key other than keepID.
	RetireSigningKeys(ctx context.Context, keepID string, at time.Time) error
	// DeleteSigningKeysRetiredBefore removes keys retired before t.
	DeleteSigningKeysRetiredBefore(ctx context.Context, t time.Time) error
}
