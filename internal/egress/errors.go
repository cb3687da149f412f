package egress

import (
	"errors"
	"fmt"
	"net/netip"
)

// Sentinels of refused fetches, for errors.Is. Each is for the operator's
// log: callers tell tenants only that the document could not be fetched.
var (
	// ErrRefused: the address is not public and the allow-list does not
	// name it (*RefusedError says which and why).
	ErrRefused = errors.New("egress: the address is not public and not allow-listed")
	// ErrScheme: the URL is not https (plain http only with AllowHTTP), or
	// a redirect left https.
	ErrScheme = errors.New("egress: only https URLs are fetched")
	// ErrTooLarge: the answer is longer than the limit.
	ErrTooLarge = errors.New("egress: the answer is larger than the limit")
	// ErrRedirect: too many redirects, or a redirect of a request that
	// carries a body (it would send the body, a client secret, elsewhere).
	ErrRedirect = errors.New("egress: redirect refused")
)

// RefusedError is a connection Decide refused.
type RefusedError struct {
	// Host is the name or address the URL gave.
	Host string
	// Addr is the address it resolved to.
	Addr netip.AddrPort
	// Class is the kind of address ("loopback", "private", …).
	Class string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("egress: %s resolves to %s, a %s address, which is not allow-listed", e.Host, e.Addr, e.Class)
}

// Is makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }
