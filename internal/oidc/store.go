package oidc

import (
	"context"
	"time"
)

// AppStore keeps app registrations and their secrets, scoped by tenant.
// Methods join the transaction in ctx.
type AppStore interface {
	CreateApp(ctx context.Context, a App) error
	GetApp(ctx context.Context, tenantID, appID string) (App, error)
	ListApps(ctx context.Context, tenantID string) ([]App, error)
	// SetAppIDTokenAlg sets App.IDTokenSignedResponseAlg (AlgRS256 or
	// AlgES256); an unknown app is ErrNotFound.
	SetAppIDTokenAlg(ctx context.Context, tenantID, appID, alg string) error
	// DeleteApp removes the app with its secrets, its refresh tokens and
	// its pending authorization requests. An unknown app is ErrNotFound.
	DeleteApp(ctx context.Context, tenantID, appID string) error

	// AddAppSecret adds a secret to an app (ErrNotFound for an unknown
	// app, ErrAlreadyExists for a taken secret id).
	AddAppSecret(ctx context.Context, tenantID, appID string, s AppSecret) error
	// ListAppSecrets returns the app's secrets, oldest first.
	ListAppSecrets(ctx context.Context, tenantID, appID string) ([]AppSecret, error)
	// DeleteAppSecret removes one secret; an unknown one is ErrNotFound.
	DeleteAppSecret(ctx context.Context, tenantID, appID, secretID string) error
}

// KeyStore keeps signing keys.
type KeyStore interface {
	CreateSigningKey(ctx context.Context, k SigningKey) error
	// ListSigningKeys returns keys newest first, including retired ones.
	ListSigningKeys(ctx context.Context) ([]SigningKey, error)
	// RetireSigningKeys sets RetiredAt on every current key of keepID's
	// algorithm other than keepID; keys of other algorithms stay current.
	RetireSigningKeys(ctx context.Context, keepID string, at time.Time) error
	// DeleteSigningKeysRetiredBefore removes keys retired before t.
	DeleteSigningKeysRetiredBefore(ctx context.Context, t time.Time) error
	// ReplaceSigningKeyPrivate rewrites a key's stored private bytes (to
	// seal them with the current secret) if they are still old; it reports
	// whether it did. An unknown key or changed bytes are no error.
	ReplaceSigningKeyPrivate(ctx context.Context, id string, old, replacement []byte) (bool, error)
}

// SubjectSaltStore keeps each tenant's pairwise-subject salt (in the
// tenant's record; directory.Tenant.SubjectSalt reads it).
type SubjectSaltStore interface {
	// SetTenantSubjectSalt stores salt for a tenant that has none and
	// returns the tenant's salt (the one stored before, if any). An
	// unknown tenant is ErrNotFound.
	SetTenantSubjectSalt(ctx context.Context, tenantID, salt string) (string, error)
	// FillTenantSubjectSalts stores salt for every tenant that has none,
	// and returns how many.
	FillTenantSubjectSalts(ctx context.Context, salt string) (int64, error)
}

// AuthRequestStore keeps authorization requests (a pending sign-in, then,
// once completed, the grant an authorization code redeems) and refresh
// tokens, scoped by tenant. Refresh tokens are kept only as SHA-256 hashes.
// Methods return store.ErrNotFound or store.ErrConflict wrapped with context.
type AuthRequestStore interface {
	CreateOIDCAuthRequest(ctx context.Context, r AuthRequestRecord) error
	// GetOIDCAuthRequest returns the request, expired or not.
	GetOIDCAuthRequest(ctx context.Context, tenantID, id string) (AuthRequestRecord, error)
	// CompleteOIDCAuthRequest records the sign-in c on a pending request that
	// has not expired at c.DoneAt, and moves its expiry to codeExpiresAt.
	// ErrNotFound if there is no such pending request, ErrConflict if it is
	// already completed.
	CompleteOIDCAuthRequest(ctx context.Context, tenantID, id string, c AuthCompletion, codeExpiresAt time.Time) error
	// ConsumeOIDCAuthRequest redeems a completed request that has not
	// expired at now and returns it: its code is spent (the stored
	// ExpiresAt becomes zero, AuthRequestRecord.Redeemed) but the record
	// stays until DeleteExpiredOIDCGrants removes it, so the pending handle
	// that made it cannot complete again (CreateOIDCAuthRequest is
	// ErrAlreadyExists). Of concurrent callers exactly one wins; the others
	// get ErrNotFound.
	ConsumeOIDCAuthRequest(ctx context.Context, tenantID, id string, now time.Time) (AuthRequestRecord, error)
	// DeleteOIDCAuthRequest removes a request; a missing one is not an error.
	DeleteOIDCAuthRequest(ctx context.Context, tenantID, id string) error

	CreateOIDCRefreshToken(ctx context.Context, t RefreshTokenRecord) error
	// GetOIDCRefreshToken returns the token with that hash, expired or not,
	// used or not.
	GetOIDCRefreshToken(ctx context.Context, tenantID string, hash []byte) (RefreshTokenRecord, error)
	// ConsumeOIDCRefreshToken marks the unexpired, unused token with that
	// hash used at now and returns it; the record stays (until it expires)
	// so that a replay of it is recognised. Of concurrent callers exactly
	// one wins; the others get ErrNotFound.
	ConsumeOIDCRefreshToken(ctx context.Context, tenantID string, hash []byte, now time.Time) (RefreshTokenRecord, error)
	// DeleteOIDCRefreshTokens removes a user's refresh tokens for one client
	// (all clients when clientID is empty).
	DeleteOIDCRefreshTokens(ctx context.Context, tenantID, clientID, userID string) error

	// RevokeOIDCGrant ends one authorization (a code replayed, a rotated
	// refresh token reused): it deletes every refresh token of the family
	// and records the family as revoked until until, when the last access
	// token issued from it has expired. Recording it again keeps the later
	// instant.
	RevokeOIDCGrant(ctx context.Context, tenantID, familyID string, until time.Time) error
	// OIDCGrantRevoked reports whether the family was revoked (and the
	// record has not been cleaned up yet).
	OIDCGrantRevoked(ctx context.Context, tenantID, familyID string) (bool, error)

	// DeleteExpiredOIDCGrants removes refresh tokens and revocation records
	// that expired before before, and authorization requests whose code
	// expired (or was spent) before before and that were created before
	// requestsCreatedBefore (the handles that made them no longer open),
	// and returns how many.
	DeleteExpiredOIDCGrants(ctx context.Context, before, requestsCreatedBefore time.Time) (int64, error)
}
