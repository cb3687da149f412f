package demoapp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeDiscovery serves a discovery document once up is true, and 503 before.
func fakeDiscovery(t *testing.T, up *atomic.Bool) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() || r.URL.Path != "/tenant/v2.0/.well-known/openid-configuration" {
			http.Error(w, "not yet", http.StatusServiceUnavailable)
			return
		}
		iss := srv.URL + "/tenant/v2.0"
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": iss, "authorization_endpoint": srv.URL + "/tenant/oauth2/v2.0/authorize",
			"token_endpoint": srv.URL + "/tenant/oauth2/v2.0/token", "jwks_uri": srv.URL + "/tenant/discovery/v2.0/keys",
			"end_session_endpoint": srv.URL + "/tenant/oauth2/v2.0/logout", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func newTestApp(t *testing.T, issuer string) http.Handler {
	t.Helper()
	h, err := New(context.Background(), Config{
		Issuer: issuer, ClientID: "client", ClientSecret: "secret",
		RedirectURL: "http://app.test/callback", PostLogoutURL: "http://app.test/", TenantName: "Fabrikam",
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func get(h http.Handler, target string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestDiscoveryIsRetried: the app may start before the provider; a failed
// discovery shows a page and is tried again on the next request.
func TestDiscoveryIsRetried(t *testing.T) {
	var up atomic.Bool
	idp := fakeDiscovery(t, &up)
	h := newTestApp(t, idp.URL+"/tenant/v2.0")

	if rec := get(h, "/"); rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "can&#39;t be reached") {
		t.Fatalf("provider down: GET / = %d\n%s", rec.Code, rec.Body)
	}
	up.Store(true)
	rec := get(h, "/")
	if rec.Code != http.StatusFound {
		t.Fatalf("provider up: GET / = %d, want a redirect to authorize\n%s", rec.Code, rec.Body)
	}
	loc, _ := url.Parse(rec.Header().Get("Location"))
	q := loc.Query()
	if loc.Path != "/tenant/oauth2/v2.0/authorize" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" ||
		q.Get("state") == "" || q.Get("nonce") == "" || q.Get("scope") != "openid profile email" || q.Get("redirect_uri") != "http://app.test/callback" {
		t.Fatalf("authorize request = %s", loc)
	}
	var flowCk *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == flowCookie {
			flowCk = c
		}
	}
	if flowCk == nil || !flowCk.HttpOnly || flowCk.MaxAge <= 0 || flowCk.MaxAge > 3600 || !strings.HasPrefix(flowCk.Value, q.Get("state")+".") {
		t.Fatalf("flow cookie = %+v, want short-lived, HttpOnly, carrying the state", flowCk)
	}

	// A callback whose state is not this browser's is refused before any exchange.
	if rec := get(h, "/callback?code=c&state=forged", flowCk); rec.Code != http.StatusBadRequest {
		t.Fatalf("forged state: callback = %d\n%s", rec.Code, rec.Body)
	}
	// Without the flow cookie, the sign-in has expired.
	if rec := get(h, "/callback?code=c&state="+q.Get("state")); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "expired") {
		t.Fatalf("no flow cookie: callback = %d\n%s", rec.Code, rec.Body)
	}
}

// TestSignOutWithoutSession still signs out at the provider, naming the
// app and where to come back.
func TestSignOutWithoutSession(t *testing.T) {
	var up atomic.Bool
	up.Store(true)
	idp := fakeDiscovery(t, &up)
	rec := get(newTestApp(t, idp.URL+"/tenant/v2.0"), "/signout")
	loc, _ := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || loc.Path != "/tenant/oauth2/v2.0/logout" ||
		loc.Query().Get("client_id") != "client" || loc.Query().Get("post_logout_redirect_uri") != "http://app.test/" {
		t.Fatalf("sign-out = %d → %s", rec.Code, loc)
	}
}

// TestSignOutSaysSo: back from the provider's sign-out, the app says the
// guest signed out (once) and offers to sign in again, instead of starting
// a new sign-in at once.
func TestSignOutSaysSo(t *testing.T) {
	var up atomic.Bool
	up.Store(true)
	idp := fakeDiscovery(t, &up)
	app := newTestApp(t, idp.URL+"/tenant/v2.0")
	out := get(app, "/signout")
	var marker *http.Cookie
	for _, c := range out.Result().Cookies() {
		if c.Name == signedOutCookie && c.MaxAge > 0 {
			marker = c
		}
	}
	if marker == nil {
		t.Fatal("sign-out set no signed-out marker")
	}
	back := get(app, "/", marker)
	if back.Code != http.StatusOK || !strings.Contains(back.Body.String(), "You signed out") || !strings.Contains(back.Body.String(), `id="sign-in-again"`) {
		t.Fatalf("back from sign-out = %d\n%s", back.Code, back.Body.String())
	}
	if again := get(app, "/"); again.Code != http.StatusFound && again.Code != http.StatusSeeOther {
		t.Fatalf("without the marker / = %d, want the sign-in to start", again.Code)
	}
}
