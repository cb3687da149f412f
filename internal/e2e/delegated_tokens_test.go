package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
)

// graphScopesAsked are the delegated permissions the admin tool asks for.
var graphScopesAsked = []string{
	gooidc.ScopeOpenID, "profile",
	"https://graph.microsoft.com/User.Read.All", "https://graph.microsoft.com/User.Invite.All",
	"https://graph.microsoft.com/Policy.Read.All", "https://graph.microsoft.com/Policy.ReadWrite.AuthenticationMethod",
	"https://graph.microsoft.com/AuditLog.Read.All",
}

// adminTool is a public client (no secret, PKCE) asking for Graph's
// delegated permissions, as the reproduced product's admin tools do.
func adminTool(t *testing.T, in *e2etest.Instance, tn directory.Tenant, scopes []string) *e2etest.RelyingParty {
	t.Helper()
	app, _, err := in.Srv.CreateApp(context.Background(), tn.ID, "Admin tool", nil, []string{e2etest.RPRedirect}, nil, true)
	if err != nil {
		t.Fatal(err)
	}
	p, err := gooidc.NewProvider(context.Background(), in.URL+"/"+tn.ID+"/v2.0")
	if err != nil {
		t.Fatalf("go-oidc discovery: %v", err)
	}
	return &e2etest.RelyingParty{T: t, In: in, Tenant: tn, Provider: p, OAuth: oauth2.Config{
		ClientID: app.AppID, RedirectURL: e2etest.RPRedirect, Endpoint: p.Endpoint(), Scopes: scopes,
	}}
}

func jwtClaims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a JWT: %q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	if err != nil || json.Unmarshal(b, &c) != nil {
		t.Fatalf("access token payload: %v", err)
	}
	return c
}

// TestDelegatedGraphTokens (R10): a member signs in to a public client with
// authorization code + PKCE (go-oidc, x/oauth2) and gets a Graph token (aud
// https://graph.microsoft.com, scp with Graph's delegated permission names,
// the member's oid, no refresh token). The admin API allows what both the
// scopes and the member's roles allow: an Authentication Policy
// Administrator changes the email OTP policy, a User Administrator and a
// member without a role cannot but read users; a Guest Inviter invites;
// a token without the policy scope cannot change the policy even for a
// Global Administrator; authorizationPolicy.allowInvitesFrom decides who
// invites; a guest's token is refused everything. App-only
// tokens keep working.
func TestDelegatedGraphTokens(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		ctx := context.Background()
		const pw = "tulip-Quarry-2026"
		tn, ga, err := in.Srv.CreateTenantWithAdmin(ctx, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}},
			member.NewMember{UserPrincipalName: "admin@fabrikam.example", DisplayName: "Admin", Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		people := map[string]roles.Role{"apa": roles.AuthenticationPolicyAdministrator, "ua": roles.UserAdministrator, "gi": roles.GuestInviter, "plain": {}}
		for name, role := range people {
			u, err := in.Srv.CreateMember(ctx, tn, member.NewMember{UserPrincipalName: name + "@fabrikam.example", DisplayName: name, Password: pw, AccountEnabled: true})
			if err != nil {
				t.Fatal(err)
			}
			if role.TemplateID != "" {
				if _, err := in.Srv.AssignRole(ctx, tn, u.ID, role.DisplayName); err != nil {
					t.Fatal(err)
				}
			}
		}
		tool := adminTool(t, in, tn, append(graphScopesAsked, "offline_access"))
		_, settings := in.TenantWithAdminIn(tn, "Policy.ReadWrite.Authorization")
		setInvitesFrom := func(v string) {
			t.Helper()
			if s := e2etest.API(t, settings, http.MethodPatch, in.URL+"/v1.0/policies/authorizationPolicy", map[string]any{"allowInvitesFrom": v}, nil); s != http.StatusNoContent {
				t.Fatalf("PATCH authorizationPolicy = %d", s)
			}
		}
		setInvitesFrom("adminsAndGuestInviters")
		client := func(tok *oauth2.Token) *http.Client {
			return oauth2.NewClient(ctx, oauth2.StaticTokenSource(tok))
		}

		tok := tool.MemberToken("admin@fabrikam.example", pw)
		c := jwtClaims(t, tok.AccessToken)
		aud, _ := json.Marshal(c["aud"])
		scp, _ := c["scp"].(string)
		if !strings.Contains(string(aud), `"https://graph.microsoft.com"`) || c["oid"] != ga.ID || c["tid"] != tn.ID || c["idtyp"] != "user" ||
			!strings.Contains(" "+scp+" ", " Policy.ReadWrite.AuthenticationMethod ") || strings.Contains(scp, "https://") {
			t.Fatalf("delegated token claims = %v", c)
		}
		if tok.RefreshToken != "" {
			t.Fatal("a delegated Graph grant got a refresh token")
		}

		policyURL := in.URL + "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email"
		patch := func(v string) map[string]any {
			return map[string]any{"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "allowExternalIdToUseEmailOtp": v}
		}
		invite := func(c *http.Client, addr string) int {
			return e2etest.API(t, c, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": addr, "inviteRedirectUrl": "https://app.example/"}, nil)
		}
		cases := []struct {
			rule, who                   string
			patchPolicy, invite, users  int
			readPolicy, readAuditStatus int
		}{
			{"R10_global_administrator", "admin", 204, 201, 200, 200, 200},
			{"R10_authentication_policy_administrator", "apa", 204, 403, 200, 200, 403},
			{"R10_user_administrator", "ua", 403, 201, 200, 200, 403},
			{"R10_guest_inviter", "gi", 403, 201, 200, 200, 403},
			{"R10_no_role", "plain", 403, 403, 200, 200, 403},
		}
		for i, cs := range cases {
			t.Run(cs.rule, func(t *testing.T) {
				cl := client(tool.MemberToken(cs.who+"@fabrikam.example", pw))
				v := []string{"disabled", "enabled"}[i%2] // the last change (apa) leaves passcodes on for the guest below
				if s := e2etest.API(t, cl, http.MethodPatch, policyURL, patch(v), nil); s != cs.patchPolicy {
					t.Errorf("PATCH policy = %d, want %d", s, cs.patchPolicy)
				}
				if s := invite(cl, cs.who+"-guest@partner.example"); s != cs.invite {
					t.Errorf("invite = %d, want %d", s, cs.invite)
				}
				if s := e2etest.API(t, cl, http.MethodGet, in.URL+"/v1.0/users", nil, nil); s != cs.users {
					t.Errorf("GET users = %d, want %d", s, cs.users)
				}
				if s := e2etest.API(t, cl, http.MethodGet, policyURL, nil, nil); s != cs.readPolicy {
					t.Errorf("GET policy = %d, want %d", s, cs.readPolicy)
				}
				if s := e2etest.API(t, cl, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits", nil, nil); s != cs.readAuditStatus {
					t.Errorf("GET audits = %d, want %d", s, cs.readAuditStatus)
				}
			})
		}

		// Members without a role invite once all members may; no one once none may.
		plain := client(tool.MemberToken("plain@fabrikam.example", pw))
		setInvitesFrom("adminsGuestInvitersAndAllMembers")
		if s := invite(plain, "plain-2@partner.example"); s != http.StatusCreated {
			t.Fatalf("a member invites when all members may: %d", s)
		}
		setInvitesFrom("none")
		if s := invite(client(tool.MemberToken("admin@fabrikam.example", pw)), "admin-2@partner.example"); s != http.StatusForbidden {
			t.Fatalf("a Global Administrator invites when no one may: %d", s)
		}
		setInvitesFrom("everyone")

		// The scopes bound even a Global Administrator.
		narrow := adminTool(t, in, tn, []string{gooidc.ScopeOpenID, "https://graph.microsoft.com/User.Read.All"})
		nc := client(narrow.MemberToken("admin@fabrikam.example", pw))
		if s := e2etest.API(t, nc, http.MethodPatch, policyURL, patch("enabled"), nil); s != http.StatusForbidden {
			t.Fatalf("PATCH policy without the scope = %d, want 403", s)
		}

		// The policy change is audited as the member's.
		_, app := in.TenantWithAdminIn(tn, "AuditLog.Read.All")
		var audits struct{ Value []map[string]any }
		e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits", nil, &audits)
		found := false
		for _, a := range audits.Value {
			by, _ := json.Marshal(a["initiatedBy"])
			if strings.Contains(string(by), "apa@fabrikam.example") {
				found = true
			}
		}
		if !found {
			t.Fatalf("no audit record names the Authentication Policy Administrator: %v", audits.Value)
		}

		// A guest gets a token but no access.
		if _, err := in.Srv.Invite(ctx, tn, invitation.Request{Email: "ana@partner.example", RedirectURL: "https://app.example/"}); err != nil {
			t.Fatal(err)
		}
		f := tool.Begin()
		b := e2etest.NewBrowser(t)
		_, gtok := tool.Finish(f, tool.SignIn(b, f, "ana@partner.example"))
		gc := client(gtok)
		for _, u := range []string{in.URL + "/v1.0/users", policyURL} {
			if s := e2etest.API(t, gc, http.MethodGet, u, nil, nil); s != http.StatusForbidden {
				t.Fatalf("guest GET %s = %d, want 403", u, s)
			}
		}
	})
}
