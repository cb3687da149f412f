// Package session owns browser sessions at guestgate: one per tenant and
// browser, 24 hours by default (R4), kept server-side so they can be listed
// and revoked. The cookie carries only an opaque random id; the store keeps
// its SHA-256.
package session

import "time"

// Session is a signed-in browser at one tenant.
type Session struct {
	TenantID string
	// IDHash is SHA-256 of the cookie value.
	IDHash    []byte
	UserID    string
	AuthTime  time.Time
	ExpiresAt time.Time
	// AMR lists the authentication methods used, e.g. ["otp"].
	AMR []string
	// IdP is the identity provider the user signed in with ("mail" for passcode).
	IdP       string
	RevokedAt time.Time // zero while live
}
