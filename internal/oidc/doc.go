// Package oidc is guestgate's OpenID Connect provider and OAuth 2.0
// authorization server, one per tenant, built on the certified library
// github.com/zitadel/oidc/v3 (package op).
//
// It owns app registrations (OAuth clients), signing keys, authorization
// requests, authorization codes and refresh tokens. It serves, below the
// tenant prefix that guestgate's router strips (DESIGN section 6):
//
//	/v2.0/.well-known/openid-configuration   discovery; the issuer is {PublicURL}/{tenantId}/v2.0
//	/oauth2/v2.0/authorize                    authorization code flow (PKCE S256; required for public clients)
//	/oauth2/v2.0/authorize/callback           where the login page sends the browser when done
//	/oauth2/v2.0/token                        authorization_code, refresh_token, client_credentials
//	/discovery/v2.0/keys                      JWKS
//	/openid/userinfo                          userinfo
//	/oauth2/v2.0/logout                       RP-initiated logout
//
// The router resolves the tenant (by id or verified domain) and passes it in
// the request context (WithTenant); every look-up is scoped by it, so an app
// of one tenant is unknown at another.
//
// Sign-in hand-off: /authorize stores the request and redirects the browser to
// the web package's page /{tenantId}/login?authRequestID={id}. The page reads
// the request (Provider.AuthRequest), signs the user in, then calls
// Provider.CompleteAuthRequest and redirects the browser to the URL it
// returns, where the library issues the code. A page that cannot sign the user
// in silently (prompt=none) calls Provider.FailAuthRequest instead.
//
// Tokens are RS256 JWTs signed with deployment-wide keys kept in the KeyStore,
// sealed at rest with a key derived from the deployment's secret, and
// cached in memory (keys.go, secrets.go). Client-credentials tokens for guestgate's
// Graph-shaped admin API carry tid, appid and roles and are checked by
// Provider.VerifyAccessToken.
//
// Keys rotate with Provider.RotateKeys; Provider.Run (or Cleanup) deletes
// expired authorization requests, refresh tokens and old keys.
//
// Rules: every endpoint has tenant context (R5); refresh tokens end with the
// sign-in's session, 24 hours by default (R4); ID tokens and userinfo carry
// tid, oid, email, email_verified (true for passcode guests), name,
// preferred_username and idp ("mail" for passcode guests) as DESIGN
// section 6 lists. The subject is pairwise per app, keyed by a random salt
// per tenant, so it survives a change of secret. Several secrets may be
// configured during a rotation (Config.OldCryptoKeys): the current one
// seals, all open (secrets.go).
//
// A sign-in costs three write transactions: storing the request, recording
// the sign-in, and redeeming the code (with its refresh token). Codes are not
// stored: a code is the request id sealed with AES-GCM, and redeeming it
// deletes the request with a conditional DELETE, so it is single-use even
// under concurrent exchange.
//
// Replays (OAuth 2.0 Security BCP; RFC 6749 section 4.1.2): the request id
// is also the family id of every token issued from the code. A code that
// opens but whose request is gone, and a rotated refresh token presented
// again, revoke that family: its refresh tokens are deleted and its opaque
// access tokens, which carry the family id, are refused at userinfo until
// they would have expired.
//
// Persistence goes through the narrow interfaces in store.go (AppStore,
// KeyStore, AuthRequestStore), implemented in internal/store/sqlstore. Time
// comes from an injected clock. Secrets, codes and tokens are never logged.
//
// App roles and groups (R16, token_app_claims.go): ID tokens, and the JWT
// access tokens of delegated Graph grants, carry roles (the values of the
// app roles assigned to the user, directly or through a group) and, when
// the app asked (groupMembershipClaims), groups (the user's group ids at
// any depth), or past 200 groups Entra's overage indication pointing to
// Graph's getMemberObjects. They are read through Deps.Assignments once
// per token request (code exchange, refresh), shared by the tokens it
// issues; userinfo carries neither, as in Entra ID.
//
// The package imports directory (users, tenants), assignment (the access
// contract), store and clock, and no other domain; it must not import the
// web, signin or graph packages. A Provider is
// safe for concurrent use.
package oidc
