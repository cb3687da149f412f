package oidc

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"github.com/guestgate/guestgate/internal/store"
)

// CodeExchange redeems an authorization code: parse, validate, exchange.
// The redemption spends the request's code with a conditional UPDATE that
// returns the request, in the same transaction that creates the refresh
// token, if any: of concurrent exchanges of one code exactly one succeeds.
// Everything that can fail because of the request (PKCE, client, redirect
// URI) is checked against what the UPDATE returned, and a refusal rolls
// the transaction back, so a client's mistake does not burn the code. The
// spent request stays, so its pending handle cannot complete again.
func (s *server) CodeExchange(ctx context.Context, r *op.ClientRequest[oidc.AccessTokenRequest]) (*op.Response, error) {
	p := s.p
	ctx = withClientAlg(ctx, r.Client)
	var (
		ar        *authRequest
		refused   error // the request's fault or the user's refusal: nothing to roll back for
		delegated bool
	)
	errRefused := errors.New("code exchange refused")
	err := p.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		if ar, delegated, refused = p.redeemCode(ctx, r); refused != nil {
			return errRefused // rolls the redemption back: the code is not burnt
		}
		return p.redeem(ctx, ar, r.Client, delegated)
	})
	var replay *codeReplayError
	switch {
	case errors.Is(err, errRefused) && errors.As(refused, &replay):
		return nil, p.codeReplayed(ctx, replay.tenantID, replay.id)
	case errors.Is(err, errRefused):
		return nil, refused
	case err != nil:
		// (A concurrent exchange of the same code that won is a replay,
		// found by redeemCode: refused, above.)
		return nil, oidc.ErrServerError().WithParent(fmt.Errorf("redeem code: %w", err))
	case ar.live.err != nil:
		// The code is spent: a user refused now signs in again.
		return nil, ar.live.err
	}
	var client op.Client = r.Client
	if delegated {
		client = jwtAccessClient{client}
	}
	resp, err := op.CreateTokenResponse(withRedeemed(ctx, ar.rec.ID), ar, client, p.op, true, r.Data.Code, "")
	if err != nil {
		return nil, err
	}
	return op.NewResponse(resp), nil
}

// redeemCode spends the code's request (a conditional UPDATE that returns
// it: one statement, not a read and then the UPDATE) and checks the
// exchange against it (PKCE, client, redirect URI). An error here is the
// request's, and the caller rolls the transaction back, so a client's
// mistake does not burn the code. A code that cannot be spent is read
// again to say why: a genuine code whose request was redeemed already is a
// *codeReplayError.
func (p *Provider) redeemCode(ctx context.Context, r *op.ClientRequest[oidc.AccessTokenRequest]) (*authRequest, bool, error) {
	tid, id, err := p.openCode(ctx, r.Data.Code)
	if err != nil {
		return nil, false, err
	}
	rec, err := p.deps.AuthRequests.ConsumeOIDCAuthRequest(ctx, tid, id, p.clock.Now())
	if errors.Is(err, store.ErrNotFound) {
		if _, err = p.requestForCode(ctx, r.Data.Code); err == nil {
			// Live when read again: it expired between the two statements.
			err = errInvalidCode()
		}
		return nil, false, err
	}
	if err != nil {
		return nil, false, oidc.ErrServerError().WithParent(fmt.Errorf("redeem code: %w", err))
	}
	ar, err := p.newAuthRequest(ctx, rec)
	if err != nil {
		return nil, false, err
	}
	// Always check PKCE: a request made with a code_challenge needs the verifier,
	// also from a confidential client.
	if err := op.AuthorizeCodeChallenge(r.Data.CodeVerifier, ar.GetCodeChallenge()); err != nil {
		return nil, false, err
	}
	if r.Client.GetID() != rec.ClientID {
		return nil, false, oidc.ErrInvalidGrant().WithDescription("The code was issued to another client.")
	}
	if r.Data.RedirectURI != rec.RedirectURI {
		return nil, false, oidc.ErrInvalidGrant().WithDescription("redirect_uri does not correspond")
	}
	return ar, len(graphScopes(ar.rec.Scopes)) > 0, nil
}

// redeem creates the refresh token of ar's redeemed request if one is due,
// and re-checks the user's access (liveUser) and reads the user's access
// to the app for the roles and groups claims, all in the transaction of
// the caller that redeemed the code: one round trip to the database for
// the lot. A refused user is kept in ar.live (the code stays spent); only
// a failure rolls back.
func (p *Provider) redeem(ctx context.Context, ar *authRequest, client op.Client, delegated bool) error {
	rec := ar.rec
	wantRefresh := ar.wantsOffline() && op.ValidateGrantType(client, oidc.GrantTypeRefreshToken) && !delegated
	ar.refreshToken, ar.access, ar.live = "", accessMemo{}, nil
	if wantRefresh {
		var err error
		if ar.refreshToken, err = p.createRefreshToken(ctx, refreshFromAuthRequest(rec)); err != nil {
			return err
		}
	}
	if (wantRefresh && ar.refreshToken == "") || delegated {
		// The session already ended: no refresh token, and the library must not ask for one.
		ar.rec.Scopes = slices.DeleteFunc(slices.Clone(ar.rec.Scopes), func(s string) bool { return s == oidc.ScopeOfflineAccess })
	}
	// One read of the user's access to the app (ar.access) serves the
	// check and the roles and groups claims.
	u, err := p.liveUser(ctx, &ar.access, rec.TenantID, rec.ClientID, rec.UserID, rec.AuthTime)
	if isServerError(err) {
		return err
	}
	ar.live = &liveUserResult{user: u, err: err}
	return nil
}

// isServerError reports an error that is a failure rather than a refusal.
func isServerError(err error) bool {
	var oe *oidc.Error
	return err != nil && (!errors.As(err, &oe) || oe.ErrorType == oidc.ServerError)
}

// codeReplayed answers a code presented again after its redemption (RFC
// 6749 section 4.1.2: the tokens issued from it are revoked). A code is the
// sealed id of its request, which is also the family id of the tokens
// issued from it, so they are found without storing codes. A code whose
// request expired unredeemed has no tokens: revoking them changes nothing.
func (p *Provider) codeReplayed(ctx context.Context, tenantID, requestID string) error {
	p.deps.Log.WarnContext(ctx, "oidc: authorization code presented again; revoking the tokens issued from it",
		"tenant", tenantID, "family", requestID)
	if err := p.revokeGrant(ctx, tenantID, requestID); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return oidc.ErrInvalidGrant().WithDescription("The code was already redeemed or has expired.")
}

// codeReplayError: a genuine code (it opened) whose request is gone.
type codeReplayError struct{ tenantID, id string }

func (e *codeReplayError) Error() string { return "authorization code already redeemed or expired" }

// requestForCode opens a code and returns its completed, unexpired request
// in the tenant of ctx, without redeeming it. A genuine code whose request
// was redeemed already, or no longer exists, is a *codeReplayError.
func (p *Provider) requestForCode(ctx context.Context, code string) (AuthRequestRecord, error) {
	tid, id, err := p.openCode(ctx, code)
	if err != nil {
		return AuthRequestRecord{}, err
	}
	rec, err := p.deps.AuthRequests.GetOIDCAuthRequest(ctx, tid, id)
	if errors.Is(err, store.ErrNotFound) {
		return AuthRequestRecord{}, &codeReplayError{tenantID: tid, id: id}
	}
	if err != nil {
		return AuthRequestRecord{}, oidc.ErrServerError().WithParent(fmt.Errorf("get auth request: %w", err))
	}
	if rec.Redeemed() {
		return AuthRequestRecord{}, &codeReplayError{tenantID: tid, id: id}
	}
	if !rec.Done() || !rec.ExpiresAt.After(p.clock.Now()) {
		return AuthRequestRecord{}, errInvalidCode()
	}
	return rec, nil
}

// openCode opens a code: the tenant of ctx and the id of its request.
func (p *Provider) openCode(ctx context.Context, code string) (tid, id string, err error) {
	if code == "" {
		return "", "", errInvalidCode()
	}
	if id, err = p.crypto.Decrypt(code); err != nil {
		return "", "", errInvalidCode()
	}
	if tid, err = tenantID(ctx); err != nil {
		return "", "", oidc.ErrServerError().WithParent(err)
	}
	return tid, id, nil
}

// errInvalidCode is the answer to a code that is no code of a live request.
func errInvalidCode() error {
	return oidc.ErrInvalidGrant().WithDescription("The code is invalid, was already redeemed or has expired.")
}

type redeemedKey struct{}

// withRedeemed marks the request id as already deleted by its redemption,
// so the library's DeleteAuthRequest need not write again.
func withRedeemed(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, redeemedKey{}, id)
}

func redeemed(ctx context.Context, id string) bool {
	v, _ := ctx.Value(redeemedKey{}).(string)
	return v != "" && v == id
}
