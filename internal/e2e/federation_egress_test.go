package e2e

import (
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestFederationSSRFRefusedByDefault is issue 20, finding 4, against a
// deployment as serve starts it (no development switch, no allow-list): a
// Global Administrator's app cannot make guestgate fetch from a loopback
// service, neither as SAML metadata (refused with a generic 400) nor as an
// OpenID Connect issuer that an anonymous sign-in would discover (the
// guest's page and the sign-in log say the partner could not be reached,
// never why); plain http is refused when saved. The internal service is
// never reached, and nothing of its answer, nor whether its port is open,
// shows in any answer.
func TestFederationSSRFRefusedByDefault(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		// The internal service counts connections, not only requests: a
		// refused fetch never connects (a TLS handshake that fails is too late).
		var hits atomic.Int32
		internal := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("internal-only: root:x:0:0"))
		}))
		internal.Config.ConnState = func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				hits.Add(1)
			}
		}
		internal.StartTLS()
		defer internal.Close()
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		fab, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", fedAdminPerms...)
		leaks := []string{"internal-only", "refused", "loopback", "allow-list", "x509", "certificate signed"}
		wantNoLeak := func(rule, text string) {
			t.Helper()
			for _, l := range leaks {
				if strings.Contains(text, l) {
					t.Fatalf("%s: the answer shows %q:\n%s", rule, l, text)
				}
			}
		}

		for _, u := range []string{internal.URL + "/metadata", strings.Replace(internal.URL, "127.0.0.1", "localhost", 1) + "/metadata", "https://169.254.169.254/metadata"} {
			st, _, raw := e2etest.GraphCall(t, admin, http.MethodPost, in.URL+"/v1.0/directory/federationConfigurations/graph.samlOrWsFedExternalDomainFederation", map[string]any{
				"displayName": "Internal", "metadataUrl": u, "domains": []map[string]any{{"id": "internal.example"}},
			})
			if st != http.StatusBadRequest || !strings.Contains(string(raw), "The federation metadata could not be fetched from the metadata URL, so nothing was saved.") {
				t.Fatalf("F4_metadata_internal_refused (%s) = %d %s", u, st, raw)
			}
			wantNoLeak("F4_metadata_errors_generic", string(raw))
		}
		plain := strings.Replace(internal.URL, "https:", "http:", 1)
		st, _, raw := e2etest.GraphCall(t, admin, http.MethodPost, in.URL+"/v1.0/directory/federationConfigurations/graph.samlOrWsFedExternalDomainFederation", map[string]any{
			"displayName": "Plain", "metadataUrl": plain + "/metadata", "domains": []map[string]any{{"id": "plain.example"}},
		})
		if st != http.StatusBadRequest || !strings.Contains(string(raw), "must be an absolute https URL") {
			t.Fatalf("F4_metadata_plain_http_refused = %d %s", st, raw)
		}
		oidc := func(issuer string) (int, []byte) {
			st, _, raw := e2etest.GraphCall(t, admin, http.MethodPost, in.URL+"/v1.0/identity/identityProviders", map[string]any{
				"@odata.type": "#microsoft.graph.oidcIdentityProvider", "displayName": "Partner OIDC", "issuer": issuer, "clientId": "c",
				"clientAuthentication": map[string]any{"@odata.type": "#microsoft.graph.oidcClientSecretAuthentication", "clientSecret": "s"},
				"domains":              []string{"partner-oidc.example"},
			})
			return st, raw
		}
		if st, raw := oidc(plain); st != http.StatusBadRequest || !strings.Contains(string(raw), "must be an absolute https URL") {
			t.Fatalf("F4_issuer_plain_http_refused = %d %s", st, raw)
		}
		if st, raw := oidc(strings.Replace(internal.URL, "127.0.0.1", "localhost", 1)); st != http.StatusCreated {
			t.Fatalf("an https issuer is saved (it is fetched at sign-in) = %d %s", st, raw)
		}

		e2etest.InviteNoMail(t, in, admin, oidcGuest)
		for i := 0; i < 3; i++ {
			p := signInAs(in, e2etest.NewBrowser(t), fab, oidcGuest)
			if p.Status != http.StatusBadGateway || !strings.Contains(html.UnescapeString(p.Body), "can't reach your organization's sign-in service") || strings.Contains(p.Body, `id="send-code"`) {
				t.Fatalf("F4_discovery_internal_refused: the guest's page = %d:\n%s", p.Status, p.Body)
			}
			wantNoLeak("F4_page_generic", p.Body)
		}
		rec := lastSignIn(t, in, admin)
		st2, _ := rec["status"].(map[string]any)
		details, _ := st2["additionalDetails"].(string)
		if st2["errorCode"] != float64(50107) || !strings.Contains(details, "OpenID Connect discovery") {
			t.Fatalf("the sign-in log names the failed step: %v", st2)
		}
		wantNoLeak("F4_sign_in_log_generic", e2etest.JSONText(t, rec))
		if n := hits.Load(); n != 0 {
			t.Fatalf("F4_internal_service_never_reached: %d connections", n)
		}
	})
}
