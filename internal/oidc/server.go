package oidc

import (
	"context"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// server is the library's legacy server with guestgate's overrides: the
// endpoints are not below the issuer path, redirect URIs match exactly, PKCE
// is required of public clients, codes are redeemed atomically, userinfo
// reads the user from the access token, and grants guestgate does not offer
// are refused.
type server struct {
	*op.LegacyServer
	p *Provider
}

var _ op.ExtendedLegacyServer = (*server)(nil)

// AuthCallbackURL returns the absolute callback URL of the request's tenant.
func (s *server) AuthCallbackURL() func(context.Context, string) string {
	return func(ctx context.Context, id string) string {
		tid, _ := tenantID(ctx)
		return s.p.callbackURL(tid, id)
	}
}

// Discovery answers the tenant's OpenID configuration with absolute
// endpoint URLs below {PublicURL}/{tenantId}.
func (s *server) Discovery(ctx context.Context, _ *op.Request[struct{}]) (*op.Response, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return op.NewResponse(s.p.discovery(tid)), nil
}

// VerifyAuthRequest looks the client up and checks that redirect_uri is
// exactly one of its registered URIs (the library would accept a loopback
// URI on any port for native clients).
func (s *server) VerifyAuthRequest(ctx context.Context, r *op.Request[oidc.AuthRequest]) (*op.ClientRequest[oidc.AuthRequest], error) {
	cr, err := s.LegacyServer.VerifyAuthRequest(ctx, r)
	if err != nil {
		return nil, err
	}
	if r.Data.RedirectURI != "" && !slices.Contains(cr.Client.RedirectURIs(), r.Data.RedirectURI) {
		return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription(
			"The redirect_uri does not match the URIs registered for the application.")
	}
	return cr, nil
}

// Authorize applies guestgate's PKCE policy, then stores the request and
// sends the browser to the login page. Errors here go back to the client's
// (validated) redirect URI.
func (s *server) Authorize(ctx context.Context, r *op.ClientRequest[oidc.AuthRequest]) (*op.Redirect, error) {
	req := r.Data
	if req.CodeChallenge == "" && r.Client.AuthMethod() == oidc.AuthMethodNone {
		return nil, oidc.ErrInvalidRequest().WithDescription(
			"Proof Key for Code Exchange (code_challenge with code_challenge_method=S256) is required for public clients.")
	}
	if req.CodeChallenge != "" && req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("The code_challenge_method must be S256.")
	}
	return s.LegacyServer.Authorize(ctx, r)
}

// JWTProfile refuses the JWT bearer grant, which guestgate does not offer.
func (s *server) JWTProfile(context.Context, *op.Request[oidc.JWTProfileGrantRequest]) (*op.Response, error) {
	return nil, oidc.ErrUnsupportedGrantType().WithDescription("The JWT bearer grant is not supported.")
}

// discovery is the tenant's OpenID configuration.
func (p *Provider) discovery(tid string) *oidc.DiscoveryConfiguration {
	return &oidc.DiscoveryConfiguration{
		Issuer:                 p.Issuer(tid),
		AuthorizationEndpoint:  p.tenantURL(tid, PathAuthorize),
		TokenEndpoint:          p.tenantURL(tid, PathToken),
		UserinfoEndpoint:       p.tenantURL(tid, PathUserinfo),
		EndSessionEndpoint:     p.tenantURL(tid, PathLogout),
		JwksURI:                p.tenantURL(tid, PathKeys),
		ScopesSupported:        supportedScopes,
		ResponseTypesSupported: []string{string(oidc.ResponseTypeCode)},
		ResponseModesSupported: []string{string(oidc.ResponseModeQuery), string(oidc.ResponseModeFormPost)},
		GrantTypesSupported: []oidc.GrantType{
			oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeClientCredentials,
		},
		SubjectTypesSupported:            []string{"pairwise"},
		IDTokenSigningAlgValuesSupported: signingAlgs,
		TokenEndpointAuthMethodsSupported: []oidc.AuthMethod{
			oidc.AuthMethodBasic, oidc.AuthMethodPost, oidc.AuthMethodNone,
		},
		ClaimsSupported:               supportedClaims,
		CodeChallengeMethodsSupported: []oidc.CodeChallengeMethod{oidc.CodeChallengeMethodS256},
		UILocalesSupported:            p.op.SupportedUILocales(),
		RequestParameterSupported:     false,
		RequestURIParameterSupported:  false,
	}
}
