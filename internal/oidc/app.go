package oidc

import "time"

// App is an application registered in a tenant: an OAuth client. Confidential
// apps authenticate with one of their secrets (AppSecret); public apps have
// none and must use PKCE.
type App struct {
	TenantID    string
	AppID       string // UUID; the OAuth client_id
	DisplayName string
	// PublicClient marks a native or single-page app: no secret, PKCE.
	PublicClient bool
	// Permissions are Graph application permissions granted to the app
	// (e.g. "User.Invite.All"); they become the access token's roles.
	Permissions            []string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// IDTokenSignedResponseAlg is how the app's tokens are signed (OpenID
	// Connect Dynamic Client Registration's id_token_signed_response_alg):
	// "RS256", the default as in Entra ID, or "ES256". Empty reads as RS256.
	IDTokenSignedResponseAlg string
	CreatedAt                time.Time
}

// Public reports whether the app is a public client (no secret, PKCE required).
func (a App) Public() bool { return a.PublicClient }

// IDTokenAlg is the algorithm that signs the app's tokens: RS256 unless
// the app chose ES256.
func (a App) IDTokenAlg() string {
	if a.IDTokenSignedResponseAlg == AlgES256 {
		return AlgES256
	}
	return AlgRS256
}

// AppSecret is one client secret of a confidential app. An app may hold
// several at once, so a secret can be rotated without downtime: add a new
// one, move the app to it, remove the old one. Only the SHA-256 of a
// secret is kept (secrets are 256-bit random, so a slow hash would add
// latency and no strength).
type AppSecret struct {
	ID        string // UUID, or the app's id for the secret it was registered with
	Hash      []byte
	CreatedAt time.Time
}

// SigningKey is a private key that signs tokens. Keys are deployment-wide and
// published in every tenant's JWKS; there is one current key per algorithm.
type SigningKey struct {
	ID         string
	Algorithm  string // AlgRS256 or AlgES256
	PrivateDER []byte // PKCS#8
	CreatedAt  time.Time
	// RetiredAt is set when a newer key took over; the key stays published
	// until tokens it signed have expired. Zero while current.
	RetiredAt time.Time
}
