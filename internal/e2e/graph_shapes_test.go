package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// graphEnvelope is Graph's error body.
type graphEnvelope struct {
	Error struct {
		Code, Message string
		InnerError    map[string]string
	}
}

// TestInvitationBodiesAsSDKsSendThem: bodies as the Graph SDK for Go and
// PowerShell write them (nested @odata.type, a whole user object) are
// created (201) with the cc name and the sponsors in the answer; the
// reproduced product's refusals (own domain, Member without
// User.ReadWrite.All, a bad messageLanguage) are Graph's 400 and 403.
func TestInvitationBodiesAsSDKsSendThem(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "User.ReadWrite.All")
		inviter := appClient(t, in, tn, "Inviter", "User.Invite.All")
		u := in.URL + "/v1.0/invitations"

		var sponsor map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/users", map[string]any{
			"accountEnabled": true, "displayName": "Ana Ruiz", "mailNickname": "ana",
			"userPrincipalName": "ana@fabrikam.example",
			"passwordProfile":   map[string]any{"password": "correct horse battery staple 1"},
		}, &sponsor); s != http.StatusCreated {
			t.Fatalf("create sponsor = %d %v", s, sponsor)
		}
		sponsorID := sponsor["id"].(string)

		goSDK := `{"invitedUserDisplayName":"Teri Bell","invitedUserEmailAddress":"teri@gmail.example",` +
			`"invitedUserMessageInfo":{"ccRecipients":[{"emailAddress":{"address":"boss@partner.example","name":"The Boss","@odata.type":"#microsoft.graph.emailAddress"},"@odata.type":"#microsoft.graph.recipient"}],` +
			`"customizedMessageBody":"Welcome!","messageLanguage":"ja-JP","@odata.type":"#microsoft.graph.invitedUserMessageInfo"},` +
			`"invitedUserSponsors":[{"@odata.type":"#microsoft.graph.user","id":"` + sponsorID + `"}],` +
			`"invitedUserType":"Guest","inviteRedirectUrl":"https://apps.fabrikam.example/welcome","sendInvitationMessage":true}`
		status, _, raw := e2etest.GraphCall(t, inviter, http.MethodPost, u, goSDK)
		var inv map[string]any
		if status != http.StatusCreated || json.Unmarshal(raw, &inv) != nil {
			t.Fatalf("Go SDK body = %d %s", status, raw)
		}
		cc := inv["invitedUserMessageInfo"].(map[string]any)["ccRecipients"].([]any)[0].(map[string]any)["emailAddress"].(map[string]any)
		sp := inv["invitedUserSponsors"].([]any)
		if cc["name"] != "The Boss" || cc["address"] != "boss@partner.example" || len(sp) != 1 || sp[0].(map[string]any)["id"] != sponsorID ||
			inv["invitedUserMessageInfo"].(map[string]any)["messageLanguage"] != "ja-JP" {
			t.Fatalf("201 answer lacks the cc name or sponsors: %s", raw)
		}
		guestID := inv["invitedUser"].(map[string]any)["id"].(string)

		// The ja mail is in Japanese.
		ja := in.Mail.WaitCount(t, 1, mailtest.To("teri@gmail.example"))[0]
		if want := i18n.T("ja", "mail.invitation.subject", "Fabrikam"); ja.Subject != want {
			t.Fatalf("ja mail subject = %q, want %q", ja.Subject, want)
		}

		// PowerShell: New-MgInvitation -InvitedUser (Get-MgUser …) -ResetRedemption.
		guest := e2etest.GetUser(t, in, admin, guestID)
		whole := map[string]any{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity"}
		for k, v := range guest {
			whole[k] = v
		}
		whole["businessPhones"], whole["createdDateTime"] = []any{}, "2030-01-02T03:04:05Z"
		status, _, raw = e2etest.GraphCall(t, admin, http.MethodPost, u, map[string]any{
			"@odata.type": "#microsoft.graph.invitation", "invitedUserEmailAddress": "teri@gmail.example",
			"inviteRedirectUrl": "https://apps.fabrikam.example/welcome", "resetRedemption": true, "invitedUser": whole,
		})
		if status != http.StatusCreated || !strings.Contains(string(raw), guestID) {
			t.Fatalf("PowerShell whole-user body = %d %s", status, raw)
		}

		// An unknown language (Swahili) is a valid tag; the mail is English.
		status, _, raw = e2etest.GraphCall(t, inviter, http.MethodPost, u, map[string]any{
			"invitedUserEmailAddress": "juma@partner.example", "inviteRedirectUrl": "https://apps.fabrikam.example/welcome",
			"sendInvitationMessage":  true,
			"invitedUserMessageInfo": map[string]any{"@odata.type": "microsoft.graph.invitedUserMessageInfo", "messageLanguage": "sw"},
		})
		if status != http.StatusCreated {
			t.Fatalf("sw invitation = %d %s", status, raw)
		}
		sw := in.Mail.WaitCount(t, 1, mailtest.To("juma@partner.example"))[0]
		if want := i18n.T("en", "mail.invitation.subject", "Fabrikam"); sw.Subject != want {
			t.Fatalf("sw mail subject = %q, want English %q", sw.Subject, want)
		}

		refusals := []struct {
			name   string
			c      *http.Client
			body   any
			status int
			code   string
			want   string
		}{
			{"own_verified_domain", admin, map[string]any{"invitedUserEmailAddress": "bob@fabrikam.example", "inviteRedirectUrl": "https://apps.fabrikam.example"},
				400, "BadRequest", "This user cannot be invited because the domain of the user's email address is a verified domain of this directory."},
			{"own_initial_domain", admin, map[string]any{"invitedUserEmailAddress": "bob@" + tn.InitialDomain, "inviteRedirectUrl": "https://apps.fabrikam.example"},
				400, "BadRequest", "verified domain of this directory"},
			{"member_needs_user_readwrite_all", inviter, map[string]any{"invitedUserEmailAddress": "mia@partner.example", "inviteRedirectUrl": "https://apps.fabrikam.example", "invitedUserType": "Member"},
				403, "Authorization_RequestDenied", "Insufficient privileges"},
			{"bad_message_language", inviter, map[string]any{"invitedUserEmailAddress": "mia@partner.example", "inviteRedirectUrl": "https://apps.fabrikam.example",
				"invitedUserMessageInfo": map[string]any{"messageLanguage": "english please"}}, 400, "BadRequest", "messageLanguage"},
			{"wrong_nested_type", inviter, map[string]any{"invitedUserEmailAddress": "mia@partner.example", "inviteRedirectUrl": "https://apps.fabrikam.example",
				"invitedUserMessageInfo": map[string]any{"@odata.type": "#microsoft.graph.user"}}, 400, "BadRequest", "#microsoft.graph.invitedUserMessageInfo"},
			{"unknown_sponsor", inviter, map[string]any{"invitedUserEmailAddress": "mia@partner.example", "inviteRedirectUrl": "https://apps.fabrikam.example",
				"invitedUserSponsors": []any{map[string]any{"id": uuid.NewString()}}}, 400, "BadRequest", "invitedUserSponsors"},
		}
		for _, c := range refusals {
			var e graphEnvelope
			if s := e2etest.API(t, c.c, http.MethodPost, u, c.body, &e); s != c.status || e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.want) {
				t.Errorf("%s: %d %+v, want %d %s %q", c.name, s, e.Error, c.status, c.code, c.want)
			}
		}
		var users struct{ Value []map[string]any }
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users", nil, &users)
		for _, usr := range users.Value {
			if m, _ := usr["mail"].(string); m == "bob@fabrikam.example" || m == "mia@partner.example" {
				t.Fatalf("a refused invitation wrote user %v", usr)
			}
		}
		// With User.ReadWrite.All a Member invitation is made.
		if s := e2etest.API(t, admin, http.MethodPost, u, map[string]any{"invitedUserEmailAddress": "mia@partner.example", "inviteRedirectUrl": "https://apps.fabrikam.example", "invitedUserType": "Member"}, nil); s != http.StatusCreated {
			t.Fatalf("Member invitation with User.ReadWrite.All = %d", s)
		}
	})
}

// TestAdminAPIPathsAndRequestIDs: segment names and the configuration id
// ignore case; the authentication methods policy and its collection are
// served; a wrong method is 405 and /beta a 400, both in Graph's envelope;
// request-id is the server's GUID and client-request-id echoes the
// client's, in the headers and in innerError.
func TestAdminAPIPathsAndRequestIDs(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, reader := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "Policy.Read.All")

		var cfg map[string]any
		if s := e2etest.API(t, reader, http.MethodGet, in.URL+"/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Email", nil, &cfg); s != http.StatusOK || cfg["id"] != "Email" {
			t.Fatalf("GET …/Email = %d %v", s, cfg)
		}
		if s := e2etest.API(t, reader, http.MethodGet, in.URL+"/v1.0/Policies/AuthenticationMethodsPolicy/authenticationMethodConfigurations/EMAIL", nil, &cfg); s != http.StatusOK || cfg["id"] != "Email" {
			t.Fatalf("GET with other case = %d %v", s, cfg)
		}
		var pol map[string]any
		if s := e2etest.API(t, reader, http.MethodGet, in.URL+"/v1.0/policies/authenticationMethodsPolicy", nil, &pol); s != http.StatusOK ||
			pol["id"] != "authenticationMethodsPolicy" || pol["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationMethodsPolicy/$entity" {
			t.Fatalf("GET authenticationMethodsPolicy = %d %v", s, pol)
		}
		confs := pol["authenticationMethodConfigurations"].([]any)
		if len(confs) != 1 || confs[0].(map[string]any)["@odata.type"] != "#microsoft.graph.emailAuthenticationMethodConfiguration" || confs[0].(map[string]any)["state"] != "enabled" {
			t.Fatalf("policy configurations = %v", confs)
		}
		var coll struct {
			Context string           `json:"@odata.context"`
			Value   []map[string]any `json:"value"`
		}
		if s := e2etest.API(t, reader, http.MethodGet, in.URL+"/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations", nil, &coll); s != http.StatusOK ||
			len(coll.Value) != 1 || coll.Value[0]["id"] != "Email" || coll.Context == "" {
			t.Fatalf("GET configurations = %d %+v", s, coll)
		}

		cases := []struct {
			name, method, path string
			status             int
			code               string
		}{
			{"wrong_method", http.MethodPut, "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email", 405, "Request_BadRequest"},
			{"wrong_method_on_collection", http.MethodDelete, "/v1.0/invitations", 405, "Request_BadRequest"},
			{"beta", http.MethodGet, "/beta/policies/authenticationMethodsPolicy", 400, "BadRequest"},
			{"unknown_segment", http.MethodGet, "/v1.0/nothingHere", 400, "BadRequest"},
			{"no_permission", http.MethodGet, "/v1.0/auditLogs/signIns", 403, "Authorization_RequestDenied"},
		}
		for _, c := range cases {
			req, _ := http.NewRequest(c.method, in.URL+c.path, nil)
			req.Header.Set("client-request-id", "ps-script-7")
			resp, err := reader.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var e graphEnvelope
			err = json.NewDecoder(resp.Body).Decode(&e)
			resp.Body.Close()
			id := resp.Header.Get("request-id")
			if _, perr := uuid.Parse(id); err != nil || perr != nil || resp.StatusCode != c.status || e.Error.Code != c.code ||
				!strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("%s: %d %q %+v (request-id %q): want %d %s in Graph's envelope", c.name, resp.StatusCode, resp.Header.Get("Content-Type"), e.Error, id, c.status, c.code)
				continue
			}
			if resp.Header.Get("client-request-id") != "ps-script-7" || e.Error.InnerError["client-request-id"] != "ps-script-7" ||
				e.Error.InnerError["request-id"] != id || e.Error.InnerError["date"] == "" {
				t.Errorf("%s: ids headers %q/%q, innerError %v", c.name, id, resp.Header.Get("client-request-id"), e.Error.InnerError)
			}
		}
		// Without a client-request-id, Graph answers one: the request id.
		status, h, _ := e2etest.GraphCall(t, reader, http.MethodGet, in.URL+"/v1.0/policies/authenticationMethodsPolicy", nil)
		if _, err := uuid.Parse(h.Get("request-id")); status != http.StatusOK || err != nil || h.Get("client-request-id") != h.Get("request-id") {
			t.Errorf("no client-request-id sent: %d request-id %q client-request-id %q", status, h.Get("request-id"), h.Get("client-request-id"))
		}
	})
}
