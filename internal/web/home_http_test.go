package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
)

// TestHomeTenantRedemptionOverHTTP (section 3, azureActiveDirectory): a
// guest who is a member of another tenant of the deployment redeems by
// signing in at home: the link sends the browser there with a hand-off
// that only this browser may open (another browser is refused); a wrong
// password stays at home with 401; the right one comes back to Review
// permissions, and Accept to the invitation's redirect URL, with the
// guest redeemed.
func TestHomeTenantRedemptionOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	contoso := s.otherTenant("Contoso", "contoso.example")
	const addr = "kai@contoso.example"
	s.member(contoso, addr)
	inv := s.invite(addr)
	link, _ := url.Parse(inv.RedeemURL)
	b := s.browser()
	toHome := b.get(link.RequestURI())
	home := "/" + contoso.ID + "/login/home?"
	if toHome.Status != http.StatusSeeOther || !strings.HasPrefix(toHome.Location, home) {
		t.Fatalf("the link of a Contoso member = %d → %q, want Contoso's sign-in", toHome.Status, toHome.Location)
	}
	other := s.browser()
	other.get("/" + contoso.ID + "/login") // a browser of its own, with its own CSRF cookie
	if a := other.get(toHome.Location); a.Status != http.StatusBadRequest || a.has(`type="password"`) {
		t.Fatalf("the hand-off opened in another browser = %d, want the 400 start-again page", a.Status)
	}
	pw := b.get(toHome.Location)
	if pw.Status != http.StatusOK || !pw.has(`type="password"`, "Contoso") {
		t.Fatalf("Contoso's password page = %d:\n%s", pw.Status, pw.Body)
	}
	if a := b.submit(pw, "/"+contoso.ID+"/login/home", url.Values{"password": {"not-" + goodPassword}}); a.Status != http.StatusUnauthorized {
		t.Fatalf("a wrong password at home = %d, want 401", a.Status)
	}
	back := b.submit(pw, "/"+contoso.ID+"/login/home", url.Values{"password": {goodPassword}})
	if back.Status != http.StatusSeeOther || !strings.HasPrefix(back.Location, s.path("/login/home/return?")) {
		t.Fatalf("the right password at home = %d → %q, want back to Fabrikam", back.Status, back.Location)
	}
	proved := b.get(strings.TrimPrefix(back.Location, publicURL))
	if proved.Status != http.StatusSeeOther || proved.Location != s.path("/consent") {
		t.Fatalf("the return = %d → %q, want Review permissions", proved.Status, proved.Location)
	}
	done := b.submit(b.get(proved.Location), s.path("/consent/accept"), nil)
	if done.Status != http.StatusSeeOther || done.Location != guestRedirect || b.session() == "" {
		t.Fatalf("Accept = %d → %q, want the invitation's redirect URL with a session", done.Status, done.Location)
	}
	if u := s.user(inv.User.ID); u.ExternalUserState != directory.StateAccepted {
		t.Fatalf("the guest is %s, want Accepted", u.ExternalUserState)
	}
}
