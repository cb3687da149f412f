package oidc

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// UserInfo answers the claims of the user an access token was issued for.
// The token must be a user token of this tenant, issued to an app of it,
// for a sign-in the user's access was not ended after (fillUserinfo).
func (s *server) UserInfo(ctx context.Context, r *op.Request[oidc.UserInfoRequest]) (*op.Response, error) {
	denied := func() (*op.Response, error) {
		return nil, op.NewStatusError(oidc.ErrAccessDenied().WithDescription("access token invalid"), http.StatusUnauthorized)
	}
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	c, err := s.p.verifyToken(ctx, tid, r.Data.AccessToken)
	if err != nil || c.IDType != idTypeUser || c.ObjectID == "" || c.AppID == "" || !slices.Contains(c.Audience, c.AppID) {
		return denied()
	}
	if err := s.p.appExists(ctx, tid, c.AppID); errors.Is(err, ErrInvalidToken) {
		return denied()
	} else if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if c.FamilyID != "" {
		revoked, err := s.p.deps.AuthRequests.OIDCGrantRevoked(ctx, tid, c.FamilyID)
		if err != nil {
			return nil, oidc.ErrServerError().WithParent(err)
		}
		if revoked {
			return denied()
		}
	}
	info := new(oidc.UserInfo)
	err = s.p.fillUserinfo(ctx, info, userClaims{tenantID: tid, clientID: c.AppID, userID: c.ObjectID, idp: c.IdP, authTime: c.AuthTime})
	if err != nil {
		return denied()
	}
	return op.NewResponse(info), nil
}
