package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/member"
)

// resetBody is a Graph reset-redemption request for user id.
func resetBody(id, addr string, send bool) map[string]any {
	return map[string]any{
		"invitedUserEmailAddress": addr, "inviteRedirectUrl": "https://apps.fabrikam.example/welcome",
		"sendInvitationMessage": send, "resetRedemption": true, "invitedUser": map[string]any{"id": id},
	}
}

// latestAudit returns the tenant's newest directoryAudit.
func latestAudit(t *testing.T, in *instance, c *http.Client) map[string]any {
	t.Helper()
	var page struct{ Value []map[string]any }
	if s := api(t, c, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits?$top=1", nil, &page); s != http.StatusOK || len(page.Value) != 1 {
		t.Fatalf("GET directoryAudits = %d, %d records", s, len(page.Value))
	}
	return page.Value[0]
}

// modified maps a record's first target's modified properties to [old, new].
func modified(r map[string]any) map[string][2]any {
	out := map[string][2]any{}
	for _, m := range r["targetResources"].([]any)[0].(map[string]any)["modifiedProperties"].([]any) {
		mp := m.(map[string]any)
		out[mp["displayName"].(string)] = [2]any{mp["oldValue"], mp["newValue"]}
	}
	return out
}

// TestResetRedemptionAPI (R7): POST /v1.0/invitations with resetRedemption
// keeps the user's object id, returns it to PendingAcceptance at a new
// address, mails a new invitation, ends the guest's sessions and writes an
// audit record; the guest then redeems again at the new address.
func TestResetRedemptionAPI(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := start(t, startOptions{dsn: dsn, clock: fake})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		id, link := inviteNoMail(t, in, admin, "teri@gmail.example")
		b := newBrowser(t)
		redeemByPasscode(t, in, b, link, "teri@gmail.example")

		var res map[string]any
		if s := api(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", resetBody(id, "teri@outlook.example", true), &res); s != http.StatusCreated {
			t.Fatalf("reset = %d %v", s, res)
		}
		keys := make([]string, 0, len(res))
		for k := range res {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		wantKeys := []string{"@odata.context", "id", "inviteRedeemUrl", "inviteRedirectUrl", "invitedUser", "invitedUserDisplayName",
			"invitedUserEmailAddress", "invitedUserMessageInfo", "invitedUserType", "resetRedemption", "sendInvitationMessage", "status"}
		if !reflect.DeepEqual(keys, wantKeys) {
			t.Errorf("invitation properties %v, want %v", keys, wantKeys)
		}
		if res["resetRedemption"] != true || res["status"] != "PendingAcceptance" || res["invitedUser"].(map[string]any)["id"] != id ||
			res["invitedUserEmailAddress"] != "teri@outlook.example" || res["sendInvitationMessage"] != true || res["inviteRedeemUrl"] == link {
			t.Fatalf("R7_reset_answer: %v", res)
		}
		u := getUser(t, in, admin, id)
		if u["id"] != id || u["externalUserState"] != "PendingAcceptance" || u["mail"] != "teri@outlook.example" ||
			u["userPrincipalName"] != "teri_gmail.example#EXT#@"+tn.InitialDomain || len(u["identities"].([]any)) != 1 {
			t.Fatalf("R7_user_after_reset: %v", u)
		}
		if p := b.get(in.URL + "/" + tn.ID + "/login"); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="email"`) {
			t.Fatalf("the reset ends the guest's session: /login = %d %q", p.Status, p.Location)
		}

		rec := latestAudit(t, in, admin)
		target := rec["targetResources"].([]any)[0].(map[string]any)
		if rec["activityDisplayName"] != "Invite external user with reset invitation status" || rec["category"] != "UserManagement" ||
			rec["loggedByService"] != "Invited Users" || target["id"] != id || target["type"] != "User" ||
			target["userPrincipalName"] != u["userPrincipalName"] ||
			rec["initiatedBy"].(map[string]any)["app"].(map[string]any)["displayName"] != "Fabrikam admin" {
			t.Fatalf("R7_reset_audited: %v", rec)
		}
		wantMod := map[string][2]any{
			"ExternalUserState": {`"Accepted"`, `"PendingAcceptance"`},
			"IdentityProvider":  {`"mail"`, nil},
			"Mail":              {`"teri@gmail.example"`, `"teri@outlook.example"`},
		}
		if got := modified(rec); !reflect.DeepEqual(got, wantMod) {
			t.Fatalf("R7_reset_old_and_new:\n got  %v\n want %v", got, wantMod)
		}
		if d := rec["additionalDetails"].([]any); len(d) != 1 || d[0].(map[string]any)["value"] != res["id"] {
			t.Fatalf("the record names the new invitation: %v", d)
		}

		fake.Advance(2 * time.Minute)
		newLink := redeemLink(t, in.Mail.WaitFor(t, mailtest.To("teri@outlook.example")))
		redeemByPasscode(t, in, newBrowser(t), newLink, "teri@outlook.example")
		if u := getUser(t, in, admin, id); u["externalUserState"] != "Accepted" || u["id"] != id {
			t.Fatalf("R7_redeemed_again_same_object: %v", u)
		}
		// The old address is now no user: answered as a guest would be
		// (Enumeration), but Send code mails it nothing.
		before := len(in.Mail.Messages())
		ob := newBrowser(t)
		if p := ob.submit(in.URL, signInAs(in, ob, tn, "teri@gmail.example"), "/"+tn.ID+"/login/send", nil); p.Status != http.StatusOK {
			t.Fatalf("Send code for the old address = %d\n%s", p.Status, p.Body)
		}
		time.Sleep(200 * time.Millisecond)
		for _, m := range in.Mail.Messages()[before:] {
			if slices.Contains(m.To, "teri@gmail.example") {
				t.Fatal("the old address no longer signs in, but a code was mailed to it")
			}
		}
	})
}

// TestResetRedemptionAPIRefusals: a reset without invitedUser.id, of an
// unknown user, to another user's address or without User.ReadWrite.All
// changes nothing and writes no audit record.
func TestResetRedemptionAPIRefusals(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		in := start(t, startOptions{dsn: dsn})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		id, _ := inviteNoMail(t, in, admin, "teri@gmail.example")
		inviteNoMail(t, in, admin, "kim@contoso.example")
		inviter := appClient(t, in, tn, "Inviter", "User.Invite.All")
		noUser := resetBody(id, "teri@gmail.example", false)
		delete(noUser, "invitedUser")
		emptyUser := resetBody("", "teri@gmail.example", false)
		cases := []struct {
			rule   string
			c      *http.Client
			body   map[string]any
			status int
			code   string
		}{
			{"reset_requires_invitedUser_id", admin, noUser, http.StatusBadRequest, "BadRequest"},
			{"reset_requires_nonempty_id", admin, emptyUser, http.StatusBadRequest, "BadRequest"},
			{"reset_unknown_user", admin, resetBody(uuid.NewString(), "teri@gmail.example", false), http.StatusNotFound, "Request_ResourceNotFound"},
			{"reset_to_another_users_address", admin, resetBody(id, "Kim@Contoso.example", false), http.StatusBadRequest, "BadRequest"},
			{"reset_bad_address", admin, resetBody(id, "not an address", false), http.StatusBadRequest, "BadRequest"},
			{"reset_needs_User.ReadWrite.All", inviter, resetBody(id, "teri@gmail.example", false), http.StatusForbidden, "Authorization_RequestDenied"},
		}
		for _, c := range cases {
			var env struct {
				Error struct{ Code, Message string }
			}
			if s := api(t, c.c, http.MethodPost, in.URL+"/v1.0/invitations", c.body, &env); s != c.status || env.Error.Code != c.code {
				t.Errorf("%s: %d %+v, want %d %s", c.rule, s, env, c.status, c.code)
			}
		}
		if u := getUser(t, in, admin, id); u["mail"] != "teri@gmail.example" || u["externalUserState"] != "PendingAcceptance" {
			t.Fatalf("refused resets changed the user: %v", u)
		}
		// The log holds the two invitations of the set-up and nothing else.
		var page struct{ Value []map[string]any }
		api(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits", nil, &page)
		for _, rec := range page.Value {
			if rec["activityDisplayName"] != "Invite external user" {
				t.Fatalf("a refused reset wrote an audit record: %v", rec)
			}
		}
		if len(page.Value) != 2 {
			t.Fatalf("audit records = %d, want the 2 invitations of the set-up", len(page.Value))
		}
	})
}

// TestR7PasscodeGuestKeepsPasscode (R7): a guest who redeemed with a
// passcode keeps it when a home-tenant account for the address appears
// later; after a reset (here by the CLI's path) the next redemption runs
// the decision again, and the object id survives.
func TestR7PasscodeGuestKeepsPasscode(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		fake := clock.NewFake(time.Now())
		in := start(t, startOptions{dsn: dsn, clock: fake})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		id, link := inviteNoMail(t, in, admin, "teri@contoso.example")
		redeemByPasscode(t, in, newBrowser(t), link, "teri@contoso.example")

		// Teri's organization arrives: a managed tenant with her domain and her as a member.
		contoso, err := in.srv.CreateTenant(ctx, directory.NewTenantRequest{Name: "Contoso", Domains: []string{"contoso.example"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.srv.CreateMember(ctx, contoso, member.NewMember{
			UserPrincipalName: "teri@contoso.example", DisplayName: "Teri", Password: anaPassword, AccountEnabled: true,
		}); err != nil {
			t.Fatal(err)
		}
		fake.Advance(2 * time.Minute)
		if p := signInAs(in, newBrowser(t), tn, "teri@contoso.example"); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("R7_otp_guest_keeps_otp: sign-in = %d\n%s", p.Status, p.Body)
		}
		if u := getUser(t, in, admin, id); u["externalUserState"] != "Accepted" || !strings.Contains(jsonText(t, u["identities"]), `"issuer":"mail"`) {
			t.Fatalf("R7: the guest's IdP changed: %v", u)
		}

		res, err := in.srv.ResetRedemption(ctx, tn, id, invitation.Request{RedirectURL: "https://apps.fabrikam.example/welcome"})
		if err != nil {
			t.Fatal(err)
		}
		if res.User.ID != id || res.User.ExternalUserState != directory.StatePendingAcceptance || res.User.IdP != directory.IdPNone || res.User.Mail != "teri@contoso.example" {
			t.Fatalf("R7_reset_keeps_object: %+v", res.User)
		}
		rec := latestAudit(t, in, admin)
		if app := rec["initiatedBy"].(map[string]any)["app"].(map[string]any); app["displayName"] != "guestgate CLI" || modified(rec)["Mail"] != [2]any{} {
			t.Fatalf("a CLI reset is audited as the CLI, without an address change: %v", rec)
		}
		// The next redemption decides again (not "already accepted"): Teri
		// now has a home tenant, so she signs in there, with no passcode.
		fake.Advance(2 * time.Minute)
		codes := codesTo(in, "teri@contoso.example")
		b := newBrowser(t)
		done := in.consentStep(b, in.homeSignIn(b, b.get(res.RedeemURL), contoso, anaPassword), tn)
		if done.Status != http.StatusSeeOther || done.Location != "https://apps.fabrikam.example/welcome" {
			t.Fatalf("R7_reset_redeems_at_home_tenant: %d → %q\n%s", done.Status, done.Location, done.Body)
		}
		u := getUser(t, in, admin, id)
		if u["externalUserState"] != "Accepted" || u["id"] != id || !strings.Contains(jsonText(t, u["identities"]), `"issuer":"contoso.example"`) {
			t.Fatalf("R7_redeemed_again_same_object_home_tenant: %v", u)
		}
		if n := codesTo(in, "teri@contoso.example"); n != codes {
			t.Fatalf("R7: %d passcodes sent after the reset, want none", n-codes)
		}
	})
}

// jsonText encodes v for a substring check.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
