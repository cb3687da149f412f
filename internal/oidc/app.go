package oidc

import "time"

// App is an application registered in a tenant: an OAuth client. Confidential
// apps authenticate with a secret, of which only SHA-256 is kept (secrets are
// 256-bit random, so a slow hash would add latency and no strength).
type App struct {
	TenantID    string
	AppID       string // UUID; the OAuth client_id
	DisplayName string
	SecretHash  []byte // nil for public clients
	// Permissions are Graph application permissions granted to the app
	// (e.g. "User.Invite.All"); they become the access token's roles.
	Permissions            []string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	CreatedAt              time.Time
}

// Public reports whether the app has no secret (a public client, PKCE required).
func (a App) Public() bool { return len(a.SecretHash) == 0 }

// SigningKey is a private key that signs tokens. Keys are deployment-wide and
// published in every tenant's JWKS.
type SigningKey struct {
	ID         string
	Algorithm  string // "RS256"
	PrivateDER []byte // PKCS#8
	CreatedAt  time.Time
	// RetiredAt is set when a newer key took over; the key stays published
	// until tokens it signed have expired. Zero while current.
	RetiredAt time.Time
}
