package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestInvitationsAPIRejectsBadInput: bad input answers 400 in Graph's
// envelope and writes nothing; missing or wrong tokens 401; a token without
// the permission 403.
func TestInvitationsAPIRejectsBadInput(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "User.Read.All")
		_, reader := in.TenantWithAdmin("Contoso", "contoso.example", "User.Read.All")
		u := in.URL + "/v1.0/invitations"
		ok := map[string]any{"invitedUserEmailAddress": "teri@gmail.example", "inviteRedirectUrl": "https://apps.fabrikam.example"}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for kk, vv := range ok {
				m[kk] = vv
			}
			m[k] = v
			return m
		}
		cases := []struct {
			name string
			body any
			want string
		}{
			{"malformed address", with("invitedUserEmailAddress", "teri+x@gmail.example"), "invitedUserEmailAddress"},
			{"missing redirect", map[string]any{"invitedUserEmailAddress": "teri@gmail.example"}, "inviteRedirectUrl"},
			{"http redirect", with("inviteRedirectUrl", "ftp://apps.fabrikam.example"), "https"},
			{"wrong type", with("sendInvitationMessage", "yes"), "sendInvitationMessage"},
			{"unknown property", with("invitedUserEmail", "x"), "invitedUserEmail"},
			{"two cc recipients", with("invitedUserMessageInfo", map[string]any{"ccRecipients": []any{
				map[string]any{"emailAddress": map[string]any{"address": "a@x.example"}},
				map[string]any{"emailAddress": map[string]any{"address": "b@x.example"}}}}), "ccRecipients"},
			{"oversized body", with("invitedUserMessageInfo", map[string]any{"customizedMessageBody": strings.Repeat("x", 2<<20)}), "larger"},
		}
		for _, c := range cases {
			var e struct {
				Error struct {
					Code, Message string
					InnerError    map[string]any
				}
			}
			if s := e2etest.API(t, admin, http.MethodPost, u, c.body, &e); s != http.StatusBadRequest || !strings.Contains(e.Error.Message, c.want) || e.Error.InnerError["request-id"] == "" {
				t.Errorf("%s: %d %+v, want 400 naming %q with a request-id", c.name, s, e.Error, c.want)
			}
		}
		var users struct{ Value []any }
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users", nil, &users)
		if len(users.Value) != 0 {
			t.Fatalf("rejected invitations wrote %d users", len(users.Value))
		}

		var e struct{ Error struct{ Code string } }
		if s := e2etest.API(t, http.DefaultClient, http.MethodPost, u, ok, &e); s != http.StatusUnauthorized || e.Error.Code != "InvalidAuthenticationToken" {
			t.Errorf("no token = %d %v, want 401 InvalidAuthenticationToken", s, e)
		}
		req, _ := http.NewRequest(http.MethodGet, in.URL+"/v1.0/users", nil)
		req.Header.Set("Authorization", "Bearer not.a.token")
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("bad token = %v %v, want 401", resp, err)
		}
		if s := e2etest.API(t, reader, http.MethodPost, u, ok, &e); s != http.StatusForbidden || e.Error.Code != "Authorization_RequestDenied" {
			t.Errorf("token without User.Invite.All = %d %v, want 403", s, e)
		}
	})
}

// TestUsersAPIPagesAndIsolatesTenants: $top with a skip token walks every
// user once, and a tenant's token never sees another tenant's users.
func TestUsersAPIPagesAndIsolatesTenants(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "User.Read.All")
		_, other := in.TenantWithAdmin("Contoso", "contoso.example", "User.Read.All")
		var firstID string
		for _, a := range []string{"a@x.example", "b@x.example", "c@x.example", "d@x.example", "e@x.example"} {
			var inv map[string]any
			e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": a, "inviteRedirectUrl": "https://x.example"}, &inv)
			if firstID == "" {
				firstID = inv["invitedUser"].(map[string]any)["id"].(string)
			}
		}
		seen := map[string]bool{}
		next := in.URL + "/v1.0/users?$top=2"
		for pages := 0; next != ""; pages++ {
			if pages > 5 {
				t.Fatal("paging does not end")
			}
			var p struct {
				Value []struct{ ID string }
				Next  string `json:"@odata.nextLink"`
			}
			if s := e2etest.API(t, admin, http.MethodGet, next, nil, &p); s != http.StatusOK {
				t.Fatalf("GET %s = %d", next, s)
			}
			for _, u := range p.Value {
				if seen[u.ID] {
					t.Fatalf("user %s listed twice", u.ID)
				}
				seen[u.ID] = true
			}
			next = p.Next
		}
		if len(seen) != 5 {
			t.Fatalf("paged through %d users, want 5", len(seen))
		}
		var filtered struct{ Value []struct{ Mail string } }
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users?$filter=mail+eq+'C@x.example'", nil, &filtered)
		if len(filtered.Value) != 1 || filtered.Value[0].Mail != "c@x.example" {
			t.Fatalf("$filter mail eq = %+v", filtered.Value)
		}
		var list struct{ Value []any }
		e2etest.API(t, other, http.MethodGet, in.URL+"/v1.0/users", nil, &list)
		if len(list.Value) != 0 {
			t.Fatalf("another tenant sees %d of Fabrikam's users", len(list.Value))
		}
		var e struct{ Error struct{ Code string } }
		if s := e2etest.API(t, other, http.MethodGet, in.URL+"/v1.0/users/"+firstID, nil, &e); s != http.StatusNotFound {
			t.Fatalf("another tenant reading a Fabrikam user = %d %v, want 404", s, e)
		}
	})
}

// TestInvitationIsAudited: every invitation writes Graph's "Invite external
// user" record (category UserManagement, by the calling app), in the
// transaction that creates it.
func TestInvitationIsAudited(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "AuditLog.Read.All")
		id, _ := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")
		var out struct {
			Value []map[string]any `json:"value"`
		}
		q := url.Values{"$filter": {"activityDisplayName eq 'Invite external user'"}}
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits?"+q.Encode(), nil, &out); s != http.StatusOK || len(out.Value) != 1 {
			t.Fatalf("invitation audit records = %d %v, want one", s, out.Value)
		}
		rec := out.Value[0]
		target := rec["targetResources"].([]any)[0].(map[string]any)
		app, _ := rec["initiatedBy"].(map[string]any)["app"].(map[string]any)
		if rec["category"] != "UserManagement" || rec["loggedByService"] != "Invited Users" || target["id"] != id || app["displayName"] != "Fabrikam admin" {
			t.Fatalf("invitation audit record: %v", rec)
		}
	})
}
