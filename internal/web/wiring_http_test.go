package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/server"
)

// TestConfigurationReachesThePages (issue 21, tests for the wiring): what
// the operator configures is what the pages do: a 2 h session lifetime is
// the session cookie's Max-Age (not the default 24 h), and a 10-minute
// passcode validity is what the code page promises (not the default 30).
func TestConfigurationReachesThePages(t *testing.T) {
	t.Parallel()
	s := newSite(t, func(c *server.Config) {
		c.SessionLifetime = 2 * time.Hour
		c.OTP.Validity = 10 * time.Minute
	})
	const addr = "kim@fabrikam.example"
	s.member(s.tenant, addr)
	b := s.browser()
	pw := b.submit(b.get(s.path("/login")), s.path("/login/next"), url.Values{"email": {addr}})
	done := b.submit(pw, s.path("/login/password"), url.Values{"password": {goodPassword}})
	ck := done.cookie("__Host-gg_session_" + s.tenant.ID)
	if ck == nil || ck.MaxAge <= 7200-60 || ck.MaxAge > 7200 {
		t.Fatalf("session cookie with a 2 h lifetime = %+v, want Max-Age 7200", ck)
	}

	inv := s.invite("teri@gmail.example")
	link, _ := url.Parse(inv.RedeemURL)
	g := s.browser()
	sent := g.submit(g.get(link.RequestURI()), "/redeem/send", nil)
	if p := g.get(sent.Location); p.Status != http.StatusOK || !p.has("The code is valid for 10 minutes") {
		t.Fatalf("code page with a 10-minute validity = %d:\n%s", p.Status, p.Body)
	}
}

// TestCrossSitePostsRefused (issue 21, tests for the wiring): in front of
// the forms' tokens, a browser's cross-site form post is refused 403 even
// with this browser's token; only the partner's SAML assertion consumer,
// cross-site by design, takes one (and answers a forged one with the
// start-again page).
func TestCrossSitePostsRefused(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	b := s.browser()
	start := b.get(s.path("/login"))
	form := formValues(t, start.Body, s.path("/login/next"))
	form.Set("email", "teri@gmail.example")
	post := func(path string, f url.Values) answer {
		r := httptest.NewRequest(http.MethodPost, publicURL+path, strings.NewReader(f.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Header.Set("Origin", "https://evil.example")
		return b.do(r)
	}
	if a := post(s.path("/login/next"), form); a.Status != http.StatusForbidden {
		t.Fatalf("a cross-site post of the address form with its token = %d, want 403", a.Status)
	}
	if a := b.post(s.path("/login/next"), form); a.Status != http.StatusOK {
		t.Fatalf("the same post from the site = %d, want 200", a.Status)
	}
	if a := post(s.path("/federation/saml/acs"), url.Values{"SAMLResponse": {"PHNhbWxwOlJlc3BvbnNlLz4="}, "RelayState": {"forged"}}); a.Status != http.StatusBadRequest {
		t.Fatalf("a partner's cross-site post to the assertion consumer = %d, want the 400 start-again page", a.Status)
	}
}
