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
// secret, which is shown once: only its SHA-256 is stored. A public app
// (native or single-page) gets no secret and must use PKCE. Redirect URIs
// are matched exactly at sign-in; they must be absolute, without fragment,
// and https unless they point at the loopback interface (or the provider
// runs Insecure). Public apps may also use a custom scheme (native apps).
func (p *Provider) CreateApp(ctx context.Context, tenantID, name string, permissions, redirectURIs, postLogoutURIs []string, public bool) (App, string, error) {
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
	}
	var secret string
	if !public {
		var err error
		if secret, err = randomToken(); err != nil {
			return App{}, "", err
		}
		h := sha256.Sum256([]byte(secret))
		a.SecretHash = h[:]
	}
	if err := p.deps.Apps.CreateApp(ctx, a); err != nil {
		return App{}, "", fmt.Errorf("create app: %w", err)
	}
	return a, secret, nil
}

// checkRedirectURI refuses URIs that cannot be matched safely.
func (p *Provider) checkRedirectURI(raw string, public bool) error {
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
	a, err := p.deps.Apps.GetApp(ctx, tid, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return App{}, clientAuthFailed("unknown app")
	}
	if err != nil {
		return App{}, oidc.ErrServerError().WithParent(fmt.Errorf("get app: %w", err))
	}
	if a.Public() {
		return App{}, clientAuthFailed("public app has no secret")
	}
	h := sha256.Sum256([]byte(secret))
	if subtle.ConstantTimeCompare(h[:], a.SecretHash) != 1 {
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
