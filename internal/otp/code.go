package otp

import "time"

// CodeKey names one code: the code a browser asked for, for an address in
// a tenant. Each browser's code is its own: another browser's sends and
// wrong entries never reach it (issue 20, finding 5).
type CodeKey struct {
	TenantID string
	// Address is the lower-cased email address the code was sent to.
	Address string
	// Browser is the id of the browser that asked for the code
	// (Requester.Browser): only it may enter the code.
	Browser string
}

// Code is the one live passcode of a browser for an address in a tenant
// (a newer one from the same browser replaces it, R3). Only a keyed hash
// of the code is kept.
type Code struct {
	TenantID string
	Address  string
	Browser  string
	// Hash is HMAC-SHA256(server secret, tenant|address|code).
	Hash     []byte
	IssuedAt time.Time
	// Attempts counts wrong entries against this code.
	Attempts int
	// UsedAt is set when the code was accepted; zero until then.
	UsedAt time.Time
}

// Key returns the code's key.
func (c Code) Key() CodeKey {
	return CodeKey{TenantID: c.TenantID, Address: c.Address, Browser: c.Browser}
}

// Sends counts the passcodes sent to one address in a tenant in an hour
// window opened by the window's first send: those asked for from one
// client network, or (the address's budget) from all of them.
type Sends struct {
	WindowStart time.Time
	Count       int
	// LastAt is the latest send (zero: none yet).
	LastAt time.Time
}

// live returns s with its window emptied if the window ended by now (a
// window that ended counts nothing); LastAt is kept.
func (s Sends) live(now time.Time) Sends {
	if s.Count <= 0 || !now.Before(s.WindowStart.Add(SendWindow)) {
		return Sends{LastAt: s.LastAt}
	}
	return s
}

// next is s after one more send at now.
func (s Sends) next(now time.Time) Sends {
	s = s.live(now)
	if s.Count == 0 {
		s.WindowStart = now
	}
	s.Count++
	s.LastAt = now
	return s
}

// SendWindow is the window of the hourly send limits (R3).
const SendWindow = time.Hour
