package oidc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/roles"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Delegated Graph tokens: an app (public or confidential) that asks, in
// the authorization code flow, for one or more of Graph's delegated
// permissions ("https://graph.microsoft.com/User.Invite.All", or the bare
// name) gets an access token for the admin API on behalf of the signed-in
// user: a JWT whose audience includes https://graph.microsoft.com, whose
// scp lists the permission names without the resource prefix (Entra's
// spelling) and whose oid is the user. The admin API then allows what
// both the scopes and the user's directory roles allow (R10). Such a
// grant gets no refresh token: the app signs the user in again when the
// access token expires, so a role taken away is never outlived by a
// refresh. Other scopes stay dropped from requests.

// graphScope returns the permission name of a Graph delegated scope, or "".
func graphScope(scope string) string {
	name := strings.TrimPrefix(scope, graphResource+"/")
	for _, s := range roles.DelegatedScopes() {
		if strings.EqualFold(s, name) {
			return s
		}
	}
	return ""
}

// graphScopes returns the Graph permission names among scopes.
func graphScopes(scopes []string) []string {
	var out []string
	for _, s := range scopes {
		if g := graphScope(s); g != "" && !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// tokenScopes is the scp of a user's access token: OpenID scopes as
// asked, Graph permissions by name.
func tokenScopes(scopes []string) []string {
	out := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if g := graphScope(s); g != "" {
			s = g
		}
		out = append(out, s)
	}
	return out
}

// jwtAccessClient issues JWT access tokens for a delegated Graph grant.
type jwtAccessClient struct{ op.Client }

func (jwtAccessClient) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }

// verifyDelegated checks a delegated Graph token beyond its signature and
// audience: Graph scopes, the app still registered, the grant not
// revoked (a replayed code), and the user still allowed in (liveUser:
// not deleted, disabled or revoked since the sign-in).
func (p *Provider) verifyDelegated(ctx context.Context, tenantID string, c accessTokenClaims, aud string) (AccessClaims, error) {
	scopes := graphScopes(strings.Fields(c.Scopes))
	if c.ObjectID == "" || c.AppID == "" || len(scopes) == 0 || c.FamilyID == "" || c.AuthTime.IsZero() {
		return AccessClaims{}, fmt.Errorf("%w: not a delegated Graph token", ErrInvalidToken)
	}
	if err := p.appExists(ctx, tenantID, c.AppID); err != nil {
		return AccessClaims{}, err
	}
	revoked, err := p.deps.AuthRequests.OIDCGrantRevoked(ctx, tenantID, c.FamilyID)
	if err != nil {
		return AccessClaims{}, fmt.Errorf("grant revoked: %w", err)
	}
	if revoked {
		return AccessClaims{}, fmt.Errorf("%w: the grant was revoked", ErrInvalidToken)
	}
	if _, err := p.liveUser(ctx, &accessMemo{}, tenantID, c.AppID, c.ObjectID, c.AuthTime); err != nil {
		var oe *oidc.Error
		if errors.As(err, &oe) && oe.ErrorType == oidc.InvalidGrant {
			return AccessClaims{}, fmt.Errorf("%w: %s", ErrInvalidToken, oe.Description)
		}
		return AccessClaims{}, err
	}
	return AccessClaims{
		TenantID: c.TenantID, AppID: c.AppID, Audience: aud, ExpiresAt: time.Unix(c.Expiry, 0).UTC(),
		UserID: c.ObjectID, Scopes: scopes,
	}, nil
}
