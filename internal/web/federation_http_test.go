package web_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestFederationCallbacksRefuseForgeries: the return points of federated
// and home-tenant sign-in (OIDC callback, SAML assertion consumer, the
// two returns) answer a forged or stale state with the 400 start-again
// page: no session, no redirect anywhere, never a 5xx.
func TestFederationCallbacksRefuseForgeries(t *testing.T) {
	t.Parallel()
	s := newSite(t, nil)
	b := s.browser()
	for _, c := range []struct {
		method, path string
		form         url.Values
	}{
		{http.MethodGet, "/federation/oidc/callback?state=forged&code=abc", nil},
		{http.MethodGet, "/federation/oidc/callback?error=access_denied&state=forged", nil},
		{http.MethodGet, "/federation/oidc/callback", nil},
		{http.MethodPost, "/federation/saml/acs", url.Values{"SAMLResponse": {"PHNhbWxwOlJlc3BvbnNlLz4="}, "RelayState": {"forged"}}},
		{http.MethodPost, "/federation/saml/acs", url.Values{}},
		{http.MethodGet, "/login/federation/return?state=forged", nil},
		{http.MethodGet, "/login/home/return?handback=forged", nil},
		{http.MethodGet, "/login/home?handoff=forged", nil},
	} {
		var a answer
		if c.method == http.MethodGet {
			a = b.get(s.path(c.path))
		} else {
			a = b.post(s.path(c.path), c.form)
		}
		if a.Status != http.StatusBadRequest || a.Location != "" || !a.has("This sign-in took too long or changed on the way") || b.session() != "" {
			t.Errorf("%s %s = %d → %q (session %q), want the 400 start-again page:\n%s", c.method, c.path, a.Status, a.Location, b.session(), a.Body)
		}
	}
}
