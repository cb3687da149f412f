package invitation

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/google/uuid"
)

// ErrUnknownTicket: the redeem ticket is malformed or matches no invitation.
var ErrUnknownTicket = errors.New("this invitation link is not valid")

// newTicket returns a redeem ticket "{tenantId}.{secret}" and the hash
// stored for it. The tenant id in clear is what lets /redeem find the
// tenant (the ticket carries the tenant); the secret is 256 random bits.
func newTicket(tenantID string) (ticket string, hash []byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	return tenantID + "." + secret, hashSecret(secret), nil
}

// ParseTicket splits a ticket into the tenant id and the hash of its secret.
func ParseTicket(ticket string) (tenantID string, hash []byte, err error) {
	tenantID, secret, ok := strings.Cut(ticket, ".")
	if !ok || len(secret) != 43 {
		return "", nil, ErrUnknownTicket
	}
	if _, err := uuid.Parse(tenantID); err != nil {
		return "", nil, ErrUnknownTicket
	}
	if _, err := base64.RawURLEncoding.DecodeString(secret); err != nil {
		return "", nil, ErrUnknownTicket
	}
	return tenantID, hashSecret(secret), nil
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
