package oidc

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// BrowserSessionEnder ends guestgate's own browser session (the web
// package's cookie) when an app signs the user out (RP-initiated logout). It
// runs after the logout request was validated and before the redirect, so it
// may set cookies on w.
type BrowserSessionEnder interface {
	EndBrowserSession(w http.ResponseWriter, r *http.Request, tenantID string) error
}

type logoutKey struct{}

// logoutRequest is the HTTP exchange of a logout, for BrowserSessionEnder.
type logoutRequest struct {
	w        http.ResponseWriter
	r        *http.Request
	tenantID string
}

func withLogoutRequest(ctx context.Context, w http.ResponseWriter, r *http.Request, tenantID string) context.Context {
	return context.WithValue(ctx, logoutKey{}, &logoutRequest{w: w, r: r, tenantID: tenantID})
}

// endSession runs after the library validated the logout request: the
// id_token_hint's signature and the post_logout_redirect_uri against the
// app's registration (exact match). With an id_token_hint it deletes the
// user's refresh tokens for the app, ends the browser session, and returns
// where the browser goes: the validated post_logout_redirect_uri (with
// state), else the tenant's "You signed out" page. Without one it ends nothing and
// sends the browser to the tenant's sign-out page, which asks first.
func (p *Provider) endSession(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return "", oidc.ErrServerError().WithParent(err)
	}
	if req.IDTokenHintClaims == nil {
		// Nothing proves the app the user signed in to asked for this (a
		// client_id and its redirect URIs are public): a cross-site link
		// must not sign anyone out silently. The tenant's sign-out page
		// asks the user, and offers the validated way back afterwards.
		confirm := p.tenantURL(tid, "/signout")
		if u, err := url.Parse(req.RedirectURI); err == nil && u.IsAbs() {
			confirm += "?" + url.Values{"post_logout_redirect_uri": {req.RedirectURI}}.Encode()
		}
		p.deps.Log.InfoContext(ctx, "oidc logout without id_token_hint: asking the user", "tenant", tid, "client_id", req.ClientID)
		return confirm, nil
	}
	if req.ClientID != "" {
		if oid, _ := req.IDTokenHintClaims.Claims[claimObjectID].(string); oid != "" {
			if err := p.deps.AuthRequests.DeleteOIDCRefreshTokens(ctx, tid, req.ClientID, oid); err != nil {
				return "", oidc.ErrServerError().WithParent(fmt.Errorf("logout: %w", err))
			}
		}
	}
	if lr, ok := ctx.Value(logoutKey{}).(*logoutRequest); ok {
		if err := p.sessions.EndBrowserSession(lr.w, lr.r, tid); err != nil {
			return "", oidc.ErrServerError().WithParent(fmt.Errorf("logout: end browser session: %w", err))
		}
	}
	redirect := req.RedirectURI
	if u, err := url.Parse(redirect); err != nil || !u.IsAbs() {
		// No (validated) post_logout_redirect_uri: the library may have left
		// only "?state=…"; land on the tenant's "You signed out" page.
		redirect = p.tenantURL(tid, "/signedout")
	}
	p.deps.Log.InfoContext(ctx, "oidc logout", "tenant", tid, "client_id", req.ClientID)
	return redirect, nil
}
