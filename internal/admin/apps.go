package admin

import (
	"context"

	"github.com/guestgate/guestgate/internal/oidc"
)

// Apps is the operator's apps, their client secrets and the signing keys
// (guestgate app …, keys rotate); it needs the OpenID provider's core,
// not its endpoints.
type Apps struct {
	core *oidc.Core
}

// NewApps builds Apps over the provider's core.
func NewApps(c *oidc.Core) (Apps, error) {
	if c == nil {
		return Apps{}, errMissing("the OpenID provider's core")
	}
	return Apps{core: c}, nil
}

// CreateApp registers an app (guestgate app create); the secret is returned only here.
func (a Apps) CreateApp(ctx context.Context, tenantID, name string, permissions, redirectURIs, postLogoutURIs []string, public bool) (oidc.App, string, error) {
	return a.core.CreateApp(ctx, tenantID, name, permissions, redirectURIs, postLogoutURIs, public)
}

// ListApps lists a tenant's apps (guestgate app list), never their secrets.
func (a Apps) ListApps(ctx context.Context, tenantID string) ([]oidc.App, error) {
	return a.core.ListApps(ctx, tenantID)
}

// DeleteApp deletes an app; its tokens stop working at once (guestgate app delete).
func (a Apps) DeleteApp(ctx context.Context, tenantID, appID string) error {
	return a.core.DeleteApp(ctx, tenantID, appID)
}

// AddAppSecret adds a client secret to an app; the secret is returned only
// here (guestgate app secret add).
func (a Apps) AddAppSecret(ctx context.Context, tenantID, appID string) (oidc.AppSecret, string, error) {
	return a.core.AddAppSecret(ctx, tenantID, appID)
}

// AppSecrets lists an app's secrets, ids and creation times only (guestgate app secret list).
func (a Apps) AppSecrets(ctx context.Context, tenantID, appID string) ([]oidc.AppSecret, error) {
	return a.core.AppSecrets(ctx, tenantID, appID)
}

// RemoveAppSecret removes one client secret of an app (guestgate app secret remove).
func (a Apps) RemoveAppSecret(ctx context.Context, tenantID, appID, secretID string) error {
	return a.core.RemoveAppSecret(ctx, tenantID, appID, secretID)
}

// RotateKeys creates a new signing key per algorithm and retires the others (guestgate keys rotate).
func (a Apps) RotateKeys(ctx context.Context) (oidc.KeyIDs, error) { return a.core.RotateKeys(ctx) }

// SetAppIDTokenAlg sets how an app's tokens are signed, RS256 or ES256
// (guestgate app create|update --id-token-alg).
func (a Apps) SetAppIDTokenAlg(ctx context.Context, tenantID, appID, alg string) error {
	return a.core.SetAppIDTokenAlg(ctx, tenantID, appID, alg)
}
