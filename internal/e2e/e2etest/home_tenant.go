package e2etest

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
)

// HomeSignIn follows the redirect to the home tenant's sign-in, types the
// member's password and follows the way back: it returns the inviting
// tenant's answer (Review permissions the first time, else onwards).
func (in *Instance) HomeSignIn(b *Browser, toHome Page, home directory.Tenant, password string) Page {
	in.T.Helper()
	if toHome.Status != http.StatusSeeOther || !strings.HasPrefix(toHome.Location, "/"+home.ID+"/login/home?handoff=") {
		in.T.Fatalf("want a redirect to %s's sign-in, got %d → %q:\n%s", home.DisplayName, toHome.Status, toHome.Location, toHome.Body)
	}
	pw := b.Get(in.URL + toHome.Location)
	if pw.Status != http.StatusOK || !strings.Contains(pw.Body, `id="password"`) || !strings.Contains(pw.Body, "Sign in with your "+home.DisplayName+" account") {
		in.T.Fatalf("home tenant password page = %d:\n%s", pw.Status, pw.Body)
	}
	back := b.Submit(in.URL, pw, "/"+home.ID+"/login/home", map[string]string{"password": password})
	if back.Status != http.StatusSeeOther || !strings.Contains(back.Location, "/login/home/return?handoff=") {
		in.T.Fatalf("after the password, want the way back, got %d → %q:\n%s", back.Status, back.Location, back.Body)
	}
	return b.Get(in.URL + back.Location)
}

// SignInAtHome runs an app's sign-in for a guest whose home tenant is home:
// address, the home tenant's password, back, Review permissions if asked.
func (rp *RelyingParty) SignInAtHome(b *Browser, f AuthFlow, addr string, home directory.Tenant, password string) Page {
	rp.T.Helper()
	login := b.Follow(rp.In, b.Get(f.URL))
	next := b.Submit(rp.In.URL, login, "/"+rp.Tenant.ID+"/login/next", map[string]string{"email": addr})
	done := rp.In.HomeSignIn(b, next, home, password)
	if strings.HasSuffix(done.Location, "/consent") {
		rp.Consents++
		done = rp.In.ConsentStep(b, done, rp.Tenant)
	}
	return b.Follow(rp.In, done)
}

// ActionLinkRe finds the link a message page offers.
var ActionLinkRe = regexp.MustCompile(`<a href="([^"]*)" id="action-link">`)
