package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
)

// TestPersonalSignUpOverHTTP: the sign-up pages exist only in the
// consumers directory (404 at a tenant); there, the address form refuses
// a post without this browser's token, and with it leads on to proving
// the address with a mailed code; the sign-up is this browser's; Create
// account without the token is refused and spends nothing; with it, the
// account is made and signed in (the session cookie's flags), once.
func TestPersonalSignUpOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	b := s.browser()
	if a := b.get(s.path("/signup")); a.Status != http.StatusNotFound {
		t.Fatalf("sign-up at a tenant = %d, want 404", a.Status)
	}
	c := "/" + directory.ConsumersTenantID
	start := b.get(c + "/signup")
	if start.Status != http.StatusOK {
		t.Fatalf("sign-up in the consumers directory = %d:\n%s", start.Status, start.Body)
	}
	const addr = "pat@gmail.example"
	if a := b.post(c+"/signup/start", url.Values{"email": {addr}}); a.Status != http.StatusForbidden || !a.has(csrfRefused) {
		t.Fatalf("the address without a token = %d", a.Status)
	}
	next := b.submit(start, c+"/signup/start", url.Values{"email": {addr}})
	if next.Status != http.StatusSeeOther {
		t.Fatalf("the address = %d, want on to the sign-up", next.Status)
	}
	page := b.get(next.Location)
	if page.Status != http.StatusOK || !page.has("Create a personal account", addr) {
		t.Fatalf("the sign-up page = %d:\n%s", page.Status, page.Body)
	}
	// The sign-up is this browser's: another browser opening its state is refused.
	other := s.browser()
	other.get(c + "/signup") // a browser of its own, with its own CSRF cookie
	if a := other.get(next.Location); a.Status < 400 {
		t.Fatalf("the sign-up opened in another browser = %d, want refused", a.Status)
	}
	code := b.submit(page, c+"/signup/send", nil)
	if code.Status != http.StatusOK || !code.has("We sent a code to "+addr, `id="create-account"`) {
		t.Fatalf("Send code = %d:\n%s", code.Status, code.Body)
	}
	pc := s.passcode(addr, 1)
	fields := url.Values{"code": {pc}, "displayName": {"Pat"}, "password": {goodPassword}}
	noToken := formValues(t, code.Body, c+"/signup/verify")
	noToken.Del("csrf")
	for k, v := range fields {
		noToken[k] = v
	}
	if a := b.post(c+"/signup/verify", noToken); a.Status != http.StatusForbidden || !a.has(csrfRefused) {
		t.Fatalf("Create account without a token = %d", a.Status)
	}
	done := b.submit(code, c+"/signup/verify", fields)
	sc := done.cookie("__Host-gg_session_" + directory.ConsumersTenantID)
	if done.Status != http.StatusSeeOther || sc == nil || sc.Value == "" || !sc.Secure || !sc.HttpOnly {
		t.Fatalf("Create account = %d → %q, cookie %+v; want signed in to the consumers directory", done.Status, done.Location, sc)
	}
	// The refused post used nothing: it was the right code, and now it is spent.
	if a := b.submit(code, c+"/signup/verify", fields); a.cookie("__Host-gg_session_"+directory.ConsumersTenantID) != nil {
		t.Fatalf("a second Create account with the spent code signed in again: %d → %q", a.Status, a.Location)
	}
}
