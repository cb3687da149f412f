package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAppSignUpOverHTTP (R13): at an app that offers sign-up, a new
// address on the app's sign-in is offered sign-up; the offer is this
// browser's (another browser posting it, with its own token, is refused
// and nothing is mailed); the passcode choice mails a code, a wrong code
// is refused, the right one leads to Review permissions and Accept back
// to the app's registered redirect URI with a code.
func TestAppSignUpOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	s.offerSignUp()
	const addr = "new@gmail.example"
	b := s.browser()
	login := b.follow(b.get(s.authorize(appRedirect, "st-1")))
	offer := b.submit(login, s.path("/login/next"), url.Values{"email": {addr}})
	if offer.Status != http.StatusOK || !offer.has("Woodgrove") {
		t.Fatalf("a new address at an app with sign-up = %d, want the sign-up offer:\n%s", offer.Status, offer.Body)
	}
	state := formValues(t, offer.Body, s.path("/signup/app/send")).Get("state")

	other := s.browser()
	otherToken := formValues(t, other.get(s.path("/login")).Body, s.path("/login/next")).Get("csrf")
	if a := other.post(s.path("/signup/app/send"), url.Values{"state": {state}, "csrf": {otherToken}}); a.Status < 400 {
		t.Fatalf("the offer posted by another browser = %d, want refused:\n%s", a.Status, a.Body)
	}

	code := b.submit(offer, s.path("/signup/app/send"), nil)
	if code.Status != http.StatusOK || !code.has(`id="code"`) {
		t.Fatalf("the passcode choice = %d, want the code page:\n%s", code.Status, code.Body)
	}
	pc := s.passcode(addr, 1)
	if n := s.mailCount(addr); n != 1 {
		t.Fatalf("%d mails to %s, want 1 (the other browser's post must send none)", n, addr)
	}
	wrong := "00000000"
	if wrong == pc {
		wrong = "11111111"
	}
	if a := b.submit(code, s.path("/signup/app/verify"), url.Values{"code": {wrong}}); a.Status != http.StatusBadRequest || b.session() != "" {
		t.Fatalf("a wrong code = %d (session %q), want 400 on the code page", a.Status, b.session())
	}
	proved := b.submit(code, s.path("/signup/app/verify"), url.Values{"code": {pc}})
	if proved.Status != http.StatusSeeOther || proved.Location != s.path("/consent") || b.session() != "" {
		t.Fatalf("the right code = %d → %q, want Review permissions first (issue 20, finding 8)", proved.Status, proved.Location)
	}
	done := b.follow(b.submit(b.get(proved.Location), s.path("/consent/accept"), nil))
	if back, _ := url.Parse(done.Location); !strings.HasPrefix(done.Location, appRedirect+"?") || back.Query().Get("code") == "" || back.Query().Get("state") != "st-1" {
		t.Fatalf("Accept = %d → %q, want the app's redirect URI with a code", done.Status, done.Location)
	}
}
