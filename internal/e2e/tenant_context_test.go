package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestTenantContextRequired (R5): endpoints without tenant context explain
// the requirement and never fall through to a tenant; a verified domain and
// ?tenantid= carry context; an unknown tenant is an error.
func TestTenantContextRequired(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example")
		rp := e2etest.NewRelyingParty(t, in, tn)
		b := e2etest.NewBrowser(t)
		authQuery := strings.SplitN(rp.Begin().URL, "?", 2)[1]

		for _, seg := range []string{"common", "organizations"} {
			p := b.Get(in.URL + "/" + seg + "/oauth2/v2.0/authorize?" + authQuery)
			if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "sign-in link is needed") || !strings.Contains(p.Body, "Sign in to an organization") {
				t.Errorf("/%s authorize = %d\n%s", seg, p.Status, p.Body)
			}
			var e struct{ Error string }
			if s := e2etest.API(t, http.DefaultClient, http.MethodPost, in.URL+"/"+seg+"/oauth2/v2.0/token", map[string]string{}, &e); s != http.StatusBadRequest || e.Error != "invalid_request" {
				t.Errorf("/%s token = %d %+v, want the OAuth error invalid_request", seg, s, e)
			}
		}
		if p := b.Get(in.URL + "/"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "sign-in link is needed") {
			t.Errorf("bare portal = %d\n%s", p.Status, p.Body)
		}

		// A verified domain carries tenant context, for the pages and the protocol.
		if p := b.Follow(in, b.Get(in.URL+"/fabrikam.example/oauth2/v2.0/authorize?"+authQuery)); !strings.Contains(p.Body, `id="email"`) || !strings.Contains(p.Body, "Fabrikam") {
			t.Errorf("authorize by verified domain = %d\n%s", p.Status, p.Body)
		}
		if p := b.Get(in.URL + "/?tenantid=" + tn.ID); p.Status != http.StatusSeeOther || p.Location != "/"+tn.ID+"/" {
			t.Errorf("?tenantid= = %d → %q", p.Status, p.Location)
		}
		if p := b.Get(in.URL + "/signin-to-organization?domain=Fabrikam.Example"); p.Status != http.StatusSeeOther || p.Location != "/fabrikam.example/" {
			t.Errorf("Sign in to an organization = %d → %q", p.Status, p.Location)
		}
		if p := b.Get(in.URL + "/signin-to-organization?domain=nosuch.example"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "nosuch.example") {
			t.Errorf("unknown organization domain = %d\n%s", p.Status, p.Body)
		}

		// An unknown tenant is an error, never a fallback.
		unknown := uuid.NewString()
		if p := b.Get(in.URL + "/" + unknown + "/oauth2/v2.0/authorize?" + authQuery); p.Status != http.StatusNotFound {
			t.Errorf("authorize at an unknown tenant = %d\n%s", p.Status, p.Body)
		}
		if p := b.Get(in.URL + "/nosuch.example/v2.0/.well-known/openid-configuration"); p.Status != http.StatusNotFound {
			t.Errorf("discovery at an unknown domain = %d", p.Status)
		}
		if p := b.Get(in.URL + "/?tenantid=" + unknown); p.Status != http.StatusNotFound {
			t.Errorf("?tenantid= unknown = %d", p.Status)
		}
		if p := b.Get(in.URL + "/" + unknown + "/"); p.Status != http.StatusNotFound {
			t.Errorf("My Apps of an unknown tenant = %d", p.Status)
		}
	})
}
