package otp

import "time"

// Code is the one live passcode of an address in a tenant, with the send
// accounting that throttles new ones. Only a keyed hash of the code is kept.
type Code struct {
	TenantID string
	// Address is the lower-cased email address the code was sent to.
	Address string
	// Hash is HMAC-SHA256(server secret, tenant|address|code).
	Hash     []byte
	IssuedAt time.Time
	// Attempts counts wrong entries against this code.
	Attempts int
	// UsedAt is set when the code was accepted; zero until then.
	UsedAt time.Time
	// WindowStart and WindowCount count sends in the current hour window (R3).
	WindowStart time.Time
	WindowCount int
}
