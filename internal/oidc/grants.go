package oidc

import "time"

// AuthRequestRecord is a stored authorization request: the client's
// parameters from /authorize and, once the user signed in, the sign-in.
type AuthRequestRecord struct {
	TenantID            string
	ID                  string
	ClientID            string
	RedirectURI         string
	Scopes              []string
	State               string
	Nonce               string
	ResponseType        string
	ResponseMode        string
	Prompt              []string
	MaxAge              int64 // seconds; -1 when the client sent none
	LoginHint           string
	UILocales           []string
	CodeChallenge       string
	CodeChallengeMethod string
	CreatedAt           time.Time
	// ExpiresAt: the login deadline while pending, the code's expiry once
	// done; zero once the code was redeemed (Redeemed).
	ExpiresAt time.Time

	// Set by CompleteOIDCAuthRequest.
	AuthCompletion
}

// Done reports whether the user signed in for this request.
func (r AuthRequestRecord) Done() bool { return !r.DoneAt.IsZero() }

// Redeemed reports whether the request's code was exchanged: the record
// stays, spent, so that the pending handle that made it completes once.
func (r AuthRequestRecord) Redeemed() bool { return r.Done() && r.ExpiresAt.IsZero() }

// AuthCompletion is the sign-in recorded on an authorization request.
type AuthCompletion struct {
	UserID    string
	AuthTime  time.Time
	AMR       []string
	IdP       string
	SessionID string
	// DoneAt is when the sign-in was recorded.
	DoneAt time.Time
}

// RefreshTokenRecord is a stored refresh token; only the SHA-256 of the
// token is kept. Rotation marks the record used and stores its successor
// with the same FamilyID and ExpiresAt, so a chain of refresh tokens never
// outlives the sign-in's session, and a used token presented again is
// recognised as a replay.
type RefreshTokenRecord struct {
	TenantID  string
	TokenHash []byte
	// FamilyID names the authorization every token of a rotation chain
	// descends from: the id of the authorization request whose code was
	// redeemed. Revoking a grant (RevokeOIDCGrant) deletes the family.
	FamilyID  string
	ClientID  string
	UserID    string
	SessionID string
	Scopes    []string
	AMR       []string
	IdP       string
	AuthTime  time.Time
	CreatedAt time.Time
	ExpiresAt time.Time
	// UsedAt is set when the token was rotated; zero while it is usable.
	UsedAt time.Time
}
