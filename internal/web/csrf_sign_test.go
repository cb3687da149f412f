package web

import "github.com/guestgate/guestgate/internal/csrf"

// signWith is the pages' form token for cookie value v under key.
func signWith(key []byte, v string) string { return csrf.Sign(key, "csrf", v) }
