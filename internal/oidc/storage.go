package oidc

import (
	"context"
	"errors"
	"fmt"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/guestgate/guestgate/internal/store"
)

// storage is the library's view of guestgate: op.Storage and the optional
// interfaces guestgate supports. Every method works in the tenant carried by
// ctx. Errors for clients are *oidc.Error; their parents are for logs and
// never contain secrets, codes or tokens.
type storage struct {
	p *Provider
}

var (
	_ op.Storage                        = (*storage)(nil)
	_ op.ClientCredentialsStorage       = (*storage)(nil)
	_ op.CanSetUserinfoFromRequest      = (*storage)(nil)
	_ op.CanGetPrivateClaimsFromRequest = (*storage)(nil)
	_ op.CanTerminateSessionFromRequest = (*storage)(nil)
)

// CreateAuthRequest seals a validated authorization request into the
// handle the browser carries to the login page; nothing is stored until
// the user signs in (pending.go).
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	now := s.p.clock.Now()
	maxAge := int64(-1)
	if req.MaxAge != nil {
		maxAge = int64(*req.MaxAge)
	}
	locales := make([]string, 0, len(req.UILocales))
	for _, l := range req.UILocales {
		locales = append(locales, l.String())
	}
	rec := AuthRequestRecord{
		TenantID:            tid,
		ID:                  uuid.NewString(),
		ClientID:            req.ClientID,
		RedirectURI:         req.RedirectURI,
		Scopes:              req.Scopes,
		State:               req.State,
		Nonce:               req.Nonce,
		ResponseType:        string(req.ResponseType),
		ResponseMode:        string(req.ResponseMode),
		Prompt:              req.Prompt,
		MaxAge:              maxAge,
		LoginHint:           req.LoginHint,
		UILocales:           locales,
		CodeChallenge:       req.CodeChallenge,
		CodeChallengeMethod: string(req.CodeChallengeMethod),
		CreatedAt:           now,
		ExpiresAt:           now.Add(s.p.cfg.LoginTimeout),
	}
	handle, err := s.p.pending.seal(rec)
	if errors.Is(err, errRequestTooLarge) {
		return nil, oidc.ErrInvalidRequest().WithDescription("The request is too large: shorten state, nonce or login_hint.")
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	ar, err := s.p.newAuthRequest(ctx, rec)
	if err != nil {
		return nil, err
	}
	ar.handle = handle
	return ar, nil
}

// AuthRequestByID returns an unexpired request of the tenant: a signed-in
// one by its id (the callback), or a pending one by its handle.
func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	rec, err := s.p.liveAuthRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.p.newAuthRequest(ctx, rec)
}

// AuthRequestByCode resolves a code to its completed, unexpired request
// without redeeming it; the code exchange redeems it (server.CodeExchange).
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	rec, err := s.p.requestForCode(ctx, code)
	var replay *codeReplayError
	if errors.As(err, &replay) {
		return nil, oidc.ErrInvalidGrant().WithDescription("The code is invalid, was already redeemed or has expired.")
	}
	if err != nil {
		return nil, err
	}
	return s.p.newAuthRequest(ctx, rec)
}

// SaveAuthCode stores nothing: a code is the request id sealed with the
// provider's AES-GCM key, so it cannot be forged, and it is redeemed by
// deleting the request, which also makes it single-use. This saves a write
// per sign-in.
func (s *storage) SaveAuthCode(context.Context, string, string) error { return nil }

// DeleteAuthRequest removes a request, unless the code exchange already
// did so in its redeeming transaction.
func (s *storage) DeleteAuthRequest(ctx context.Context, id string) error {
	if redeemed(ctx, id) {
		return nil
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if err := s.p.deps.AuthRequests.DeleteOIDCAuthRequest(ctx, tid, id); err != nil {
		return oidc.ErrServerError().WithParent(fmt.Errorf("delete auth request: %w", err))
	}
	return nil
}

// CreateAccessToken names a new access token; access tokens are stateless
// JWTs, so nothing is stored.
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	exp := s.p.clock.Now().Add(s.p.cfg.AccessTokenLifetime)
	switch r := req.(type) {
	case *authRequest:
		return userTokenID(r.rec.TenantID, r.rec.ClientID, r.rec.UserID, r.rec.IdP, r.rec.ID, r.rec.AuthTime, exp.Unix()), exp, nil
	case *refreshRequest:
		return userTokenID(r.rec.TenantID, r.rec.ClientID, r.rec.UserID, r.rec.IdP, r.rec.FamilyID, r.rec.AuthTime, exp.Unix()), exp, nil
	}
	return uuid.NewString(), exp, nil
}

// CreateAccessAndRefreshTokens names a new access token and returns the
// refresh token: the one the code exchange created, or a rotated one.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	id, exp, err := s.CreateAccessToken(ctx, req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	switch r := req.(type) {
	case *authRequest:
		if r.refreshToken == "" {
			return "", "", time.Time{}, oidc.ErrServerError().WithParent(errors.New("refresh token not created at redemption"))
		}
		return id, r.refreshToken, exp, nil
	case *refreshRequest:
		next, err := s.p.rotateRefreshToken(ctx, r, current)
		if err != nil {
			return "", "", time.Time{}, err
		}
		return id, next, exp, nil
	default:
		return "", "", time.Time{}, oidc.ErrServerError().WithParent(fmt.Errorf("refresh token for unexpected request %T", req))
	}
}

// TokenRequestByRefreshToken returns the grant of an unexpired refresh token.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	return s.p.liveRefreshToken(ctx, token)
}

// TerminateSession is not used: logout goes through TerminateSessionFromRequest.
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }

// TerminateSessionFromRequest ends the sign-in at RP-initiated logout.
func (s *storage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	return s.p.endSession(ctx, req)
}

// RevokeToken: the revocation endpoint is not served.
func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return oidc.ErrUnsupportedGrantType().WithDescription("token revocation is not supported")
}

// GetRefreshTokenInfo: the revocation endpoint is not served.
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// SigningKey returns the key that signs new tokens with the algorithm of
// the request's app (signing_alg.go).
func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	k, err := s.p.keys.signer(ctx, signingAlgOf(ctx))
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return k, nil
}

// SignatureAlgorithms returns RS256 and ES256.
func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256, jose.ES256}, nil
}

// KeySet returns the published keys (current and recently retired).
func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := s.p.keys.published(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return keys, nil
}

// GetClientByClientID returns the app of the tenant in ctx.
func (s *storage) GetClientByClientID(ctx context.Context, clientID string) (op.Client, error) {
	return s.p.getClient(ctx, clientID)
}

// AuthorizeClientIDSecret checks a confidential app's secret.
func (s *storage) AuthorizeClientIDSecret(ctx context.Context, clientID, secret string) error {
	_, err := s.p.authenticateApp(ctx, clientID, secret)
	return err
}

// ClientCredentials authenticates a confidential app for client_credentials.
func (s *storage) ClientCredentials(ctx context.Context, clientID, secret string) (op.Client, error) {
	a, err := s.p.authenticateApp(ctx, clientID, secret)
	if err != nil {
		return nil, err
	}
	return jwtClient{s.p.newClient(a)}, nil
}

// ClientCredentialsTokenRequest checks the requested resource (scope).
func (s *storage) ClientCredentialsTokenRequest(ctx context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	return s.p.appTokenRequest(ctx, clientID, scopes)
}

// SetUserinfoFromScopes is deprecated in the library; SetUserinfoFromRequest fills the ID token.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's user claims: those of
// userinfo, and the roles and groups claims of the user for the app.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, _ []string) error {
	var uc userClaims
	var memo *accessMemo
	switch r := req.(type) {
	case *authRequest:
		memo = &r.access
		uc = userClaims{tenantID: r.rec.TenantID, clientID: r.rec.ClientID, userID: r.rec.UserID, idp: r.rec.IdP, authTime: r.rec.AuthTime, live: r.live, access: memo}
	case *refreshRequest:
		memo = &r.access
		uc = userClaims{tenantID: r.rec.TenantID, clientID: r.rec.ClientID, userID: r.rec.UserID, idp: r.rec.IdP, authTime: r.rec.AuthTime, live: r.live, access: memo}
	default:
		return oidc.ErrServerError().WithParent(fmt.Errorf("ID token for unexpected request %T", req))
	}
	if err := s.p.fillUserinfo(ctx, info, uc); err != nil {
		return err
	}
	// The ID token, unlike userinfo, carries roles and groups (R16).
	c, err := s.p.appAccessClaims(ctx, memo, uc.tenantID, uc.clientID, uc.userID)
	if err != nil {
		return err
	}
	for k, v := range c {
		info.AppendClaims(k, v)
	}
	return nil
}

// SetUserinfoFromToken is not used: server.UserInfo verifies the token itself.
func (s *storage) SetUserinfoFromToken(context.Context, *oidc.UserInfo, string, string, string) error {
	return oidc.ErrAccessDenied()
}

// SetIntrospectionFromToken: the introspection endpoint is not served.
func (s *storage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return oidc.ErrAccessDenied()
}

// GetPrivateClaimsFromScopes is superseded by GetPrivateClaimsFromRequest.
func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// GetPrivateClaimsFromRequest returns an access token's private claims.
func (s *storage) GetPrivateClaimsFromRequest(ctx context.Context, req op.TokenRequest, _ []string) (map[string]any, error) {
	return s.p.accessClaims(ctx, req)
}

// GetKeyByIDAndClientID: private_key_jwt and the JWT profile grant are not supported.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, oidc.ErrInvalidClient().WithDescription("private_key_jwt is not supported")
}

// ValidateJWTProfileScopes: the JWT profile grant is not supported.
func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, oidc.ErrUnsupportedGrantType()
}

// Health reports the storage as healthy; guestgate's /readyz pings the database.
func (s *storage) Health(context.Context) error { return nil }

// liveAuthRequest returns an unexpired request of the tenant in ctx.
func (p *Provider) liveAuthRequest(ctx context.Context, id string) (AuthRequestRecord, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return AuthRequestRecord{}, oidc.ErrServerError().WithParent(err)
	}
	notFound := oidc.ErrInvalidRequest().WithDescription("The sign-in request was not found or has expired.").
		WithParent(ErrAuthRequestNotFound)
	if isPendingHandle(id) {
		rec, err := p.pending.open(tid, id, p.clock.Now())
		if err != nil {
			return AuthRequestRecord{}, notFound
		}
		return rec, nil
	}
	rec, err := p.deps.AuthRequests.GetOIDCAuthRequest(ctx, tid, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !rec.ExpiresAt.After(p.clock.Now()) {
		return AuthRequestRecord{}, notFound
	}
	if err != nil {
		return AuthRequestRecord{}, oidc.ErrServerError().WithParent(fmt.Errorf("get auth request: %w", err))
	}
	return rec, nil
}
