package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/policy"
)

// emailPolicyPath is the email OTP policy resource (DESIGN section 4).
const emailPolicyPath = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email"

// policyAdminPerms are what the policy tests' admin app holds.
var policyAdminPerms = []string{"Policy.ReadWrite.AuthenticationMethod", "AuditLog.Read.All", "User.Invite.All", "User.ReadWrite.All"}

// policyTenant creates a tenant from req and an admin app holding perms.
func policyTenant(t *testing.T, in *e2etest.Instance, req directory.NewTenantRequest, perms ...string) (directory.Tenant, *http.Client) {
	t.Helper()
	tn, err := in.Srv.CreateTenant(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return tn, appClient(t, in, tn, req.Name+" admin", perms...)
}

// appClient registers an app holding perms and returns a client calling the
// admin API of in with its client-credentials token.
func appClient(t *testing.T, in *e2etest.Instance, tn directory.Tenant, name string, perms ...string) *http.Client {
	t.Helper()
	app, secret, err := in.Srv.CreateApp(context.Background(), tn.ID, name, perms, nil, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	return tokenClient(in, tn.ID, app.AppID, secret)
}

// tokenClient returns a client with tokens from in's token endpoint for an app.
func tokenClient(in *e2etest.Instance, tenantID, appID, secret string) *http.Client {
	cc := clientcredentials.Config{
		ClientID: appID, ClientSecret: secret,
		TokenURL: in.URL + "/" + tenantID + "/oauth2/v2.0/token",
		Scopes:   []string{"https://graph.microsoft.com/.default"},
	}
	return cc.Client(context.Background())
}

// setPolicy PATCHes allowExternalIdToUseEmailOtp and wants 204.
func setPolicy(t *testing.T, in *e2etest.Instance, c *http.Client, value string) {
	t.Helper()
	status, _, raw := e2etest.GraphCall(t, c, http.MethodPatch, in.URL+emailPolicyPath, map[string]any{
		"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "allowExternalIdToUseEmailOtp": value,
	})
	if status != http.StatusNoContent || len(raw) != 0 {
		t.Fatalf("PATCH allowExternalIdToUseEmailOtp=%s = %d %s, want 204 and no body", value, status, raw)
	}
}

// effective returns the effective state the API reports beside the policy.
func effective(t *testing.T, in *e2etest.Instance, c *http.Client) (state, reason string) {
	t.Helper()
	status, h, raw := e2etest.GraphCall(t, c, http.MethodGet, in.URL+emailPolicyPath, nil)
	if status != http.StatusOK {
		t.Fatalf("GET policy = %d %s", status, raw)
	}
	return h.Get("Guestgate-Email-Otp-Effective"), h.Get("Guestgate-Email-Otp-Reason")
}

// passcodesQueued counts passcode mails to addr in the outbox: a code is
// queued in the transaction that issues it, so this is every code sent.
func passcodesQueued(t *testing.T, in *e2etest.Instance, addr string) int {
	t.Helper()
	msgs, err := in.Srv.DB().ListMail(context.Background(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Kind == mail.KindPasscode && mailtest.To(addr)(mailtest.Received{To: m.To}) {
			n++
		}
	}
	return n
}

// redeemByPasscode follows a redeem link, presses Send code and types the
// mailed code; the guest lands on the invitation's redirect URL.
func redeemByPasscode(t *testing.T, in *e2etest.Instance, b *e2etest.Browser, link, addr string) {
	t.Helper()
	start := b.Get(link)
	if start.Status != http.StatusOK || !strings.Contains(start.Body, `id="send-code"`) {
		t.Fatalf("redeem page for %s = %d, want Send code:\n%s", addr, start.Status, start.Body)
	}
	before := len(in.Mail.Messages())
	sent := b.Submit(in.URL, start, "/redeem/send", nil)
	if sent.Status != http.StatusSeeOther {
		t.Fatalf("Send code = %d:\n%s", sent.Status, sent.Body)
	}
	codePage := b.Get(in.URL + sent.Location)
	msgs := in.Mail.WaitCount(t, before+1, func(mailtest.Received) bool { return true })
	code := e2etest.Passcode(t, msgs[len(msgs)-1])
	done := b.Submit(in.URL, codePage, "/redeem/verify", map[string]string{"code": code})
	if tenantID, ok := strings.CutSuffix(strings.TrimPrefix(done.Location, "/"), "/consent"); ok {
		tn, err := in.Srv.ResolveTenant(context.Background(), tenantID)
		if err != nil {
			t.Fatalf("verify = %d → %q: %v", done.Status, done.Location, err)
		}
		done = in.ConsentStep(b, done, tn)
	}
	if done.Status != http.StatusSeeOther || done.Location != "https://apps.fabrikam.example/welcome" {
		t.Fatalf("verify = %d → %q:\n%s", done.Status, done.Location, done.Body)
	}
}

// signInAs opens the tenant's sign-in page and gives addr: the answer is
// the Send code page for a guest who may use a passcode, else an error page.
func signInAs(in *e2etest.Instance, b *e2etest.Browser, tn directory.Tenant, addr string) e2etest.Page {
	b.T.Helper()
	login := b.Get(in.URL + "/" + tn.ID + "/login")
	return b.Submit(in.URL, login, "/"+tn.ID+"/login/next", map[string]string{"email": addr})
}

// TestEmailPolicyAPIShape: GET answers Graph's emailAuthenticationMethodConfiguration
// field for field; PATCH is partial and needs the @odata.type; DELETE
// reverts; bad values are 400 in Graph's error envelope; permissions (R10).
func TestEmailPolicyAPIShape(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, policyAdminPerms...)
		u := in.URL + emailPolicyPath
		defaultShape := map[string]any{
			"@odata.context":               "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity",
			"@odata.type":                  "#microsoft.graph.emailAuthenticationMethodConfiguration",
			"id":                           "Email",
			"state":                        "enabled",
			"allowExternalIdToUseEmailOtp": "default",
			"includeTargets@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations('Email')/microsoft.graph.emailAuthenticationMethodConfiguration/includeTargets",
			"includeTargets":               []any{map[string]any{"targetType": "group", "id": "all_users", "isRegistrationRequired": false}},
			"excludeTargets":               []any{},
		}
		var got map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, u, nil, &got); s != http.StatusOK || !reflect.DeepEqual(got, defaultShape) {
			t.Fatalf("S4_default_shape: GET = %d\n got  %v\n want %v", s, got, defaultShape)
		}

		bad := []struct {
			rule string
			body any
		}{
			{"S4_patch_without_odata_type", map[string]any{"allowExternalIdToUseEmailOtp": "enabled"}},
			{"S4_patch_other_odata_type", map[string]any{"@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", "allowExternalIdToUseEmailOtp": "enabled"}},
			{"S4_unknown_allow_value", map[string]any{"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "allowExternalIdToUseEmailOtp": "unknownFutureValue"}},
			{"S4_allow_value_wrong_case", map[string]any{"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "allowExternalIdToUseEmailOtp": "Enabled"}},
			{"S4_unknown_state", map[string]any{"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "state": "default"}},
			{"S4_null_value", map[string]any{"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "allowExternalIdToUseEmailOtp": nil}},
			{"S4_unknown_property", map[string]any{"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "allowExternalIdToUseSms": "enabled"}},
			{"S4_bad_target", map[string]any{"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "includeTargets": []any{map[string]any{"targetType": "device", "id": "x"}}}},
			{"S4_not_json", `{"@odata.type": `},
		}
		for _, c := range bad {
			status, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, u, c.body)
			var env struct {
				Error struct {
					Code, Message string
					InnerError    map[string]any
				}
			}
			if status != http.StatusBadRequest || json.Unmarshal(raw, &env) != nil || env.Error.Code != "BadRequest" || env.Error.Message == "" || env.Error.InnerError["request-id"] == nil {
				t.Errorf("%s: PATCH = %d %s, want 400 with Graph's error envelope", c.rule, status, raw)
			}
		}
		if e2etest.API(t, admin, http.MethodGet, u, nil, &got); !reflect.DeepEqual(got, defaultShape) {
			t.Fatalf("refused PATCHes changed the policy: %v", got)
		}

		// A partial update changes only what it names; a GET answer sent back is accepted.
		setPolicy(t, in, admin, "disabled")
		echo := map[string]any{}
		for k, v := range defaultShape {
			echo[k] = v
		}
		echo["state"], echo["allowExternalIdToUseEmailOtp"] = "disabled", "disabled"
		echo["excludeTargets"] = []any{map[string]any{"id": "11111111-2222-3333-4444-555555555555", "targetType": "group"}}
		if status, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, u, echo); status != http.StatusNoContent {
			t.Fatalf("PATCH of a GET answer = %d %s", status, raw)
		}
		want := map[string]any{}
		for k, v := range echo {
			want[k] = v
		}
		if e2etest.API(t, admin, http.MethodGet, u, nil, &got); !reflect.DeepEqual(got, want) {
			t.Fatalf("S4_patch_round_trip:\n got  %v\n want %v", got, want)
		}
		if status, _, raw := e2etest.GraphCall(t, admin, http.MethodDelete, u, nil); status != http.StatusNoContent || len(raw) != 0 {
			t.Fatalf("DELETE = %d %s, want 204", status, raw)
		}
		if e2etest.API(t, admin, http.MethodGet, u, nil, &got); !reflect.DeepEqual(got, defaultShape) {
			t.Fatalf("S4_delete_reverts_to_default: %v", got)
		}

		// R10: reading needs Policy.Read.All (or the write permission); writing needs Policy.ReadWrite.AuthenticationMethod.
		reader := appClient(t, in, tn, "Reader", "Policy.Read.All")
		if s := e2etest.API(t, reader, http.MethodGet, u, nil, nil); s != http.StatusOK {
			t.Errorf("R10_read_with_Policy.Read.All = %d", s)
		}
		for _, m := range []string{http.MethodPatch, http.MethodDelete} {
			var env struct{ Error struct{ Code string } }
			body := map[string]any{"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "allowExternalIdToUseEmailOtp": "disabled"}
			if s := e2etest.API(t, reader, m, u, body, &env); s != http.StatusForbidden || env.Error.Code != "Authorization_RequestDenied" {
				t.Errorf("R10_%s_without_write_permission = %d %v", m, s, env)
			}
		}
		none := appClient(t, in, tn, "Inviter", "User.Invite.All")
		if s := e2etest.API(t, none, http.MethodGet, u, nil, nil); s != http.StatusForbidden {
			t.Errorf("R10_read_without_permission = %d, want 403", s)
		}
		if state, _ := effective(t, in, admin); state != "enabled" {
			t.Fatalf("the refused writes changed the policy: effective %s", state)
		}
	})
}

// TestEmailPolicyChangesAreAudited: every PATCH, DELETE and CLI change
// writes one directoryAudit (who, when, old and new value), newest first,
// paged, readable with AuditLog.Read.All only.
func TestEmailPolicyChangesAreAudited(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Date(2030, 5, 6, 7, 8, 9, 123456000, time.UTC))
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		setPolicy(t, in, admin, "enabled")
		fake.Advance(time.Minute)
		setPolicy(t, in, admin, "enabled") // unchanged, still recorded
		fake.Advance(time.Minute)
		if _, err := in.Srv.SetEmailPolicy(context.Background(), tn, policy.AllowDisabled); err != nil {
			t.Fatal(err)
		}
		fake.Advance(time.Minute)
		if s, _, raw := e2etest.GraphCall(t, admin, http.MethodDelete, in.URL+emailPolicyPath, nil); s != http.StatusNoContent {
			t.Fatalf("DELETE = %d %s", s, raw)
		}

		var page struct {
			Context  string `json:"@odata.context"`
			NextLink string `json:"@odata.nextLink"`
			Value    []map[string]any
		}
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits", nil, &page); s != http.StatusOK || len(page.Value) != 4 {
			t.Fatalf("GET directoryAudits = %d, %d records; want 4", s, len(page.Value))
		}
		if page.Context != "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits" || page.NextLink != "" {
			t.Fatalf("page: %+v", page)
		}
		newest := page.Value[0]
		keys := []string{"id", "category", "correlationId", "result", "resultReason", "activityDisplayName", "activityDateTime",
			"loggedByService", "operationType", "initiatedBy", "targetResources", "additionalDetails"}
		if len(newest) != len(keys) {
			t.Errorf("directoryAudit has %d properties, want %v: %v", len(newest), keys, newest)
		}
		for _, k := range keys {
			if _, ok := newest[k]; !ok {
				t.Errorf("directoryAudit lacks %q: %v", k, newest)
			}
		}
		type rec struct {
			activity, at, by, old, new string
		}
		var got []rec
		for _, v := range page.Value {
			app := v["initiatedBy"].(map[string]any)["app"].(map[string]any)
			target := v["targetResources"].([]any)[0].(map[string]any)
			var allow map[string]any
			for _, m := range target["modifiedProperties"].([]any) {
				if mp := m.(map[string]any); mp["displayName"] == "allowExternalIdToUseEmailOtp" {
					allow = mp
				}
			}
			if v["category"] != "ApplicationManagement" || v["result"] != "success" || v["loggedByService"] != "Authentication Methods" ||
				target["id"] != "Email" || target["type"] != "Policy" || v["initiatedBy"].(map[string]any)["user"] != nil || allow == nil {
				t.Fatalf("R10_record_shape: %v", v)
			}
			got = append(got, rec{v["activityDisplayName"].(string), v["activityDateTime"].(string), app["displayName"].(string), allow["oldValue"].(string), allow["newValue"].(string)})
		}
		want := []rec{
			{"Authentication Methods Policy Reset", "2030-05-06T07:11:09.1234560Z", "Fabrikam admin", `"disabled"`, `"default"`},
			{"Authentication Methods Policy Update", "2030-05-06T07:10:09.1234560Z", "guestgate CLI", `"enabled"`, `"disabled"`},
			{"Authentication Methods Policy Update", "2030-05-06T07:09:09.1234560Z", "Fabrikam admin", `"enabled"`, `"enabled"`},
			{"Authentication Methods Policy Update", "2030-05-06T07:08:09.1234560Z", "Fabrikam admin", `"default"`, `"enabled"`},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("R10_who_when_old_new, newest first:\n got  %v\n want %v", got, want)
		}

		// Paging: $top and the next link.
		var p1, p2 struct {
			NextLink string `json:"@odata.nextLink"`
			Value    []map[string]any
		}
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits?$top=3", nil, &p1)
		if len(p1.Value) != 3 || p1.NextLink == "" {
			t.Fatalf("$top=3: %d records, next %q", len(p1.Value), p1.NextLink)
		}
		e2etest.API(t, admin, http.MethodGet, p1.NextLink, nil, &p2)
		if len(p2.Value) != 1 || p2.NextLink != "" || p2.Value[0]["id"] != page.Value[3]["id"] {
			t.Fatalf("second page: %+v", p2)
		}
		if s := e2etest.API(t, appClient(t, in, tn, "Policy admin", "Policy.ReadWrite.AuthenticationMethod"), http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits", nil, nil); s != http.StatusForbidden {
			t.Fatalf("R10_audit_needs_AuditLog.Read.All = %d, want 403", s)
		}
		// Another tenant sees none of these.
		_, other := policyTenant(t, in, directory.NewTenantRequest{Name: "Contoso"}, policyAdminPerms...)
		var empty struct{ Value []any }
		if e2etest.API(t, other, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits", nil, &empty); len(empty.Value) != 0 {
			t.Fatalf("another tenant sees %d records", len(empty.Value))
		}
	})
}

// TestR8EnablingKeepsRedeemedGuestsIdP (R8): a guest who redeemed with
// another identity provider keeps it when passcodes are enabled, and is
// never sent a code; a guest who has not redeemed gets the passcode.
func TestR8EnablingKeepsRedeemedGuestsIdP(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		setPolicy(t, in, admin, "disabled")
		homeID, _ := e2etest.InviteNoMail(t, in, admin, "kim@contoso.example")
		// Kim redeemed earlier with her home tenant (no such IdP runs here yet,
		// so the redemption is written as it would be).
		const issuer = "https://login.guestgate.test/contoso/v2.0"
		if err := in.Srv.DB().UpdateUser(context.Background(), tn.ID, homeID, func(u *directory.User) error {
			u.ExternalUserState, u.IdP, u.IdPIssuer = directory.StateAccepted, directory.IdPHomeTenant, issuer
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		_, newLink := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")

		setPolicy(t, in, admin, "enabled")
		p := signInAs(in, e2etest.NewBrowser(t), tn, "kim@contoso.example")
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "signs in elsewhere") || !strings.Contains(p.Body, "No code was sent") || strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("R8_home_tenant_guest_keeps_idp: sign-in = %d\n%s", p.Status, p.Body)
		}
		if n := passcodesQueued(t, in, "kim@contoso.example"); n != 0 {
			t.Fatalf("R8: %d passcodes sent to a guest whose IdP is homeTenant", n)
		}
		u := e2etest.GetUser(t, in, admin, homeID)
		ids, _ := json.Marshal(u["identities"])
		if u["externalUserState"] != "Accepted" || !strings.Contains(string(ids), `"issuer":"contoso.example"`) {
			t.Fatalf("R8: the guest's redemption changed: %v", u)
		}
		// The guest who has not redeemed yet redeems with a passcode.
		redeemByPasscode(t, in, e2etest.NewBrowser(t), newLink, "teri@gmail.example")
	})
}

// TestR9DisablingRefusesPasscodeGuests (R9): after disabling, a guest who
// redeemed with a passcode is refused with a page naming the reason, no code
// is sent and a live session no longer signs them in; after a reset, the
// next redemption has no passcode to fall back to (public cloud: no
// unmanaged accounts in this deployment yet, so "no way to sign in"), and
// once passcodes are on again the guest redeems with one.
func TestR9DisablingRefusesPasscodeGuests(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		id, link := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")
		b := e2etest.NewBrowser(t)
		redeemByPasscode(t, in, b, link, "teri@gmail.example")
		sent := passcodesQueued(t, in, "teri@gmail.example")

		setPolicy(t, in, admin, "disabled")
		p := signInAs(in, e2etest.NewBrowser(t), tn, "teri@gmail.example")
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "turned off sign-in with email one-time passcodes") ||
			!strings.Contains(p.Body, "administrator") || strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("R9_refused_with_reason: sign-in = %d\n%s", p.Status, p.Body)
		}
		if live := b.Get(in.URL + "/" + tn.ID + "/login"); live.Status != http.StatusForbidden || !strings.Contains(live.Body, "turned off") {
			t.Fatalf("R9_live_session_refused: %d %q\n%s", live.Status, live.Location, live.Body)
		}
		if n := passcodesQueued(t, in, "teri@gmail.example"); n != sent {
			t.Fatalf("R9_no_code_sent: %d passcodes, want %d", n, sent)
		}

		var res map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
			"invitedUserEmailAddress": "teri@gmail.example", "inviteRedirectUrl": "https://apps.fabrikam.example/welcome",
			"resetRedemption": true, "invitedUser": map[string]any{"id": id},
		}, &res); s != http.StatusCreated {
			t.Fatalf("reset = %d %v", s, res)
		}
		newLink := res["inviteRedeemUrl"].(string)
		// Nothing else applies (no home tenant, no personal account): in the
		// public cloud the next IdP is an unmanaged account, created by
		// sign-up (section 3 step 2, section 5 row 3), not a passcode.
		if p := e2etest.NewBrowser(t).Get(newLink); p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/"+directory.ConsumersTenantID+"/signup?state=") {
			t.Fatalf("R9_after_reset_next_idp_public_cloud: redeem = %d %q\n%s", p.Status, p.Location, p.Body)
		}
		if n := passcodesQueued(t, in, "teri@gmail.example"); n != sent {
			t.Fatalf("R9: a code was sent after the reset with passcodes off")
		}
		setPolicy(t, in, admin, "enabled")
		fake.Advance(2 * time.Minute) // past the resend interval of R3
		redeemByPasscode(t, in, e2etest.NewBrowser(t), newLink, "teri@gmail.example")
		if u := e2etest.GetUser(t, in, admin, id); u["externalUserState"] != "Accepted" || u["id"] != id {
			t.Fatalf("R9: after re-enabling, the reset guest redeems again: %v", u)
		}
	})
}

// TestAutoEnableDate (section 4): default is disabled before the
// deployment's auto-enable date and enabled after it, with no change
// written; an explicit value is not affected by the date. (The clock is
// set to 2021 here, so the test acts through the server's admin methods,
// as the CLI does, rather than with access tokens.)
func TestAutoEnableDate(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		auto := policy.DefaultAutoEnableDate
		fake := clock.NewFake(auto.Add(-time.Hour))
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		tn, err := in.Srv.CreateTenant(ctx, directory.NewTenantRequest{Name: "Fabrikam"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := in.Srv.Invite(ctx, tn, invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://apps.fabrikam.example/welcome"})
		if err != nil {
			t.Fatal(err)
		}
		wantEffective := func(rule string, enabled bool, reason policy.Reason) {
			t.Helper()
			v, err := in.Srv.EmailPolicy(ctx, tn)
			if err != nil || v.Effective.Enabled != enabled || v.Effective.Reason != reason {
				t.Fatalf("%s: effective %+v, %v; want %t (%s)", rule, v.Effective, err, enabled, reason)
			}
		}
		set := func(v policy.AllowExternal) {
			t.Helper()
			if _, err := in.Srv.SetEmailPolicy(ctx, tn, v); err != nil {
				t.Fatal(err)
			}
		}
		wantEffective("S4_default_before_date", false, policy.ReasonBeforeAutoEnable)
		// No passcode: the default fallback moves on to an unmanaged
		// account's sign-up (section 3 step 2).
		if p := e2etest.NewBrowser(t).Get(res.RedeemURL); !ledToSignUp(p) || strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("S4_before_date_no_passcode: redeem = %d %q\n%s", p.Status, p.Location, p.Body)
		}
		set(policy.AllowEnabled)
		wantEffective("S4_explicit_enabled_before_date", true, policy.ReasonExplicitEnabled)
		set(policy.AllowDefault)
		wantEffective("S4_default_still_before_date", false, policy.ReasonBeforeAutoEnable)
		fake.Set(auto.Add(time.Second))
		wantEffective("S4_default_after_date", true, policy.ReasonAutoEnabled)
		redeemByPasscode(t, in, e2etest.NewBrowser(t), res.RedeemURL, "teri@gmail.example")
		set(policy.AllowDisabled)
		wantEffective("S4_explicit_disabled_after_date", false, policy.ReasonExplicitDisabled)
	})
}

// TestPreviewTenant (section 4): a tenant that opted into the preview does
// not auto-enable; an explicit value leaves it a preview tenant; setting
// default through the API returns it to the three options (and auto-enable).
func TestPreviewTenant(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam", PreviewOptIn: true}, policyAdminPerms...)
		_, link := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")
		if state, reason := effective(t, in, admin); state != "disabled" || reason != string(policy.ReasonPreviewOptIn) {
			t.Fatalf("S4_preview_does_not_auto_enable: %s (%s)", state, reason)
		}
		if p := e2etest.NewBrowser(t).Get(link); !ledToSignUp(p) || strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("S4_preview_no_passcode: redeem = %d %q\n%s", p.Status, p.Location, p.Body)
		}
		setPolicy(t, in, admin, "disabled")
		if v, err := in.Srv.EmailPolicy(context.Background(), tn); err != nil || !v.PreviewOptIn {
			t.Fatalf("S4_explicit_value_keeps_preview: %+v, %v", v, err)
		}
		setPolicy(t, in, admin, "default")
		v, err := in.Srv.EmailPolicy(context.Background(), tn)
		if err != nil || v.PreviewOptIn || !v.Effective.Enabled || v.Effective.Reason != policy.ReasonAutoEnabled {
			t.Fatalf("S4_default_returns_preview_tenant_to_three_options: %+v, %v", v, err)
		}
		if got, err := in.Srv.ResolveTenant(context.Background(), tn.ID); err != nil || got.PreviewOptIn {
			t.Fatalf("the tenant is still marked preview: %+v, %v", got, err)
		}
		// The change takes effect at once, though the process caches tenants.
		redeemByPasscode(t, in, e2etest.NewBrowser(t), link, "teri@gmail.example")
		// The redemption is the newest record; the policy change precedes it.
		var page struct{ Value []map[string]any }
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits?$top=2", nil, &page)
		if len(page.Value) != 2 || page.Value[0]["activityDisplayName"] != "Redeem external user invite" {
			t.Fatalf("the redemption's record is not the newest: %v", page.Value)
		}
		props := page.Value[1]["targetResources"].([]any)[0].(map[string]any)["modifiedProperties"].([]any)
		want := map[string]any{"displayName": "previewOptIn", "oldValue": "true", "newValue": "false"}
		if len(props) != 2 || !reflect.DeepEqual(props[1], want) {
			t.Fatalf("S4_preview_cleared_is_audited: %v", props)
		}
	})
}

// TestUSGovTenant (R11): in the US Government cloud default means
// disabled, whatever the date, and a guest is never offered an unmanaged
// (or personal) account; enabling passcodes explicitly works.
func TestUSGovTenant(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Agency", Cloud: directory.CloudUSGov}, policyAdminPerms...)
		_, link := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")
		if state, reason := effective(t, in, admin); state != "disabled" || reason != string(policy.ReasonUSGovDefault) {
			t.Fatalf("R11_usgov_default_disabled: %s (%s)", state, reason)
		}
		p := e2etest.NewBrowser(t).Get(link)
		lower := strings.ToLower(p.Body)
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "No way to sign in") || strings.Contains(lower, "unmanaged") ||
			strings.Contains(lower, "personal account") || strings.Contains(lower, "create an account") || strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("R11_usgov_never_offers_unmanaged: redeem = %d\n%s", p.Status, p.Body)
		}
		if n := passcodesQueued(t, in, "teri@gmail.example"); n != 0 {
			t.Fatalf("R11: %d codes sent", n)
		}
		setPolicy(t, in, admin, "enabled")
		redeemByPasscode(t, in, e2etest.NewBrowser(t), link, "teri@gmail.example")
	})
}

// TestPolicyPatchStormTwoProcesses: two guestgate processes on one
// database each send concurrent PATCHes; every PATCH succeeds, both
// processes then read one value, the audit log holds exactly one record
// per PATCH, and the records chain (each old value is the previous record's
// new value; the newest new value is the stored one).
func TestPolicyPatchStormTwoProcesses(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		smtp := mailtest.Start(t)
		first := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Mail: smtp})
		second := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Mail: smtp})
		tn, err := first.Srv.CreateTenant(context.Background(), directory.NewTenantRequest{Name: "Fabrikam"})
		if err != nil {
			t.Fatal(err)
		}
		app, secret, err := first.Srv.CreateApp(context.Background(), tn.ID, "Storm", policyAdminPerms, nil, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		const perProcess = 20
		values := []string{"enabled", "disabled"}
		var wg sync.WaitGroup
		statuses := make(chan int, 2*perProcess)
		for _, in := range []*e2etest.Instance{first, second} {
			c := tokenClient(in, tn.ID, app.AppID, secret)
			e2etest.API(t, c, http.MethodGet, in.URL+emailPolicyPath, nil, nil) // fetch the token once, before the storm
			for i := range perProcess {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, _, _ := e2etest.GraphCall(t, c, http.MethodPatch, in.URL+emailPolicyPath, map[string]any{
						"@odata.type": "#microsoft.graph.emailAuthenticationMethodConfiguration", "allowExternalIdToUseEmailOtp": values[i%2],
					})
					statuses <- s
				}()
			}
		}
		wg.Wait()
		close(statuses)
		for s := range statuses {
			if s != http.StatusNoContent {
				t.Fatalf("a PATCH in the storm = %d, want 204", s)
			}
		}
		var finals []string
		for _, in := range []*e2etest.Instance{first, second} {
			var got map[string]any
			e2etest.API(t, tokenClient(in, tn.ID, app.AppID, secret), http.MethodGet, in.URL+emailPolicyPath, nil, &got)
			finals = append(finals, got["allowExternalIdToUseEmailOtp"].(string))
		}
		if finals[0] != finals[1] || (finals[0] != "enabled" && finals[0] != "disabled") {
			t.Fatalf("processes read %v, want one of the PATCHed values", finals)
		}
		var records []map[string]any
		next := first.URL + "/v1.0/auditLogs/directoryAudits?$top=7"
		c := tokenClient(first, tn.ID, app.AppID, secret)
		for next != "" {
			var page struct {
				NextLink string `json:"@odata.nextLink"`
				Value    []map[string]any
			}
			e2etest.API(t, c, http.MethodGet, next, nil, &page)
			records, next = append(records, page.Value...), page.NextLink
		}
		if len(records) != 2*perProcess {
			t.Fatalf("%d audit records for %d PATCHes", len(records), 2*perProcess)
		}
		allow := func(r map[string]any) (string, string) {
			m := r["targetResources"].([]any)[0].(map[string]any)["modifiedProperties"].([]any)[0].(map[string]any)
			return m["oldValue"].(string), m["newValue"].(string)
		}
		if _, newest := allow(records[0]); newest != `"`+finals[0]+`"` {
			t.Fatalf("the newest record's new value %s is not the final value %s", newest, finals[0])
		}
		for i := 0; i+1 < len(records); i++ {
			old, _ := allow(records[i])
			if _, prev := allow(records[i+1]); old != prev {
				t.Fatalf("record %d's old value %s is not record %d's new value %s", i, old, i+1, prev)
			}
		}
		if oldest, _ := allow(records[len(records)-1]); oldest != `"default"` {
			t.Fatalf("the oldest record's old value = %s, want \"default\"", oldest)
		}
	})
}
