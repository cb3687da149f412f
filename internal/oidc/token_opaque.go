package oidc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Access tokens of signed-in users are opaque: the code flow grants only
// OpenID scopes, so such a token is good for nothing but userinfo, and an
// RS256 signature per sign-in was a fifth of a sign-in's CPU (see
// docs/performance.md). The token is the library's bearer token: the
// token id and subject sealed with AES-GCM under the provider's crypto key.
// The token id carries what userinfo needs, so no store look-up or write
// is made. Apps' client-credentials tokens for the admin API stay JWTs.

// opaqueClaims are the claims a user's opaque access token carries.
type opaqueClaims struct {
	ID       string `json:"jti"`
	TenantID string `json:"tid"`
	AppID    string `json:"appid"`
	ObjectID string `json:"oid"`
	IdP      string `json:"idp,omitempty"`
	Expiry   int64  `json:"exp"`
	// AuthTime is when the user signed in, in unix microseconds: userinfo
	// refuses the token once the user's access was ended after it.
	AuthTime int64 `json:"auth_us,omitempty"`
	// FamilyID is the authorization the token was issued from: userinfo
	// refuses it once that was revoked (a code replay, a refresh reuse).
	FamilyID string `json:"fam,omitempty"`
}

// userTokenID encodes a user access token's claims as its token id.
func userTokenID(tenantID, appID, userID, idp, familyID string, authTime time.Time, exp int64) string {
	var at int64
	if !authTime.IsZero() {
		at = authTime.UnixMicro()
	}
	b, _ := json.Marshal(opaqueClaims{ID: uuid.NewString(), TenantID: tenantID, AppID: appID, ObjectID: userID, IdP: idp,
		Expiry: exp, AuthTime: at, FamilyID: familyID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// isJWT tells a signed token (three dot-separated parts) from an opaque one.
func isJWT(raw string) bool { return strings.Count(raw, ".") == 2 }

// opaqueTokenClaims opens an opaque access token into the claims a JWT
// would carry, for the same checks.
func (p *Provider) opaqueTokenClaims(raw string) (accessTokenClaims, error) {
	var c accessTokenClaims
	plain, err := p.op.Crypto().Decrypt(raw)
	if err != nil {
		return c, fmt.Errorf("%w: malformed", ErrInvalidToken)
	}
	tokenID, subject, ok := strings.Cut(plain, ":")
	if !ok {
		return c, fmt.Errorf("%w: malformed", ErrInvalidToken)
	}
	b, err := base64.RawURLEncoding.DecodeString(tokenID)
	var oc opaqueClaims
	if err != nil || json.Unmarshal(b, &oc) != nil || oc.ObjectID == "" {
		return c, fmt.Errorf("%w: not a user token", ErrInvalidToken)
	}
	return accessTokenClaims{
		Issuer: p.Issuer(oc.TenantID), Subject: subject, Audience: []string{oc.AppID}, Expiry: oc.Expiry,
		TenantID: oc.TenantID, AppID: oc.AppID, ObjectID: oc.ObjectID, IDType: idTypeUser, IdP: oc.IdP,
		AuthTime: authTimeOf(oc.AuthTime), FamilyID: oc.FamilyID,
	}, nil
}

// authTimeOf converts unix microseconds; 0 (a token from before auth
// times were carried) is the zero time, which any revocation kills.
func authTimeOf(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// jwtClient is an app authenticating for client credentials: its token
// for the admin API is a JWT, verifiable without the provider's key.
type jwtClient struct{ *client }

func (jwtClient) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeJWT }
