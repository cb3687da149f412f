package oidc

import (
	"context"
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/guestgate/guestgate/internal/directory"
)

// authRequest adapts a stored request to the library's op.AuthRequest.
type authRequest struct {
	rec     AuthRequestRecord
	handle  string // the sealed pending request, from CreateAuthRequest
	subject string // pairwise subject once done
	// refreshToken is set by the code exchange, which creates the refresh
	// token in the transaction that redeems the code.
	refreshToken string
	// access is the user's access to the app, read once per exchange.
	access accessMemo
	// live is the access re-check of the code exchange, made in the
	// transaction that redeems the code; the ID token's claims use its user.
	live *liveUserResult
}

// liveUserResult is what liveUser answered: the user, or why not.
type liveUserResult struct {
	user directory.User
	err  error
}

var (
	_ op.AuthRequest         = (*authRequest)(nil)
	_ op.RefreshTokenRequest = (*refreshRequest)(nil)
	_ op.TokenRequest        = (*appTokenRequest)(nil)
)

func (p *Provider) newAuthRequest(ctx context.Context, rec AuthRequestRecord) (*authRequest, error) {
	ar := &authRequest{rec: rec}
	if rec.Done() {
		var err error
		if ar.subject, err = p.pairwiseSubject(ctx, rec.TenantID, rec.ClientID, rec.UserID); err != nil {
			return nil, oidc.ErrServerError().WithParent(err)
		}
	}
	return ar, nil
}

// GetID is the handle of a request just created (the library sends the
// browser to the login page with it), else the stored request's id (the
// library seals it into the authorization code).
func (a *authRequest) GetID() string {
	if a.handle != "" {
		return a.handle
	}
	return a.rec.ID
}

func (a *authRequest) GetACR() string   { return "" }
func (a *authRequest) GetAMR() []string { return a.rec.AMR }
func (a *authRequest) GetAudience() []string {
	if len(graphScopes(a.rec.Scopes)) > 0 {
		return []string{a.rec.ClientID, graphResource}
	}
	return []string{a.rec.ClientID}
}
func (a *authRequest) GetAuthTime() time.Time { return a.rec.AuthTime }
func (a *authRequest) GetClientID() string    { return a.rec.ClientID }
func (a *authRequest) GetNonce() string       { return a.rec.Nonce }
func (a *authRequest) GetRedirectURI() string { return a.rec.RedirectURI }
func (a *authRequest) GetScopes() []string    { return a.rec.Scopes }
func (a *authRequest) GetState() string       { return a.rec.State }
func (a *authRequest) GetSubject() string     { return a.subject }
func (a *authRequest) Done() bool             { return a.rec.Done() }
func (a *authRequest) GetResponseType() oidc.ResponseType {
	return oidc.ResponseType(a.rec.ResponseType)
}
func (a *authRequest) GetResponseMode() oidc.ResponseMode {
	return oidc.ResponseMode(a.rec.ResponseMode)
}
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	if a.rec.CodeChallenge == "" {
		return nil
	}
	return &oidc.CodeChallenge{
		Challenge: a.rec.CodeChallenge,
		Method:    oidc.CodeChallengeMethod(a.rec.CodeChallengeMethod),
	}
}

// wantsOffline reports whether the request asked for a refresh token.
func (a *authRequest) wantsOffline() bool {
	return slices.Contains(a.rec.Scopes, oidc.ScopeOfflineAccess)
}

// refreshRequest adapts a stored refresh token to op.RefreshTokenRequest.
type refreshRequest struct {
	rec     RefreshTokenRecord
	subject string
	scopes  []string // narrowed by the client, if it asked for fewer
	access  accessMemo
	// live is the access re-check made when the token was looked up
	// (liveRefreshToken); the new ID token's claims use its user.
	live *liveUserResult
}

func (p *Provider) newRefreshRequest(ctx context.Context, rec RefreshTokenRecord) (*refreshRequest, error) {
	sub, err := p.pairwiseSubject(ctx, rec.TenantID, rec.ClientID, rec.UserID)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	return &refreshRequest{rec: rec, subject: sub, scopes: rec.Scopes}, nil
}

func (r *refreshRequest) GetAMR() []string            { return r.rec.AMR }
func (r *refreshRequest) GetAudience() []string       { return []string{r.rec.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.rec.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.rec.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.subject }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }

// appTokenRequest is a client-credentials request: the app acts as itself
// towards a resource (guestgate's admin API).
type appTokenRequest struct {
	app      App
	resource string // the token's audience
	scope    string
}

func (r *appTokenRequest) GetSubject() string    { return r.app.AppID }
func (r *appTokenRequest) GetAudience() []string { return []string{r.resource} }
func (r *appTokenRequest) GetScopes() []string   { return []string{r.scope} }
