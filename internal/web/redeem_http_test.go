package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
)

const csrfRefused = "This form expired or came from another site."

// TestRedeemOverHTTP walks the invitation link (R2, R3, R4) through the
// handler: each form refuses a post without this browser's token, or
// with a forged one, with the 403 expired-form page and does nothing (no
// code mailed, none used, no consent recorded, no session); with the
// token, Send code mails one code, a wrong code is refused on the code
// page, the right one leads to Review permissions, and Accept sets the
// session cookie (__Host-, Secure, HttpOnly, SameSite=Lax) and redirects
// to the invitation's redirect URL, nowhere else.
func TestRedeemOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	const addr = "teri@gmail.example"
	inv := s.invite(addr)
	link, err := url.Parse(inv.RedeemURL)
	if err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	start := b.get(link.RequestURI())
	if start.Status != http.StatusOK || !start.has("Send code", addr) {
		t.Fatalf("redeem page = %d:\n%s", start.Status, start.Body)
	}
	ticket := url.Values{"ticket": {link.Query().Get("ticket")}}

	forged := url.Values{"ticket": ticket["ticket"], "csrf": {"Zm9yZ2Vk.Zm9yZ2Vk"}}
	for _, f := range []url.Values{ticket, forged} {
		if a := b.post("/redeem/send", f); a.Status != http.StatusForbidden || !a.has(csrfRefused) {
			t.Fatalf("Send code without this browser's token = %d, want the 403 expired-form page:\n%s", a.Status, a.Body)
		}
	}
	// Had a refused post sent a code, this send would be throttled (one a
	// minute, R3) and not say "sent".
	sent := b.submit(start, "/redeem/send", nil)
	if sent.Status != http.StatusSeeOther || !strings.HasPrefix(sent.Location, "/redeem/code?") || !strings.HasSuffix(sent.Location, "&f=sent") {
		t.Fatalf("Send code = %d → %q, want the code page saying a code was sent", sent.Status, sent.Location)
	}
	codePage := b.get(sent.Location)
	if codePage.Status != http.StatusOK || !codePage.has(`id="code"`) {
		t.Fatalf("code page = %d:\n%s", codePage.Status, codePage.Body)
	}
	code := s.passcode(addr, 1)

	for _, f := range []url.Values{{"code": {code}, "ticket": ticket["ticket"]}, {"code": {code}, "ticket": ticket["ticket"], "csrf": forged["csrf"]}} {
		if a := b.post("/redeem/verify", f); a.Status != http.StatusForbidden || !a.has(csrfRefused) {
			t.Fatalf("verify without this browser's token = %d, want the 403 expired-form page:\n%s", a.Status, a.Body)
		}
	}
	wrong := "00000000"
	if wrong == code {
		wrong = "11111111"
	}
	if a := b.submit(codePage, "/redeem/verify", url.Values{"code": {wrong}}); a.Status != http.StatusSeeOther || !strings.HasSuffix(a.Location, "&f=wrong") {
		t.Fatalf("a wrong code = %d → %q, want back to the code page saying so", a.Status, a.Location)
	} else if p := b.get(a.Location); !p.has("That code isn't correct") {
		t.Fatalf("the code page after a wrong code does not say so:\n%s", p.Body)
	}
	// The refused posts used nothing: the mailed code still works.
	proved := b.submit(codePage, "/redeem/verify", url.Values{"code": {code}})
	if proved.Status != http.StatusSeeOther || proved.Location != s.path("/consent") {
		t.Fatalf("the right code = %d → %q, want Review permissions:\n%s", proved.Status, proved.Location, proved.Body)
	}
	if b.session() != "" {
		t.Fatal("a session before the guest accepted the permissions")
	}
	review := b.get(proved.Location)
	if review.Status != http.StatusOK || !review.has("Review permissions", "Fabrikam") {
		t.Fatalf("Review permissions = %d:\n%s", review.Status, review.Body)
	}
	for _, f := range []url.Values{{}, {"csrf": forged["csrf"]}} {
		a := b.post(s.path("/consent/accept"), f)
		if a.Status != http.StatusForbidden || !a.has(csrfRefused) || a.cookie("__Host-gg_session_"+s.tenant.ID) != nil {
			t.Fatalf("Accept without this browser's token = %d, want the 403 expired-form page and no session:\n%s", a.Status, a.Body)
		}
	}
	if u := s.user(inv.User.ID); u.ExternalUserState != directory.StatePendingAcceptance {
		t.Fatalf("a refused Accept redeemed the invitation: %s", u.ExternalUserState)
	}
	done := b.submit(review, s.path("/consent/accept"), nil)
	if done.Status != http.StatusSeeOther || done.Location != guestRedirect {
		t.Fatalf("Accept = %d → %q, want the invitation's redirect URL %q", done.Status, done.Location, guestRedirect)
	}
	ck := done.cookie("__Host-gg_session_" + s.tenant.ID)
	if ck == nil || ck.Value == "" || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.Domain != "" || ck.MaxAge <= 0 {
		t.Fatalf("session cookie = %+v, want __Host-, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, a Max-Age", ck)
	}
	if u := s.user(inv.User.ID); u.ExternalUserState != directory.StateAccepted {
		t.Fatalf("after Accept the guest is %s, want Accepted", u.ExternalUserState)
	}
	// The code is single use; the link of a redeemed invitation says so.
	if a := b.submit(codePage, "/redeem/verify", url.Values{"code": {code}}); a.Status == http.StatusSeeOther && !strings.HasPrefix(a.Location, "/redeem/code?") {
		t.Fatalf("a used code went on to %q", a.Location)
	}
	if p := s.browser().get(link.RequestURI()); !p.has("already accepted") {
		t.Fatalf("the link of a redeemed invitation:\n%s", p.Body)
	}
}

// TestRedeemErrors: an unknown or missing ticket is the 404 "not valid"
// page, on the link, the code page and both forms (after their CSRF
// check), and mails nothing.
func TestRedeemErrors(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	s.invite("teri@gmail.example")
	b := s.browser()
	for _, target := range []string{"/redeem?ticket=bogus", "/redeem", "/redeem/code?ticket=bogus"} {
		if a := b.get(target); a.Status != http.StatusNotFound || !a.has("This invitation link isn't valid") {
			t.Errorf("GET %s = %d, want the 404 unknown-link page:\n%s", target, a.Status, a.Body)
		}
	}
	// A page of the tenant gives this browser its CSRF cookie and a token.
	signin := b.get(s.path("/login"))
	token := formValues(t, signin.Body, s.path("/login/next")).Get("csrf")
	for _, action := range []string{"/redeem/send", "/redeem/verify"} {
		a := b.post(action, url.Values{"ticket": {"bogus"}, "csrf": {token}, "code": {"12345678"}})
		if a.Status != http.StatusNotFound || !a.has("This invitation link isn't valid") {
			t.Errorf("POST %s with an unknown ticket = %d, want the 404 unknown-link page:\n%s", action, a.Status, a.Body)
		}
	}
}
