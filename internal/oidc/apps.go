package oidc

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/guestgate/guestgate/internal/store"
)

// errBadClientSecret is the (log-only) reason a client authentication failed.
var errBadClientSecret = errors.New("client authentication failed")

// CreateApp registers an app in a tenant and returns it with its client
// secret, which is shown once: only its SHA-256 is stored. The secret's id
// is the app's id. A public app
// (native or single-page) gets no secret and must use PKCE. Redirect URIs
// are matched exactly at sign-in; they must be absolute, without fragment,
// and https unless they point at the loopback interface (or the provider
// runs Insecure). Public apps may also use a custom scheme (native apps).
func (p *Core) CreateApp(ctx context.Context, tenantID, name string, permissions, redirectURIs, postLogoutURIs []string, public bool) (App, string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return App{}, "", fmt.Errorf("%w: the display name is empty", ErrInvalidApp)
	}
	for _, list := range [][]string{redirectURIs, postLogoutURIs} {
		for _, u := range list {
			if err := p.checkRedirectURI(u, public); err != nil {
				return App{}, "", err
			}
		}
	}
	a := App{
		TenantID:               tenantID,
		AppID:                  uuid.NewString(),
		DisplayName:            name,
		Permissions:            cleanList(permissions),
		RedirectURIs:           cleanList(redirectURIs),
		PostLogoutRedirectURIs: cleanList(postLogoutURIs),
		CreatedAt:              p.clock.Now(),
		PublicClient:           public,
		// RS256 unless changed (SetAppIDTokenAlg), as in Entra ID.
		IDTokenSignedResponseAlg: AlgRS256,
	}
	var secret string
	err := p.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := p.deps.Apps.CreateApp(ctx, a); err != nil {
			return err
		}
		if public {
			return nil
		}
		var err error
		secret, err = p.addSecret(ctx, a, a.AppID)
		return err
	})
	if err != nil {
		return App{}, "", fmt.Errorf("create app: %w", err)
	}
	return a, secret, nil
}

// SetAppIDTokenAlg sets how an app's tokens are signed (OpenID Connect
// Dynamic Client Registration's id_token_signed_response_alg): AlgRS256,
// the default, or AlgES256. Its next tokens are signed so; tokens issued
// before keep their signature. Another value is ErrInvalidApp, an unknown
// app store.ErrNotFound.
func (p *Core) SetAppIDTokenAlg(ctx context.Context, tenantID, appID, alg string) error {
	if err := CheckIDTokenAlg(alg); err != nil {
		return err
	}
	if err := p.deps.Apps.SetAppIDTokenAlg(ctx, tenantID, appID, alg); err != nil {
		return fmt.Errorf("set app id token alg: %w", err)
	}
	return nil
}

// AddAppSecret adds a new client secret to a confidential app and returns
// it with its id; the secret is shown once (only its SHA-256 is stored).
// The app's other secrets stay valid until removed (RemoveAppSecret), so a
// secret is rotated without downtime. A public app is ErrInvalidApp, an
// unknown one store.ErrNotFound.
func (p *Core) AddAppSecret(ctx context.Context, tenantID, appID string) (AppSecret, string, error) {
	a, err := p.deps.Apps.GetApp(ctx, tenantID, appID)
	if err != nil {
		return AppSecret{}, "", fmt.Errorf("add app secret: %w", err)
	}
	if a.Public() {
		return AppSecret{}, "", fmt.Errorf("%w: a public app has no secrets", ErrInvalidApp)
	}
	id := uuid.NewString()
	secret, err := p.addSecret(ctx, a, id)
	if err != nil {
		return AppSecret{}, "", fmt.Errorf("add app secret: %w", err)
	}
	return AppSecret{ID: id, CreatedAt: p.clock.Now()}, secret, nil
}

func (p *Core) addSecret(ctx context.Context, a App, id string) (string, error) {
	secret, err := randomToken()
	if err != nil {
		return "", err
	}
	h := sha256.Sum256([]byte(secret))
	if err := p.deps.Apps.AddAppSecret(ctx, a.TenantID, a.AppID, AppSecret{ID: id, Hash: h[:], CreatedAt: p.clock.Now()}); err != nil {
		return "", err
	}
	return secret, nil
}

// AppSecrets lists a confidential app's secrets (ids and creation times;
// the hashes are left out), oldest first.
func (p *Core) AppSecrets(ctx context.Context, tenantID, appID string) ([]AppSecret, error) {
	if _, err := p.deps.Apps.GetApp(ctx, tenantID, appID); err != nil {
		return nil, fmt.Errorf("app secrets: %w", err)
	}
	list, err := p.deps.Apps.ListAppSecrets(ctx, tenantID, appID)
	if err != nil {
		return nil, fmt.Errorf("app secrets: %w", err)
	}
	for i := range list {
		list[i].Hash = nil
	}
	return list, nil
}

// ListApps lists a tenant's app registrations, oldest first.
func (p *Core) ListApps(ctx context.Context, tenantID string) ([]App, error) {
	list, err := p.deps.Apps.ListApps(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	return list, nil
}

// RemoveAppSecret removes one secret of an app: it no longer
// authenticates the app, at once. An unknown secret is store.ErrNotFound.
func (p *Core) RemoveAppSecret(ctx context.Context, tenantID, appID, secretID string) error {
	if err := p.deps.Apps.DeleteAppSecret(ctx, tenantID, appID, secretID); err != nil {
		return fmt.Errorf("remove app secret: %w", err)
	}
	return nil
}

// DeleteApp deletes an app registration. Its tokens stop working at once:
// its refresh tokens and pending sign-ins are deleted with it, and its
// access tokens (client-credentials JWTs at the admin API, users' opaque
// tokens at userinfo) are refused because the app no longer exists.
func (p *Core) DeleteApp(ctx context.Context, tenantID, appID string) error {
	p.forgetAppName(tenantID, appID)
	if err := p.deps.Apps.DeleteApp(ctx, tenantID, appID); err != nil {
		return fmt.Errorf("delete app: %w", err)
	}
	p.forgetAppName(tenantID, appID) // and what a concurrent page cached meanwhile
	return nil
}

// checkRedirectURI refuses URIs that cannot be matched safely.
func (p *Core) checkRedirectURI(raw string, public bool) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%w: redirect URI %q must be absolute and without fragment", ErrInvalidApp, raw)
	}
	switch u.Scheme {
	case "https":
		if u.Host == "" {
			return fmt.Errorf("%w: redirect URI %q has no host", ErrInvalidApp, raw)
		}
	case "http":
		if _, loopback := op.HTTPLoopbackOrLocalhost(raw); !loopback && !p.cfg.Insecure {
			return fmt.Errorf("%w: redirect URI %q must use https unless it points at localhost", ErrInvalidApp, raw)
		}
	default:
		if !public {
			return fmt.Errorf("%w: redirect URI %q: custom schemes are for public (native) apps only", ErrInvalidApp, raw)
		}
	}
	return nil
}

// cleanList trims entries and drops blanks and repeats, keeping the order.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// authenticateApp checks a confidential app's secret in the tenant of ctx,
// in constant time. A failure is invalid_client with status 401 (RFC 6749
// section 5.2); store failures are server errors.
func (p *Provider) authenticateApp(ctx context.Context, clientID, secret string) (App, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return App{}, oidc.ErrServerError().WithParent(err)
	}
	a, err := p.getApp(ctx, tid, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return App{}, clientAuthFailed("unknown app")
	}
	if err != nil {
		return App{}, oidc.ErrServerError().WithParent(fmt.Errorf("get app: %w", err))
	}
	if a.Public() {
		return App{}, clientAuthFailed("public app has no secret")
	}
	secrets, err := p.deps.Apps.ListAppSecrets(ctx, tid, clientID)
	if err != nil {
		return App{}, oidc.ErrServerError().WithParent(fmt.Errorf("list app secrets: %w", err))
	}
	// Every secret is compared, in constant time each, so the time taken
	// does not tell which one matched.
	h := sha256.Sum256([]byte(secret))
	match := 0
	for _, s := range secrets {
		match |= subtle.ConstantTimeCompare(h[:], s.Hash)
	}
	if match != 1 {
		return App{}, clientAuthFailed("wrong secret")
	}
	return a, nil
}

// clientAuthFailed is the answer to a failed client authentication; the
// reason is for logs only.
func clientAuthFailed(reason string) error {
	return op.NewStatusError(oidc.ErrInvalidClient().
		WithDescription("Invalid client_id or client_secret.").
		WithParent(fmt.Errorf("%w: %s", errBadClientSecret, reason)), http.StatusUnauthorized)
}
