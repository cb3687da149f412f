package httpx

import "unicode/utf8"

// Printable reports whether s is valid UTF-8 without control characters
// (C0, DEL, C1): what a path segment, an id or a query value from a client
// may hold before it reaches the store. PostgreSQL refuses NUL in text
// outright, so such input must be refused (400 or 404) before a query
// turns it into a 500.
func Printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r >= 0x7f && r < 0xa0 {
			return false
		}
	}
	return true
}
