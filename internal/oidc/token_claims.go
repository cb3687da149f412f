package oidc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// Claim names beyond the standard ones (Entra ID spelling).
const (
	claimTenantID = "tid"
	claimObjectID = "oid"
	claimIdP      = "idp"
	claimAppID    = "appid"
	claimRoles    = "roles"
	claimScopes   = "scp"
	claimIDType   = "idtyp"
	claimVersion  = "ver"
	claimAuthUS   = "auth_us"
	claimFamily   = "fam"

	idTypeApp  = "app"
	idTypeUser = "user"
)

// Resources a client-credentials token may be issued for: guestgate's admin
// API under Microsoft Graph's name (so Graph SDKs work unchanged), or under
// the deployment's public URL.
const graphResource = "https://graph.microsoft.com"

var supportedScopes = []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopeOfflineAccess}

var supportedClaims = []string{
	"iss", "sub", "aud", "exp", "iat", "nbf", "auth_time", "nonce", "amr", "azp", "at_hash", "c_hash",
	"name", "preferred_username", "email", "email_verified",
	claimTenantID, claimObjectID, claimIdP, claimVersion,
}

// pairwiseSubject is the user's sub for one app: the same user has a
// different, stable sub at each app, as in Entra ID. It is keyed by the
// tenant's subject salt (secrets.go), never directly by the secret.
func (p *Provider) pairwiseSubject(ctx context.Context, tenantID, appID, userID string) (string, error) {
	key, err := p.subjectKey(ctx, tenantID)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(tenantID + "|" + appID + "|" + userID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// userClaims is what ID tokens and userinfo say about a signed-in user,
// and when the user signed in.
type userClaims struct {
	tenantID, clientID, userID, idp string
	authTime                        time.Time
	live                            *liveUserResult // the re-check made already, if any
	// access keeps the request's one read of the user's access to the
	// app (nil: the caller keeps none, a read of its own).
	access *accessMemo
}

// fillUserinfo writes the user's claims into info. It reads the user
// anyway, so it is where grants die with the user's access: a user no
// longer in the directory (deleted), disabled, or whose access was ended
// after the sign-in (directory.TokensRevoked) is invalid_grant. Code
// exchanges, refreshes and userinfo all pass here.
func (p *Provider) fillUserinfo(ctx context.Context, info *oidc.UserInfo, uc userClaims) error {
	var (
		u   directory.User
		err error
	)
	if uc.live != nil {
		u, err = uc.live.user, uc.live.err
	} else {
		memo := uc.access
		if memo == nil {
			memo = &accessMemo{}
		}
		u, err = p.liveUser(ctx, memo, uc.tenantID, uc.clientID, uc.userID, uc.authTime)
	}
	if err != nil {
		return err
	}
	if info.Subject, err = p.pairwiseSubject(ctx, uc.tenantID, uc.clientID, uc.userID); err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	info.Name = u.DisplayName
	info.PreferredUsername = u.Mail
	if info.PreferredUsername == "" {
		info.PreferredUsername = u.UserPrincipalName
	}
	info.Email = u.Mail
	idp := idpClaim(uc.idp, u)
	// A passcode proves the mailbox (DESIGN section 6).
	info.EmailVerified = oidc.Bool(idp == string(directory.IdPMail) && u.Mail != "")
	info.AppendClaims(claimTenantID, uc.tenantID)
	info.AppendClaims(claimObjectID, u.ID)
	if idp != "" {
		info.AppendClaims(claimIdP, idp)
	}
	info.AppendClaims(claimVersion, "2.0")
	return nil
}

// liveUser returns the user of a grant of the app clientID from a sign-in
// at authTime, or invalid_grant when the user was deleted or disabled or
// its access was ended since, or when Deps.Access no longer allows the
// user in to that app (e.g. a passcode guest after passcodes were turned
// off, R9; a user no longer assigned to an app that requires it, R16).
// The user's access to the app is read into memo, where the token's roles
// and groups claims find it: one read serves the check and the claims.
func (p *Provider) liveUser(ctx context.Context, memo *accessMemo, tenantID, clientID, userID string, authTime time.Time) (directory.User, error) {
	u, err := p.deps.Directory.GetUser(ctx, tenantID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return u, refuseGrant(ctx, oidc.ErrInvalidGrant().WithDescription("AADSTS%d: The user no longer exists in this tenant.", codeUserNotFound).
			WithParent(fmt.Errorf("get user: %w", err)))
	}
	if err != nil {
		return u, oidc.ErrServerError().WithParent(fmt.Errorf("get user: %w", err))
	}
	if !u.AccountEnabled {
		return u, refuseGrant(ctx, oidc.ErrInvalidGrant().WithDescription("AADSTS%d: The user's account is disabled.", codeUserDisabled))
	}
	if directory.TokensRevoked(u, authTime) {
		return u, refuseGrant(ctx, oidc.ErrInvalidGrant().WithDescription("AADSTS%d: The user's sign-in sessions were revoked; sign in again.", codeRevokedGrant))
	}
	t, ok := TenantFromContext(ctx)
	if !ok || t.ID != tenantID {
		if t, err = p.deps.Directory.GetTenant(ctx, tenantID); err != nil {
			return u, oidc.ErrServerError().WithParent(fmt.Errorf("access check: tenant: %w", err))
		}
	}
	a, err := p.readAccess(ctx, memo, tenantID, clientID, userID)
	if err != nil {
		return u, err
	}
	if err := p.access.Allowed(ctx, t, u, clientID, a); err != nil {
		if !errors.Is(err, ErrAccessEnded) {
			return u, oidc.ErrServerError().WithParent(fmt.Errorf("access check: %w", err))
		}
		var ref *Refusal
		if errors.As(err, &ref) && ref.Code != 0 {
			return u, refuseGrant(ctx, oidc.ErrInvalidGrant().WithDescription("AADSTS%d: %s", ref.Code, ref.Err.Error()).WithParent(err))
		}
		return u, refuseGrant(ctx, oidc.ErrInvalidGrant().WithDescription("%s", err.Error()).WithParent(err))
	}
	return u, nil
}

// idpClaim is "mail" for passcode sign-ins, else the issuer of the
// identity provider the user signed in with; empty for a tenant's own
// members, whose issuer is the token's.
func idpClaim(loginIdP string, u directory.User) string {
	if loginIdP == string(directory.IdPMail) || (loginIdP == "" && u.IdP == directory.IdPMail) {
		return string(directory.IdPMail)
	}
	if u.IdPIssuer != "" {
		return u.IdPIssuer
	}
	return loginIdP
}

// accessClaims are the private claims of an access token.
func (p *Provider) accessClaims(ctx context.Context, req any) (map[string]any, error) {
	switch r := req.(type) {
	case *appTokenRequest:
		c := map[string]any{
			claimTenantID: r.app.TenantID,
			claimAppID:    r.app.AppID,
			claimIDType:   idTypeApp,
			claimVersion:  "2.0",
		}
		if len(r.app.Permissions) > 0 {
			c[claimRoles] = r.app.Permissions
		}
		return c, nil
	case *authRequest:
		c := userAccessClaims(r.rec.TenantID, r.rec.ClientID, r.rec.UserID, r.rec.IdP, tokenScopes(r.rec.Scopes))
		if len(graphScopes(r.rec.Scopes)) > 0 {
			// A delegated Graph token carries what the admin API checks
			// against revocation: the sign-in time and the grant.
			c[claimAuthUS] = r.rec.AuthTime.UnixMicro()
			c[claimFamily] = r.rec.ID
		}
		return p.withAppClaims(ctx, c, &r.access, r.rec.TenantID, r.rec.ClientID, r.rec.UserID)
	case *refreshRequest:
		c := userAccessClaims(r.rec.TenantID, r.rec.ClientID, r.rec.UserID, r.rec.IdP, r.scopes)
		return p.withAppClaims(ctx, c, &r.access, r.rec.TenantID, r.rec.ClientID, r.rec.UserID)
	default:
		return nil, oidc.ErrServerError().WithParent(fmt.Errorf("access token for unexpected request %T", req))
	}
}

// withAppClaims adds the user's roles and groups claims for the app to a
// user's access token (a JWT one: opaque tokens carry no claims an app
// could read), from the read the ID token shares (memo).
func (p *Provider) withAppClaims(ctx context.Context, c map[string]any, memo *accessMemo, tenantID, appID, userID string) (map[string]any, error) {
	ac, err := p.appAccessClaims(ctx, memo, tenantID, appID, userID)
	if err != nil {
		return nil, err
	}
	for k, v := range ac {
		c[k] = v
	}
	return c, nil
}

func userAccessClaims(tenantID, clientID, userID, idp string, scopes []string) map[string]any {
	c := map[string]any{
		claimTenantID: tenantID,
		claimObjectID: userID,
		claimAppID:    clientID,
		claimIDType:   idTypeUser,
		claimScopes:   strings.Join(scopes, " "),
		claimVersion:  "2.0",
	}
	if idp != "" {
		c[claimIdP] = idp
	}
	return c
}
