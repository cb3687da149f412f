package oidc_test

import (
	"net/http"
	"net/url"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

func TestLogout(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		var disc struct {
			EndSession string `json:"end_session_endpoint"`
		}
		if err := e.goProvider(e.a).Claims(&disc); err != nil || disc.EndSession == "" {
			t.Fatalf("end_session_endpoint: %q, %v", disc.EndSession, err)
		}
		app, secret := e.createApp(e.a, false)
		signIn := func() signInResult {
			return e.signIn(t, flow{tenant: e.a, app: app, secret: secret, user: e.guestA,
				scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}})
		}
		logout := func(params url.Values) (*http.Response, *url.URL) {
			return get(t, disc.EndSession+"?"+params.Encode())
		}

		t.Run("ES256 id_token_hint", func(t *testing.T) {
			ec, ecSecret := e.createApp(e.a, false)
			ec = e.setAlg(ec, "ES256")
			res := e.signIn(t, flow{tenant: e.a, app: ec, secret: ecSecret, user: e.guestA})
			ended := len(e.sessions.endedTenants())
			resp, loc := logout(url.Values{
				"id_token_hint":            {res.idToken},
				"post_logout_redirect_uri": {"https://app.example/signed-out"},
			})
			if resp.StatusCode != http.StatusFound || loc == nil || loc.String() != "https://app.example/signed-out" {
				t.Fatalf("logout with an ES256 hint: status %d, location %v", resp.StatusCode, loc)
			}
			if len(e.sessions.endedTenants()) != ended+1 {
				t.Errorf("logout with an ES256 hint did not end the browser session")
			}
		})

		t.Run("registered post_logout_redirect_uri", func(t *testing.T) {
			res := signIn()
			ended := len(e.sessions.endedTenants())
			resp, loc := logout(url.Values{
				"id_token_hint":            {res.idToken},
				"post_logout_redirect_uri": {"https://app.example/signed-out"},
				"state":                    {"bye"},
			})
			if resp.StatusCode != http.StatusFound || loc == nil || loc.String() != "https://app.example/signed-out?state=bye" {
				t.Fatalf("logout: status %d, location %v", resp.StatusCode, loc)
			}
			if len(e.sessions.endedTenants()) != ended+1 || e.sessions.endedTenants()[ended] != e.a.ID {
				t.Errorf("browser session not ended: %v", e.sessions.endedTenants())
			}
			if c := resp.Cookies(); len(c) != 1 || c[0].Name != "gg_session" || c[0].MaxAge >= 0 {
				t.Errorf("logout cookies %v, want gg_session cleared", c)
			}
			// The app's refresh tokens for the user died with the sign-in.
			_, err := res.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: res.token.RefreshToken}).Token()
			if c := oauthErrorCode(t, err); c != "invalid_grant" {
				t.Errorf("refresh after logout: %q, want invalid_grant", c)
			}
		})

		t.Run("client_id instead of id_token_hint asks the user first", func(t *testing.T) {
			// A client_id and its redirect URIs are public: a cross-site GET
			// must not sign the user out silently (logout CSRF).
			ended := len(e.sessions.endedTenants())
			_, loc := logout(url.Values{"client_id": {app.AppID}, "post_logout_redirect_uri": {"https://app.example/signed-out"}})
			want := e.publicURL + "/" + e.a.ID + "/signout?post_logout_redirect_uri=" + url.QueryEscape("https://app.example/signed-out")
			if loc == nil || loc.String() != want {
				t.Fatalf("logout with client_id: location %v, want the confirmation page %s", loc, want)
			}
			if len(e.sessions.endedTenants()) != ended {
				t.Error("a logout without id_token_hint ended the browser session")
			}
		})

		t.Run("unregistered post_logout_redirect_uri", func(t *testing.T) {
			res := signIn()
			ended := len(e.sessions.endedTenants())
			for _, uri := range []string{"https://evil.example/", "https://app.example/signed-out/x", "https://app.example/signin-oidc"} {
				resp, loc := logout(url.Values{"id_token_hint": {res.idToken}, "post_logout_redirect_uri": {uri}})
				if resp.StatusCode != http.StatusBadRequest || loc != nil {
					t.Errorf("post_logout_redirect_uri %s: status %d, location %v; want 400", uri, resp.StatusCode, loc)
				}
			}
			if len(e.sessions.endedTenants()) != ended {
				t.Error("a refused logout ended the browser session")
			}
			// The refused logout did not touch the sign-in.
			if _, err := res.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: res.token.RefreshToken}).Token(); err != nil {
				t.Errorf("refresh after refused logout: %v", err)
			}
		})

		t.Run("bare logout asks the user first", func(t *testing.T) {
			ended := len(e.sessions.endedTenants())
			_, loc := logout(url.Values{})
			if loc == nil || loc.String() != e.publicURL+"/"+e.a.ID+"/signout" {
				t.Fatalf("bare logout: location %v, want the tenant's sign-out confirmation", loc)
			}
			if len(e.sessions.endedTenants()) != ended {
				t.Error("a bare logout ended the browser session")
			}
		})

		t.Run("id_token_hint without a redirect", func(t *testing.T) {
			res := signIn()
			_, loc := logout(url.Values{"id_token_hint": {res.idToken}})
			if loc == nil || loc.String() != e.publicURL+"/"+e.a.ID+"/signedout" {
				t.Fatalf("logout with only id_token_hint: location %v, want the tenant's \"You signed out\" page", loc)
			}
		})

		t.Run("id token of another tenant", func(t *testing.T) {
			res := signIn()
			disc := e.publicURL + "/" + e.b.ID + "/oauth2/v2.0/logout"
			resp, loc := get(t, disc+"?"+url.Values{"id_token_hint": {res.idToken},
				"post_logout_redirect_uri": {"https://app.example/signed-out"}}.Encode())
			if resp.StatusCode != http.StatusBadRequest || loc != nil {
				t.Fatalf("tenant A's id_token_hint at tenant B: status %d, location %v", resp.StatusCode, loc)
			}
		})
	})
}
