package demoapp

import (
	"fmt"
	"net/http"
	"net/url"
)

// signOut ends the app session and signs out at the provider too
// (RP-initiated logout: id_token_hint, post_logout_redirect_uri), which
// then sends the browser to PostLogoutURL.
func (a *app) signOut(w http.ResponseWriter, r *http.Request) {
	s, _ := a.sessions.end(r)
	setCookie(w, sessionCookie, "", -1, a.secure)
	setCookie(w, signedOutCookie, "1", 300, a.secure)
	p, err := a.discovery.get(r.Context())
	if err != nil || p.endSession == "" {
		// No logout endpoint known: the app session is over at least.
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	u, err := url.Parse(p.endSession)
	if err != nil {
		a.fail(w, http.StatusBadGateway, "Sign-out failed", fmt.Errorf("end_session_endpoint %q: %w", p.endSession, err))
		return
	}
	q := u.Query()
	q.Set("client_id", a.cfg.ClientID)
	if s.IDToken != "" {
		q.Set("id_token_hint", s.IDToken)
	}
	if a.cfg.PostLogoutURL != "" {
		q.Set("post_logout_redirect_uri", a.cfg.PostLogoutURL)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
