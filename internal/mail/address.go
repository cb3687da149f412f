package mail

import (
	netmail "net/mail"
	"strings"
)

// headerAddress formats a header address from a display name: quoted per
// RFC 5322 when it has special characters, RFC 2047-encoded when it is
// not ASCII (net/mail does both). Line breaks become spaces, so a name can
// never start a header of its own.
func headerAddress(name, addr string) string {
	name = strings.Join(strings.FieldsFunc(name, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
	return (&netmail.Address{Name: strings.TrimSpace(name), Address: addr}).String()
}
