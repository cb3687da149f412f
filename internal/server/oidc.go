package server

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/web"
)

// oidcProvider builds the provider's endpoints over its core, once the
// pages (which own the browser session ended at logout) and the sign-in
// service (asked wherever a grant is used) exist. Each is a constructor
// argument: a missing one is an error at start, never an open door.
func oidcProvider(core *oidc.Core, pages *web.Handler, signins *signin.Service) (*oidc.Provider, error) {
	access, err := newAccessChecker(signins)
	if err != nil {
		return nil, err
	}
	if pages == nil {
		return nil, errors.New("oidc logout: the pages are missing")
	}
	return oidc.NewProviderOver(core, pages, access)
}

// accessChecker puts the provider's access checks to the sign-in service,
// marking its refusals for the provider.
type accessChecker struct{ signin *signin.Service }

// newAccessChecker refuses to build a check over no sign-in service.
func newAccessChecker(s *signin.Service) (accessChecker, error) {
	if s == nil {
		return accessChecker{}, errors.New("oidc access check: the sign-in service is missing")
	}
	return accessChecker{signin: s}, nil
}

func (a accessChecker) Allowed(ctx context.Context, t directory.Tenant, u directory.User, appID string, access assignment.Access) error {
	err := a.signin.AllowedUser(ctx, t, u, appID, access)
	if err != nil && signin.IsRefusal(err) {
		return fmt.Errorf("%w: %w", oidc.ErrAccessEnded, &oidc.Refusal{Code: signin.ErrorCode(err), Err: err})
	}
	return err
}

// loginBridge adapts the provider's core to the sign-in service's LoginBridge.
type loginBridge struct{ p *oidc.Core }

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
