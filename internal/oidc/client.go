package oidc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/guestgate/guestgate/internal/store"
)

// client adapts an App to the library's op.Client. Confidential apps are
// web applications authenticating with their secret (client_secret_basic or
// client_secret_post); public apps are native/SPA clients without a secret,
// which must use PKCE with S256.
type client struct {
	app     App
	p       *Provider
	idTTL   time.Duration
	granted []oidc.GrantType
}

var _ op.Client = (*client)(nil)

func (p *Provider) newClient(a App) *client {
	c := &client{app: a, p: p, idTTL: p.cfg.IDTokenLifetime}
	c.granted = []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken}
	if !a.Public() {
		c.granted = append(c.granted, oidc.GrantTypeClientCredentials)
	}
	return c
}

// getClient looks the app up in the tenant of ctx. An unknown app is the
// OAuth error invalid_client, never a server error.
func (p *Provider) getClient(ctx context.Context, clientID string) (*client, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	a, err := p.getApp(ctx, tid, clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, oidc.ErrInvalidClient().
			WithDescription("The application was not found in the directory of this tenant.").
			WithParent(fmt.Errorf("get app: %w", err))
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(fmt.Errorf("get app: %w", err))
	}
	return p.newClient(a), nil
}

func (c *client) GetID() string                    { return c.app.AppID }
func (c *client) RedirectURIs() []string           { return c.app.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return c.app.PostLogoutRedirectURIs }

// ApplicationType: public clients are native (loopback and custom-scheme
// redirects allowed), confidential ones web applications. Redirect URIs must
// in any case match a registered one exactly (server.VerifyAuthRequest).
func (c *client) ApplicationType() op.ApplicationType {
	if c.app.Public() {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (c *client) AuthMethod() oidc.AuthMethod {
	if c.app.Public() {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic // client_secret_post is accepted as well
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType { return c.granted }
func (c *client) LoginURL(id string) string    { return c.p.loginURL(c.app.TenantID, id) }

// AccessTokenType is opaque for users' tokens (token_opaque.go); the
// client-credentials grant uses jwtClient instead.
func (c *client) AccessTokenType() op.AccessTokenType {
	return op.AccessTokenTypeBearer
}
func (c *client) IDTokenLifetime() time.Duration { return c.idTTL }
func (c *client) DevMode() bool                  { return false }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed allows Graph's delegated permissions beyond the standard
// OpenID scopes in the authorization code flow (token_delegated.go);
// others are dropped from the request.
func (c *client) IsScopeAllowed(scope string) bool { return graphScope(scope) != "" }

// IDTokenUserinfoClaimsAssertion puts the user's claims in the ID token
// also when an access token is issued (DESIGN section 6).
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }
func (c *client) ClockSkew() time.Duration             { return 0 }
