package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
)

// TestConsentCancelOverHTTP: an invited guest who signs in to an app and
// cancels Review permissions is not redeemed and not signed in; the page
// says so and links back only to the app's registered redirect URI, with
// access_denied and the app's state; Review permissions without a proof
// (no cookie) is the start-again page.
func TestConsentCancelOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	const addr = "teri@gmail.example"
	inv := s.invite(addr)
	b := s.browser()
	login := b.follow(b.get(s.authorize(appRedirect, "st-1")))
	next := b.submit(login, s.path("/login/next"), url.Values{"email": {addr}})
	codePage := b.get(b.submit(next, s.path("/login/send"), nil).Location)
	proved := b.submit(codePage, s.path("/login/verify"), url.Values{"code": {s.passcode(addr, 1)}})
	if proved.Status != http.StatusSeeOther || proved.Location != s.path("/consent") {
		t.Fatalf("the code of an invited guest = %d → %q, want Review permissions", proved.Status, proved.Location)
	}
	if a := s.browser().get(s.path("/consent")); a.Status != http.StatusBadRequest || a.has("Review permissions") {
		t.Fatalf("Review permissions in a browser without the proof = %d, want the 400 start-again page", a.Status)
	}
	review := b.get(proved.Location)
	out := b.submit(review, s.path("/consent/cancel"), nil)
	if out.Status != http.StatusOK || b.session() != "" {
		t.Fatalf("Cancel = %d (session %q), want a page and no session:\n%s", out.Status, b.session(), out.Body)
	}
	if u := s.user(inv.User.ID); u.ExternalUserState != directory.StatePendingAcceptance {
		t.Fatalf("after Cancel the guest is %s, want still PendingAcceptance", u.ExternalUserState)
	}
	i := strings.Index(out.Body, `href="`+html.EscapeString(appRedirect+"?"))
	if i < 0 {
		t.Fatalf("the declined page does not link back to the app's redirect URI:\n%s", out.Body)
	}
	href := html.UnescapeString(strings.SplitN(out.Body[i+len(`href="`):], `"`, 2)[0])
	back, err := url.Parse(href)
	if err != nil || back.Query().Get("error") != "access_denied" || back.Query().Get("state") != "st-1" {
		t.Fatalf("the way back %q, want access_denied and the app's state", href)
	}
	// The proof is spent: Accept afterwards signs nobody in.
	if a := b.submit(review, s.path("/consent/accept"), nil); b.session() != "" || a.Status == http.StatusSeeOther && strings.HasPrefix(a.Location, appRedirect) && !strings.Contains(a.Location, "error=") {
		t.Fatalf("Accept after Cancel = %d → %q (session %q)", a.Status, a.Location, b.session())
	}
}
