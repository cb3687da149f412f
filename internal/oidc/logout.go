package oidc

import (
	"net/http"
)

// BrowserSessionEnder ends guestgate's own browser session (the web
// package's cookie) when an app signs the user out (RP-initiated logout). It
// runs after the logout request was validated and before the redirect, so it
// may set cookies on w.
type BrowserSessionEnder interface {
	EndBrowserSession(w http.ResponseWriter, r *http.Request, tenantID string) error
}
