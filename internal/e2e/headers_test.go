package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/server"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestSecurityHeaders (security review item 15): on an https deployment
// every response has nosniff and HSTS, cookies are __Host- prefixed and
// Secure, and a page's CSP form-action names guestgate and the tenant's
// registered redirect origins, never "*". (The test talks plain http to
// the listener, as a TLS-terminating proxy in front of guestgate would.)
func TestSecurityHeaders(t *testing.T) {
	in := e2etest.Start(t, e2etest.StartOptions{DSN: testenv.SQLiteDSN(t), Configure: func(c *server.Config) {
		c.PublicURL = "https://login.guestgate.test"
	}})
	// Everything below talks to the loopback listener only; nothing
	// resolves the public host name.
	tn, err := in.Srv.CreateTenant(context.Background(), directory.NewTenantRequest{Name: "Fabrikam"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := in.Srv.CreateApp(context.Background(), tn.ID, "Wiki", nil, []string{e2etest.RPRedirect}, nil, false); err != nil {
		t.Fatal(err)
	}
	base := "http://" + in.Config.Listen
	get := func(path string) *http.Response {
		t.Helper()
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp
	}
	for _, path := range []string{"/" + tn.ID + "/login", "/healthz", "/v1.0/users", "/" + tn.ID + "/v2.0/.well-known/openid-configuration"} {
		resp := get(path)
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
			t.Errorf("%s: nosniff %q, HSTS %q", path, resp.Header.Get("X-Content-Type-Options"), resp.Header.Get("Strict-Transport-Security"))
		}
	}
	login := get("/" + tn.ID + "/login")
	csp := login.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "form-action 'self' https://rp.fabrikam.example;") || strings.Contains(csp, "*") {
		t.Errorf("CSP %q: want form-action 'self' and the registered redirect origin only", csp)
	}
	cookies := login.Cookies()
	if len(cookies) == 0 {
		t.Fatal("the sign-in page set no CSRF cookie")
	}
	for _, c := range cookies {
		if !strings.HasPrefix(c.Name, "__Host-") || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" {
			t.Errorf("cookie %+v: want __Host-, Secure, HttpOnly, Path=/ and no Domain", c)
		}
	}
}
