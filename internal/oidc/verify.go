package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/guestgate/guestgate/internal/store"
)

// AccessClaims is what guestgate's admin API learns from an app's access token.
type AccessClaims struct {
	TenantID  string
	AppID     string
	Roles     []string // the app's Graph application permissions
	Audience  string   // the resource the token was issued for
	ExpiresAt time.Time
	// UserID is the signed-in user of a delegated token ("" for an app's
	// own token), Scopes its Graph delegated permissions.
	UserID string
	Scopes []string
}

// tokenLeeway tolerates clock differences between processes.
const tokenLeeway = 30 * time.Second

// accessTokenClaims are the claims guestgate reads from its access tokens.
type accessTokenClaims struct {
	Issuer    string        `json:"iss"`
	Subject   string        `json:"sub"`
	Audience  oidc.Audience `json:"aud"`
	Expiry    int64         `json:"exp"`
	NotBefore int64         `json:"nbf"`
	TenantID  string        `json:"tid"`
	AppID     string        `json:"appid"`
	ObjectID  string        `json:"oid"`
	IDType    string        `json:"idtyp"`
	Roles     []string      `json:"roles"`
	Scopes    string        `json:"scp"`
	IdP       string        `json:"idp"`
	// AuthTime is when the user signed in (opaque user tokens only).
	AuthTime time.Time `json:"-"`
	// FamilyID is the authorization of an opaque user token.
	FamilyID string `json:"-"`
	// JWTAuthUS and JWTFamily are AuthTime and FamilyID as a delegated
	// Graph JWT carries them.
	JWTAuthUS int64  `json:"auth_us"`
	JWTFamily string `json:"fam"`
}

// VerifyAccessToken checks an app's access token for guestgate's admin API
// in a tenant: signature by a published key (cached; re-read when the key id
// is unknown), expiry, the tenant's issuer and tid, an admin API audience
// (https://graph.microsoft.com or the public URL) and an app identity.
// Failures wrap ErrInvalidToken; the detail is for logs, never the token.
func (p *Provider) VerifyAccessToken(ctx context.Context, tenantID, raw string) (AccessClaims, error) {
	c, err := p.verifyToken(ctx, tenantID, raw)
	if err != nil {
		return AccessClaims{}, err
	}
	aud := ""
	for _, a := range c.Audience {
		if p.acceptedAudience(a) {
			aud = a
			break
		}
	}
	if aud == "" {
		return AccessClaims{}, fmt.Errorf("%w: not issued for the admin API", ErrInvalidToken)
	}
	if c.IDType == idTypeUser {
		return p.verifyDelegated(ctx, tenantID, c, aud)
	}
	if c.IDType != idTypeApp || c.AppID == "" {
		return AccessClaims{}, fmt.Errorf("%w: not an application token", ErrInvalidToken)
	}
	if err := p.appExists(ctx, tenantID, c.AppID); err != nil {
		return AccessClaims{}, err
	}
	return AccessClaims{
		TenantID:  c.TenantID,
		AppID:     c.AppID,
		Roles:     c.Roles,
		Audience:  aud,
		ExpiresAt: time.Unix(c.Expiry, 0).UTC(),
	}, nil
}

// appExists refuses a token of an app deleted since it was issued.
func (p *Provider) appExists(ctx context.Context, tenantID, appID string) error {
	_, err := p.getApp(ctx, tenantID, appID)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: the app was deleted", ErrInvalidToken)
	}
	if err != nil {
		return fmt.Errorf("get app: %w", err)
	}
	return nil
}

// verifyToken checks an access token (a JWT, or a user's opaque token)
// for its issuer, tenant and lifetime.
func (p *Provider) verifyToken(ctx context.Context, tenantID, raw string) (accessTokenClaims, error) {
	c, err := p.tokenClaims(ctx, raw)
	if err != nil {
		return c, err
	}
	now := p.clock.Now()
	switch {
	case c.Issuer != p.Issuer(tenantID) || c.TenantID != tenantID:
		return c, fmt.Errorf("%w: issued for another tenant", ErrInvalidToken)
	case c.Expiry == 0 || !time.Unix(c.Expiry, 0).Add(tokenLeeway).After(now):
		return c, fmt.Errorf("%w: expired", ErrInvalidToken)
	case c.NotBefore != 0 && time.Unix(c.NotBefore, 0).After(now.Add(tokenLeeway)):
		return c, fmt.Errorf("%w: not yet valid", ErrInvalidToken)
	case slices.Contains(c.Audience, ""):
		return c, fmt.Errorf("%w: empty audience", ErrInvalidToken)
	}
	return c, nil
}

// tokenClaims reads an access token's claims: a JWT's after checking its
// signature against the published keys, an opaque token's after opening it.
func (p *Provider) tokenClaims(ctx context.Context, raw string) (accessTokenClaims, error) {
	var c accessTokenClaims
	if !isJWT(raw) {
		return p.opaqueTokenClaims(raw)
	}
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256, jose.ES256})
	if err != nil {
		return c, fmt.Errorf("%w: malformed", ErrInvalidToken)
	}
	if len(jws.Signatures) != 1 {
		return c, fmt.Errorf("%w: %d signatures", ErrInvalidToken, len(jws.Signatures))
	}
	kid := jws.Signatures[0].Header.KeyID
	key, err := p.keys.verifier(ctx, kid)
	if err != nil {
		return c, fmt.Errorf("%w: key %q: %v", ErrInvalidToken, kid, err)
	}
	if alg := jws.Signatures[0].Header.Algorithm; alg != string(key.alg) {
		// A key verifies tokens of its own algorithm only.
		return c, fmt.Errorf("%w: key %q is %s, token says %s", ErrInvalidToken, kid, key.alg, alg)
	}
	payload, err := jws.Verify(key.key)
	if err != nil {
		return c, fmt.Errorf("%w: bad signature", ErrInvalidToken)
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, fmt.Errorf("%w: claims: %v", ErrInvalidToken, err)
	}
	c.AuthTime, c.FamilyID = authTimeOf(c.JWTAuthUS), c.JWTFamily
	return c, nil
}
