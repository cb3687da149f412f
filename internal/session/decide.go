package session

import (
	"errors"
	"time"
)

// Reasons a session no longer signs anyone in.
var (
	ErrNoSession = errors.New("no session")
	ErrExpired   = errors.New("the session has expired")
	ErrRevoked   = errors.New("the session was signed out")
)

// DefaultLifetime is a guest session's absolute lifetime (R4).
const DefaultLifetime = 24 * time.Hour

// Check decides whether s still signs its user in at now (R4): live until
// ExpiresAt (exclusive), unless revoked.
func Check(s Session, now time.Time) error {
	switch {
	case !s.RevokedAt.IsZero():
		return ErrRevoked
	case !now.Before(s.ExpiresAt):
		return ErrExpired
	}
	return nil
}
