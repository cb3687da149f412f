package server

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/web"
)

// buildOIDC builds the provider. Its access checks and RP-initiated
// logouts go to the sign-in service and the pages, which are built after
// it (they need the provider): the bind it returns connects them, and
// build must call it once they exist (a bind left uncalled does not
// compile: its variable would be unused). Until bound, and if bound to
// nothing, both refuse: a wiring mistake fails closed.
func (s *Server) buildOIDC() (bind func(pages *web.Handler, signins *signin.Service), err error) {
	keys := s.cfg.subkeys("oidc")
	var key [32]byte
	copy(key[:], keys[0])
	var old [][32]byte
	for _, k := range keys[1:] {
		var o [32]byte
		copy(o[:], k)
		old = append(old, o)
	}
	s.oidcSessions = &sessionEnder{}
	s.oidcAccess = &accessChecker{}
	p, err := oidc.NewProvider(
		oidc.Config{PublicURL: s.cfg.PublicURL, Insecure: s.cfg.insecure(), CryptoKey: key, OldCryptoKeys: old,
			AdminOnly: s.cfg.adminOnly, RefreshTokenLifetime: s.cfg.SessionLifetime},
		oidc.Deps{Apps: s.db, Keys: s.db, AuthRequests: s.db, Directory: s.db, Salts: s.db, Tx: s.db, Clock: s.clock, Log: s.log,
			Sessions: s.oidcSessions, Access: s.oidcAccess},
	)
	if err != nil {
		return nil, err
	}
	s.oidc = p
	return func(pages *web.Handler, signins *signin.Service) {
		s.oidcSessions.web, s.oidcAccess.signin = pages, signins
	}, nil
}

// errNotWired: a forwarder was used before build bound it to its target.
var errNotWired = errors.New("the server's wiring left this unbound")

// oidcWired reports a forwarder build left unbound.
func (s *Server) oidcWired() error {
	if s.oidcSessions == nil || s.oidcSessions.web == nil {
		return fmt.Errorf("oidc logout: %w", errNotWired)
	}
	if s.oidcAccess == nil || s.oidcAccess.signin == nil {
		return fmt.Errorf("oidc access check: %w", errNotWired)
	}
	return nil
}

// sessionEnder forwards RP-initiated logout to the pages, which own the
// session cookie (the pages are built after the provider). Unbound, it
// refuses: a logout must never leave the session silently.
type sessionEnder struct{ web *web.Handler }

func (e *sessionEnder) EndBrowserSession(w http.ResponseWriter, r *http.Request, tenantID string) error {
	if e.web == nil {
		return fmt.Errorf("end browser session: %w", errNotWired)
	}
	return e.web.EndBrowserSession(w, r, tenantID)
}

// accessChecker forwards the provider's access checks to the sign-in
// service (built after the provider), marking its refusals for the
// provider. Unbound, it refuses every grant (a server error, never a
// pass).
type accessChecker struct{ signin *signin.Service }

func (a *accessChecker) Allowed(ctx context.Context, t directory.Tenant, u directory.User) error {
	if a.signin == nil {
		return fmt.Errorf("access check: %w", errNotWired)
	}
	err := a.signin.AllowedUser(ctx, t, u)
	if err != nil && signin.IsRefusal(err) {
		return fmt.Errorf("%w: %w", oidc.ErrAccessEnded, &oidc.Refusal{Code: signin.ErrorCode(err), Err: err})
	}
	return err
}

// loginBridge adapts the provider to the pages' LoginBridge.
type loginBridge struct{ p *oidc.Provider }

func (b loginBridge) AuthRequest(ctx context.Context, tenantID, id string) (signin.AuthRequest, error) {
	info, err := b.p.AuthRequest(ctx, tenantID, id)
	if err != nil {
		return signin.AuthRequest{}, requestGone(err)
	}
	return signin.AuthRequest{AppID: info.ClientID, AppName: info.AppName, LoginHint: info.LoginHint, ForceLogin: info.ForceLogin(), PromptNone: info.PromptNone(), MaxAge: info.MaxAge}, nil
}

// Complete completes the request; one completed before (in this browser
// or another) is the stale-request page, never a second code nor a 500.
func (b loginBridge) Complete(ctx context.Context, tenantID, id string, s session.Session) (string, error) {
	u, err := b.p.CompleteAuthRequest(ctx, tenantID, id, oidc.Login{
		UserID: s.UserID, AuthTime: s.AuthTime, AMR: s.AMR, IdP: s.IdP, SessionID: hex.EncodeToString(s.IDHash),
	})
	return u, requestGone(err)
}

func (b loginBridge) Fail(ctx context.Context, tenantID, id, code string) (string, error) {
	u, err := b.p.FailAuthRequest(ctx, tenantID, id, code, "")
	return u, requestGone(err)
}

// requestGone marks a request that expired, never existed or was already
// completed as signin.ErrUnknownAuthRequest (the pages' stale-request
// page, 400); other errors pass unchanged.
func requestGone(err error) error {
	if errors.Is(err, oidc.ErrAuthRequestNotFound) || errors.Is(err, oidc.ErrAuthRequestDone) {
		return fmt.Errorf("%w: %w", signin.ErrUnknownAuthRequest, err)
	}
	return err
}

// tokenVerifier adapts the provider to the admin API. The tenant is the
// token's tid; the provider then checks the token against that tenant's
// issuer and keys, so an unverified tid cannot pick a tenant.
type tokenVerifier struct {
	p *oidc.Provider
	// dir and roles complete a delegated token's caller: the user and
	// the user's directory roles, read at every request so that a role
	// taken away stops working at once.
	dir   directory.Store
	roles *roles.Service
}

func (v tokenVerifier) VerifyAccessToken(ctx context.Context, raw string) (graph.Caller, error) {
	tid, err := unverifiedTenant(raw)
	if err != nil {
		return graph.Caller{}, err
	}
	c, err := v.p.VerifyAccessToken(ctx, tid, raw)
	if err != nil {
		return graph.Caller{}, err
	}
	caller := graph.Caller{TenantID: c.TenantID, AppID: c.AppID, Roles: c.Roles}
	if c.UserID == "" {
		return caller, nil
	}
	if caller.User, err = v.dir.GetUser(ctx, c.TenantID, c.UserID); err != nil {
		return graph.Caller{}, fmt.Errorf("delegated token's user: %w", err)
	}
	caller.Scopes = c.Scopes
	if caller.DirectoryRoles, err = v.roles.RolesOf(ctx, c.TenantID, c.UserID); err != nil {
		return graph.Caller{}, err
	}
	return caller, nil
}

func unverifiedTenant(raw string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", errors.New("access token is not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", errors.New("access token payload is not base64url")
	}
	var claims struct {
		TID string `json:"tid"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.TID == "" {
		return "", errors.New("access token has no tid")
	}
	return claims.TID, nil
}
