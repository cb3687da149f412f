package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/server"
)

// TestPasswordSignInOverHTTP: the address form sets the CSRF cookie with
// the pages' flags; a member's address leads to the password page; a
// wrong password is 401 on that page with no session; the right password
// without this browser's token is the 403 expired-form page with no
// session; with it, the session cookie is set and the browser goes on
// within the tenant (My Apps), which then lists the tenant's apps.
func TestPasswordSignInOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	const addr = "kim@fabrikam.example"
	kim := s.member(s.tenant, addr)
	b := s.browser()
	start := b.get(s.path("/login"))
	if start.Status != http.StatusOK {
		t.Fatalf("GET /login = %d:\n%s", start.Status, start.Body)
	}
	ck := start.cookie("__Host-gg_csrf")
	if ck == nil || ck.Value == "" || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" {
		t.Fatalf("CSRF cookie = %+v, want __Host-, Secure, HttpOnly, SameSite=Lax, Path=/", ck)
	}
	if tok := formValues(t, start.Body, s.path("/login/next")).Get("csrf"); tok == "" || tok == ck.Value {
		t.Fatalf("the form's token %q must be set and not the cookie itself", tok)
	}
	pw := b.submit(start, s.path("/login/next"), url.Values{"email": {addr}})
	if pw.Status != http.StatusOK || !pw.has(`type="password"`) {
		t.Fatalf("next for a member = %d, want the password page:\n%s", pw.Status, pw.Body)
	}
	wrong := b.submit(pw, s.path("/login/password"), url.Values{"password": {"not-" + goodPassword}})
	if wrong.Status != http.StatusUnauthorized || !wrong.has("Your account or password is incorrect") || b.session() != "" {
		t.Fatalf("a wrong password = %d (session %q), want 401 on the password page", wrong.Status, b.session())
	}
	fields := formValues(t, pw.Body, s.path("/login/password"))
	fields.Set("password", goodPassword)
	fields.Set("csrf", "Zm9yZ2Vk.Zm9yZ2Vk")
	if a := b.post(s.path("/login/password"), fields); a.Status != http.StatusForbidden || !a.has(csrfRefused) || b.session() != "" {
		t.Fatalf("the right password with a forged token = %d (session %q), want the 403 expired-form page", a.Status, b.session())
	}
	done := b.submit(pw, s.path("/login/password"), url.Values{"password": {goodPassword}})
	if done.Status != http.StatusSeeOther || !strings.HasPrefix(done.Location, s.path("/")) || b.session() == "" {
		t.Fatalf("the right password = %d → %q (session %q), want on within the tenant with a session", done.Status, done.Location, b.session())
	}
	if sc := done.cookie("__Host-gg_session_" + s.tenant.ID); sc == nil || !sc.Secure || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.MaxAge <= 0 {
		t.Fatalf("session cookie = %+v", sc)
	}
	apps := b.get(s.path("/"))
	if apps.Status != http.StatusOK || !apps.has("My Apps", "Woodgrove", addr) {
		t.Fatalf("My Apps = %d:\n%s", apps.Status, apps.Body)
	}
	if a := s.browser().get(s.path("/")); a.Status != http.StatusSeeOther || a.Location != s.path("/login") {
		t.Fatalf("My Apps without a session = %d → %q, want sign-in", a.Status, a.Location)
	}

	// A disabled account is refused even with the right password (R9),
	// and its live session no longer opens My Apps.
	s.disable(kim.ID)
	if a := b.get(s.path("/")); a.Status == http.StatusOK {
		t.Fatalf("My Apps of a disabled account = %d", a.Status)
	}
	b2 := s.browser()
	pw2 := b2.submit(b2.get(s.path("/login")), s.path("/login/next"), url.Values{"email": {addr}})
	if pw2.Status == http.StatusOK && pw2.has(`type="password"`) {
		if a := b2.submit(pw2, s.path("/login/password"), url.Values{"password": {goodPassword}}); a.Status != http.StatusForbidden || b2.session() != "" {
			t.Fatalf("a disabled member's right password = %d (session %q), want 403", a.Status, b2.session())
		}
	} else if pw2.Status != http.StatusForbidden || b2.session() != "" {
		t.Fatalf("a disabled member's address = %d, want the password page or 403:\n%s", pw2.Status, pw2.Body)
	}
}

// TestPasscodeSignInOverHTTP: an Accepted guest signs in again with a
// passcode through /login/next, /login/send and /login/verify; each form
// refuses a post without this browser's token (nothing mailed, no code
// used, no session), a wrong code is said on the code page, the right one
// sets the session and goes on within the tenant.
func TestPasscodeSignInOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	const addr = "teri@gmail.example"
	s.redeemed(addr)
	b := s.browser()
	start := b.get(s.path("/login"))
	if a := b.post(s.path("/login/next"), url.Values{"email": {addr}}); a.Status != http.StatusForbidden || !a.has(csrfRefused) {
		t.Fatalf("next without a token = %d", a.Status)
	}
	next := b.submit(start, s.path("/login/next"), url.Values{"email": {addr}})
	if next.Status != http.StatusOK || !next.has("Send code") {
		t.Fatalf("next for a passcode guest = %d:\n%s", next.Status, next.Body)
	}
	if a := b.post(s.path("/login/send"), url.Values{"email": {addr}}); a.Status != http.StatusForbidden || !a.has(csrfRefused) {
		t.Fatalf("Send code without a token = %d", a.Status)
	}
	sent := b.submit(next, s.path("/login/send"), nil)
	if sent.Status != http.StatusSeeOther || !strings.HasPrefix(sent.Location, s.path("/login/code?")) || !strings.HasSuffix(sent.Location, "&f=sent") {
		t.Fatalf("Send code = %d → %q, want the code page saying a code was sent (a refused post sent none)", sent.Status, sent.Location)
	}
	if strings.Contains(sent.Location, "gmail") {
		t.Fatalf("the address is readable in the code page's URL %q", sent.Location)
	}
	codePage := b.get(sent.Location)
	code := s.passcode(addr, 2)
	if a := b.post(s.path("/login/verify"), url.Values{"email": {addr}, "code": {code}}); a.Status != http.StatusForbidden || b.session() != "" {
		t.Fatalf("verify without a token = %d (session %q)", a.Status, b.session())
	}
	wrong := "00000000"
	if wrong == code {
		wrong = "11111111"
	}
	if a := b.submit(codePage, s.path("/login/verify"), url.Values{"code": {wrong}}); a.Status != http.StatusSeeOther || !strings.HasSuffix(a.Location, "&f=wrong") || b.session() != "" {
		t.Fatalf("a wrong code = %d → %q", a.Status, a.Location)
	}
	done := b.submit(codePage, s.path("/login/verify"), url.Values{"code": {code}})
	if done.Status != http.StatusSeeOther || !strings.HasPrefix(done.Location, s.path("/")) || b.session() == "" {
		t.Fatalf("the right code = %d → %q (session %q)", done.Status, done.Location, b.session())
	}
	if a := b.get(s.path("/")); a.Status != http.StatusOK || !a.has(addr) {
		t.Fatalf("My Apps after the passcode = %d", a.Status)
	}
}

// TestSignOutOverHTTP: the confirmation links back only to a post-logout
// URI an app registered; the sign-out form without this browser's token
// is refused and the session lives on; with it the session ends (its
// cookie deleted, the old token dead) and the page links back only to a
// registered URI.
func TestSignOutOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	const addr = "kim@fabrikam.example"
	s.member(s.tenant, addr)
	b := s.browser()
	pw := b.submit(b.get(s.path("/login")), s.path("/login/next"), url.Values{"email": {addr}})
	b.submit(pw, s.path("/login/password"), url.Values{"password": {goodPassword}})
	token := b.session()
	if token == "" {
		t.Fatal("no session")
	}
	const evil = "https://evil.example/landing"
	for back, want := range map[string]string{appLogout: appLogout, appLogout + "?state=1": appLogout + "?state=1", evil: "", "/relative": ""} {
		p := b.get(s.path("/signout?post_logout_redirect_uri=" + url.QueryEscape(back)))
		if got := formValues(t, p.Body, s.path("/signout")).Get("post_logout_redirect_uri"); got != want {
			t.Errorf("confirm with %q carries %q, want %q", back, got, want)
		}
	}
	confirm := b.get(s.path("/signout?post_logout_redirect_uri=" + url.QueryEscape(appLogout)))
	if a := b.post(s.path("/signout"), url.Values{"post_logout_redirect_uri": {appLogout}}); a.Status != http.StatusForbidden || !a.has(csrfRefused) {
		t.Fatalf("sign-out without a token = %d", a.Status)
	}
	if a := b.get(s.path("/")); a.Status != http.StatusOK {
		t.Fatalf("a refused sign-out ended the session: My Apps = %d", a.Status)
	}
	out := b.submit(confirm, s.path("/signout"), url.Values{"post_logout_redirect_uri": {evil}})
	if out.Status != http.StatusOK || !out.has("You signed out") || strings.Contains(out.Body, "evil.example") {
		t.Fatalf("sign-out = %d, want the signed-out page linking nowhere unregistered:\n%s", out.Status, out.Body)
	}
	if c := out.cookie("__Host-gg_session_" + s.tenant.ID); c == nil || c.MaxAge >= 0 {
		t.Fatalf("sign-out does not delete the session cookie: %+v", c)
	}
	replay := s.browser()
	replay.cookies["__Host-gg_session_"+s.tenant.ID] = &http.Cookie{Name: "__Host-gg_session_" + s.tenant.ID, Value: token}
	if a := replay.get(s.path("/")); a.Status != http.StatusSeeOther || a.Location != s.path("/login") {
		t.Fatalf("the ended session's token still opens My Apps: %d → %q", a.Status, a.Location)
	}
	// Signed in again, the registered URI is offered on the signed-out page.
	pw = b.submit(b.get(s.path("/login")), s.path("/login/next"), url.Values{"email": {addr}})
	b.submit(pw, s.path("/login/password"), url.Values{"password": {goodPassword}})
	confirm = b.get(s.path("/signout?post_logout_redirect_uri=" + url.QueryEscape(appLogout)))
	if out := b.submit(confirm, s.path("/signout"), nil); out.Status != http.StatusOK || !out.has("Return to the app", appLogout) {
		t.Fatalf("sign-out with a registered URI = %d, want a link back:\n%s", out.Status, out.Body)
	}
}

// TestEveryFormChecksCSRF: every form route of the pages, posted without
// a token or with a forged one (the browser has its CSRF cookie), is the
// 403 expired-form page and sets no session.
func TestEveryFormChecksCSRF(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	b := s.browser()
	b.get(s.path("/login"))
	if b.cookies["__Host-gg_csrf"] == nil {
		t.Fatal("no CSRF cookie")
	}
	routes := []string{"/redeem/send", "/redeem/verify"}
	for _, p := range []string{"/login/next", "/login/send", "/login/verify", "/login/password", "/login/home",
		"/consent/accept", "/consent/cancel", "/signout",
		"/signup/start", "/signup/send", "/signup/verify", "/signup/app/send", "/signup/app/verify", "/signup/app/elsewhere"} {
		routes = append(routes, s.path(p))
	}
	for _, route := range routes {
		for name, tok := range map[string][]string{"none": nil, "forged": {"Zm9yZ2Vk.Zm9yZ2Vk"}, "empty": {""}} {
			f := url.Values{"email": {"teri@gmail.example"}, "code": {"12345678"}, "password": {goodPassword}, "ticket": {"t"}}
			if tok != nil {
				f["csrf"] = tok
			}
			a := b.post(route, f)
			if a.Status != http.StatusForbidden || !a.has(csrfRefused) || b.session() != "" {
				t.Errorf("POST %s with token %s = %d, want the 403 expired-form page", route, name, a.Status)
			}
		}
	}
}

// TestErrorPages: each refusal has its page and status: an unknown or
// expired sign-in request (400), passcodes turned off (403, on the
// address form and for a live session on My Apps), a path
// without a tenant (400), an unknown tenant (404), and nothing of it is
// a 5xx.
func TestErrorPages(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	b := s.browser()
	if a := b.get(s.path("/login?authRequestID=bogus")); a.Status != http.StatusBadRequest || !a.has("This sign-in request has expired or is not valid") {
		t.Errorf("an unknown sign-in request = %d:\n%s", a.Status, a.Body)
	}
	if a := b.get("/common/login"); a.Status != http.StatusBadRequest || !a.has("Sign in to an organization") {
		t.Errorf("a page at /common = %d → %q, want the 400 tenant-context page:\n%s", a.Status, a.Location, a.Body)
	}
	if a := b.get("/00000000-0000-4000-8000-000000000000/login"); a.Status != http.StatusNotFound {
		t.Errorf("an unknown tenant = %d, want 404", a.Status)
	}
	const addr = "teri@gmail.example"
	_, guest := s.redeemed(addr)
	if a := guest.get(s.path("/")); a.Status != http.StatusOK {
		t.Fatalf("My Apps of the redeemed guest = %d", a.Status)
	}
	s.passcodesOff()
	// R9: a passcode guest is refused once passcodes are off, and told why.
	if a := b.submit(b.get(s.path("/login")), s.path("/login/next"), url.Values{"email": {addr}}); a.Status != http.StatusForbidden ||
		!a.has("Sign-in with a one-time code is turned off") || b.session() != "" {
		t.Errorf("a passcode guest with passcodes off = %d:\n%s", a.Status, a.Body)
	}
	// Their live session no longer opens My Apps either (R9).
	if a := guest.get(s.path("/")); a.Status != http.StatusForbidden || !a.has("Sign-in with a one-time code is turned off") {
		t.Errorf("My Apps of a passcode guest's session with passcodes off = %d:\n%s", a.Status, a.Body)
	}
}

// TestDevMailboxOnlyInDev: /dev/mailbox is served only by a process with
// the dev mailbox; with SMTP it is not there.
func TestDevMailboxOnlyInDev(t *testing.T) {
	t.Parallel()
	smtp := newSite(t, nil)
	if a := smtp.browser().get("/dev/mailbox"); a.Status == http.StatusOK || a.has("Dev mailbox") {
		t.Fatalf("/dev/mailbox with SMTP = %d:\n%s", a.Status, a.Body)
	}
	dev := newSite(t, func(c *server.Config) { c.DevMailbox = true })
	if a := dev.browser().get("/dev/mailbox"); a.Status != http.StatusOK || !a.has("Dev mailbox") {
		t.Fatalf("/dev/mailbox in dev = %d:\n%s", a.Status, a.Body)
	}
}
