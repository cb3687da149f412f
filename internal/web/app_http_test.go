package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// follow follows the site's redirects until the browser leaves it or a
// page is shown.
func (b *browser) follow(a answer) answer {
	b.s.t.Helper()
	for i := 0; i < 10 && a.Status >= 300 && a.Status < 400; i++ {
		loc := strings.TrimPrefix(a.Location, publicURL)
		if !strings.HasPrefix(loc, "/") {
			return a
		}
		a = b.get(loc)
	}
	return a
}

// authorize is an app's authorization request (code flow with PKCE).
func (s *site) authorize(redirectURI, state string) string {
	q := url.Values{"client_id": {s.app.AppID}, "redirect_uri": {redirectURI}, "response_type": {"code"}, "scope": {"openid"},
		"state": {state}, "nonce": {"n-" + state}, "code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"}}
	return s.path("/oauth2/v2.0/authorize?" + q.Encode())
}

// TestAppSignInOverHTTP: an app's sign-in reaches the address form with
// its request; the right password sends the browser to the app's
// registered redirect URI with a code and the app's state; a second
// request of the app with the live session goes there silently (R4); a
// request naming a redirect URI the app did not register never leads
// there.
func TestAppSignInOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	const addr = "kim@fabrikam.example"
	s.member(s.tenant, addr)
	b := s.browser()
	login := b.follow(b.get(s.authorize(appRedirect, "st-1")))
	if login.Status != http.StatusOK || formValues(t, login.Body, s.path("/login/next")).Get("authRequestID") == "" {
		t.Fatalf("authorize did not reach the address form with its request: %d\n%s", login.Status, login.Body)
	}
	pw := b.submit(login, s.path("/login/next"), url.Values{"email": {addr}})
	done := b.follow(b.submit(pw, s.path("/login/password"), url.Values{"password": {goodPassword}}))
	back, err := url.Parse(done.Location)
	if err != nil || !strings.HasPrefix(done.Location, appRedirect+"?") || back.Query().Get("code") == "" || back.Query().Get("state") != "st-1" {
		t.Fatalf("after the password = %d → %q, want the app's redirect URI with a code and its state", done.Status, done.Location)
	}
	again := b.follow(b.get(s.authorize(appRedirect, "st-2")))
	if back, _ := url.Parse(again.Location); !strings.HasPrefix(again.Location, appRedirect+"?") || back.Query().Get("code") == "" || back.Query().Get("state") != "st-2" {
		t.Fatalf("a second sign-in with the live session = %d → %q, want straight back to the app", again.Status, again.Location)
	}
	for _, evil := range []string{"https://evil.example/callback", appRedirect + "/../../evil", "https://apps.fabrikam.example.evil.example/callback"} {
		a := b.follow(b.get(s.authorize(evil, "st-3")))
		if a.Location != "" && !strings.HasPrefix(a.Location, "/") {
			t.Errorf("a request naming %q led to %q", evil, a.Location)
		}
		if a.Status < 400 {
			t.Errorf("a request naming %q = %d, want an error page", evil, a.Status)
		}
	}
}
