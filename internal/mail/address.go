package mail

import (
	"mime"
	netmail "net/mail"
	"strings"
	"unicode/utf8"
)

// headerAddress formats a header address from a display name: an ASCII
// name quoted per RFC 5322 when it has special characters (net/mail), any
// other RFC 2047 B-encoded. (net/mail's own Q-encoding leaves characters
// such as a backslash bare, which its own parser then refuses.)
func headerAddress(name, addr string) string {
	name = displayName(name)
	for _, r := range name {
		if r >= utf8.RuneSelf {
			return mime.BEncoding.Encode("utf-8", name) + " <" + addr + ">"
		}
	}
	return (&netmail.Address{Name: name, Address: addr}).String()
}

// displayName folds a display name to one line of text: control
// characters (line breaks above all, so a name can never start a header
// of its own) become spaces.
func displayName(name string) string {
	return strings.TrimSpace(strings.Join(strings.FieldsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }), " "))
}
