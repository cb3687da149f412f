package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
)

// TestClientMistakesAre4xx: what a client gets wrong is a 4xx in the
// surface's own shape, never a 500, on both engines (PostgreSQL refuses
// NUL in text, so NUL bytes in ids, paths and bodies are checked first):
// unknown, expired and other tenants' authRequestIDs on the login pages;
// control characters in /{tenant} and in API paths, queries and JSON
// strings; unsupported OData options in Graph's envelope.
func TestClientMistakesAre4xx(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "User.ReadWrite.All")
		other, _ := in.TenantWithAdmin("Contoso", "contoso.example")
		res, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "kim@gmail.example", RedirectURL: "https://x.example"})
		if err != nil {
			t.Fatal(err)
		}
		// An authorization request of Contoso's app, pending.
		rp := e2etest.NewRelyingParty(t, in, other)
		b := e2etest.NewBrowser(t)
		contosoLogin := b.Get(rp.Begin().URL)
		_, theirs, ok := strings.Cut(contosoLogin.Location, "authRequestID=")
		if !ok {
			t.Fatalf("authorize at Contoso: %d %q", contosoLogin.Status, contosoLogin.Location)
		}
		tid := "/" + tn.ID

		pages := []struct {
			name, path string
			want       int
		}{
			{"unknown_authRequestID", tid + "/login?authRequestID=V1_no-such-request", http.StatusBadRequest},
			{"other_tenants_authRequestID", tid + "/login?authRequestID=" + theirs, http.StatusBadRequest},
			{"NUL_authRequestID", tid + "/login?authRequestID=%00", http.StatusBadRequest},
			{"control_authRequestID", tid + "/login?authRequestID=a%01b", http.StatusBadRequest},
			{"NUL_client_id_authorize", tid + "/oauth2/v2.0/authorize?client_id=%00x&redirect_uri=https://x.example/cb&response_type=code&scope=openid", http.StatusBadRequest},
			{"NUL_client_id_logout", tid + "/oauth2/v2.0/logout?client_id=%00x", http.StatusBadRequest},
			{"invalid_utf8_client_id_authorize", tid + "/oauth2/v2.0/authorize?client_id=%ff&response_type=code&scope=openid", http.StatusBadRequest},
			{"NUL_tenant_page", "/%00/login", http.StatusNotFound},
			{"NUL_in_domain_tenant_page", "/fabrikam%00.example/login", http.StatusNotFound},
			{"control_tenant_my_apps", "/fab%7Frikam/", http.StatusNotFound},
			{"NUL_tenantid_portal", "/?tenantid=%00", http.StatusNotFound},
			{"NUL_redeem_ticket", "/redeem?ticket=%00", http.StatusNotFound},
		}
		for _, c := range pages {
			p := e2etest.NewBrowser(t).Get(in.URL + c.path)
			if p.Status != c.want || !strings.Contains(p.Header.Get("Content-Type"), "text/html") {
				t.Errorf("%s: GET %s = %d %s, want %d with a page\n%s", c.name, c.path, p.Status, p.Header.Get("Content-Type"), c.want, p.Body)
			}
		}
		// The OpenID Connect endpoints of a NUL tenant: OAuth's JSON error.
		resp, err := http.Get(in.URL + "/%00/v2.0/.well-known/openid-configuration")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("discovery of a NUL tenant = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// A posted form with a NUL address or authRequestID, at every step.
		for _, fields := range []map[string]string{{"email": "kim\x00@gmail.example"}, {"email": "kim@gmail.example", "authRequestID": "\x00"}} {
			b := e2etest.NewBrowser(t)
			login := b.Get(in.URL + tid + "/login")
			form := e2etest.FormValues(t, login.Body, tid+"/login/next")
			for k, v := range fields {
				form.Set(k, v)
			}
			form.Set("code", "12345678")
			for _, step := range []string{"/login/next", "/login/send", "/login/verify", "/login/password"} {
				req, _ := http.NewRequest(http.MethodPost, in.URL+tid+step, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", in.URL)
				if p := b.Do(req); p.Status >= 500 {
					t.Errorf("POST %s with %q = %d\n%s", step, fields, p.Status, p.Body)
				}
			}
		}

		api := []struct {
			name, method, path string
			body               any
			want               int
			code               string
		}{
			{"NUL_user_id", http.MethodGet, "/v1.0/users/%00", nil, 400, "Request_BadRequest"},
			{"control_user_id", http.MethodGet, "/v1.0/users/a%0Ab", nil, 400, "Request_BadRequest"},
			{"NUL_user_id_patch", http.MethodPatch, "/v1.0/users/%00", map[string]any{"displayName": "x"}, 400, "Request_BadRequest"},
			{"NUL_user_id_delete", http.MethodDelete, "/v1.0/users/%00", nil, 400, "Request_BadRequest"},
			{"NUL_deleted_item", http.MethodGet, "/v1.0/directory/deletedItems/%00", nil, 400, "Request_BadRequest"},
			{"NUL_in_filter", http.MethodGet, "/v1.0/users?$filter=mail%20eq%20%27a%00%40b.example%27", nil, 400, "BadRequest"},
			{"NUL_in_skiptoken", http.MethodGet, "/v1.0/users?$skiptoken=%00", nil, 400, "BadRequest"},
			{"NUL_in_invitation", http.MethodPost, "/v1.0/invitations", `{"invitedUserEmailAddress":"kim\u0000@partner.example","inviteRedirectUrl":"https://x.example"}`, 400, "BadRequest"},
			{"NUL_in_display_name", http.MethodPatch, "/v1.0/users/" + res.User.ID, `{"displayName":"K\u0000m"}`, 400, "BadRequest"},
			{"NUL_in_other_mails", http.MethodPatch, "/v1.0/users/" + res.User.ID, `{"otherMails":["k\u0000@x.example"]}`, 400, "BadRequest"},
			{"NUL_in_new_member", http.MethodPost, "/v1.0/users", `{"userPrincipalName":"lee\u0000@fabrikam.example","displayName":"Lee","passwordProfile":{"password":"tulip-Quarry-2026"}}`, 400, "BadRequest"},
			{"unsupported_expand", http.MethodGet, "/v1.0/users?$expand=manager", nil, 400, "Request_UnsupportedQuery"},
			{"unsupported_expand_on_user", http.MethodGet, "/v1.0/users/" + res.User.ID + "?$expand=manager", nil, 400, "Request_UnsupportedQuery"},
			{"unsupported_option_any_case", http.MethodGet, "/v1.0/users?$EXPAND=manager", nil, 400, "Request_UnsupportedQuery"},
			{"malformed_query", http.MethodGet, "/v1.0/users?$top=%zz", nil, 400, "BadRequest"},
		}
		for _, c := range api {
			status, h, raw := e2etest.GraphCall(t, admin, c.method, in.URL+c.path, c.body)
			var e struct {
				Error struct {
					Code       string         `json:"code"`
					InnerError map[string]any `json:"innerError"`
				} `json:"error"`
			}
			if status != c.want || json.Unmarshal(raw, &e) != nil || e.Error.Code != c.code || e.Error.InnerError["request-id"] == nil ||
				!strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Errorf("%s: %s %s = %d %s %s, want %d %s in Graph's envelope", c.name, c.method, c.path, status, h.Get("Content-Type"), raw, c.want, c.code)
			}
		}
	})
}

// TestTokenRequestWithNULIs400 (security review item 11): a NUL in a token
// request's client_id is the client's mistake (400 invalid_request), not
// a store error, PostgreSQL included.
func TestTokenRequestWithNULIs400(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example")
		resp, err := http.Post(in.URL+"/"+tn.ID+"/oauth2/v2.0/token", "application/x-www-form-urlencoded",
			strings.NewReader("grant_type=client_credentials&client_id=%00x&client_secret=y&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Error string }
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusBadRequest || body.Error != "invalid_request" {
			t.Fatalf("token request with a NUL client_id = %d %+v (%v), want 400 invalid_request", resp.StatusCode, body, err)
		}
	})
}
