package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/store"
)

// The roles and groups claims of a user's tokens for an app (R16), as
// Entra ID writes them: roles lists the values of the app roles assigned
// to the user, directly or through groups; groups lists the object ids of
// the user's security groups at any depth, only for an app that asked
// (groupMembershipClaims). A user in more groups than a JWT may carry
// (assignment.GroupsOverage) gets Entra's overage indication instead: a
// distributed claim (OpenID Connect Core section 5.6.2) naming the Graph
// action that lists them, getMemberObjects. userinfo carries neither, as
// in Entra ID.
const (
	claimGroups       = "groups"
	claimClaimNames   = "_claim_names"
	claimClaimSources = "_claim_sources"
	groupsSource      = "src1"
)

// appClaims returns the roles and groups claims for a's user, whose
// object id is userID; graphURL is the deployment's Graph root (ending in
// /v1.0) that an overage points to. A claim without a value is left out.
func appClaims(a assignment.Access, graphURL, userID string) map[string]any {
	c := map[string]any{}
	if len(a.Roles) > 0 {
		c[claimRoles] = a.Roles
	}
	switch {
	case !a.GroupsClaim || len(a.Groups) == 0:
	case a.Overage():
		c[claimClaimNames] = map[string]any{claimGroups: groupsSource}
		c[claimClaimSources] = map[string]any{groupsSource: map[string]any{
			"endpoint": graphURL + "/users/" + url.PathEscape(userID) + "/getMemberObjects",
		}}
	default:
		c[claimGroups] = a.Groups
	}
	return c
}

// accessMemo keeps the one read of a user's access to an app that a token
// request makes: the ID token and a JWT access token share it.
type accessMemo struct {
	read   bool
	access assignment.Access
}

// appAccessClaims returns the roles and groups claims of the user of a
// token request for its app, reading the access once per request (memo).
// An app or user gone since the sign-in is invalid_grant.
func (p *Provider) appAccessClaims(ctx context.Context, memo *accessMemo, tenantID, appID, userID string) (map[string]any, error) {
	a, err := p.readAccess(ctx, memo, tenantID, appID, userID)
	if err != nil {
		return nil, err
	}
	return appClaims(a, p.cfg.PublicURL+"/v1.0", userID), nil
}

// readAccess returns the user's access to the app, read once per request
// (memo): the access check (liveUser) and the claims share the read.
func (p *Provider) readAccess(ctx context.Context, memo *accessMemo, tenantID, appID, userID string) (assignment.Access, error) {
	if !memo.read {
		a, err := p.deps.Assignments.Access(ctx, tenantID, appID, userID)
		if errors.Is(err, store.ErrNotFound) {
			return assignment.Access{}, refuseGrant(ctx, oidc.ErrInvalidGrant().WithDescription("The application or the user no longer exists in this tenant.").
				WithParent(fmt.Errorf("read access: %w", err)))
		}
		if err != nil {
			return assignment.Access{}, oidc.ErrServerError().WithParent(fmt.Errorf("read access: %w", err))
		}
		memo.read, memo.access = true, a
	}
	return memo.access, nil
}
