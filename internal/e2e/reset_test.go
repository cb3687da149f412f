package e2e

import (
	"context"
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
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/member"
)

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
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		id, link := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")
		b := e2etest.NewBrowser(t)
		redeemByPasscode(t, in, b, link, "teri@gmail.example")

		var res map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", e2etest.ResetBody(id, "teri@outlook.example", true), &res); s != http.StatusCreated {
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
		u := e2etest.GetUser(t, in, admin, id)
		if u["id"] != id || u["externalUserState"] != "PendingAcceptance" || u["mail"] != "teri@outlook.example" ||
			u["userPrincipalName"] != "teri_gmail.example#EXT#@"+tn.InitialDomain || len(u["identities"].([]any)) != 1 {
			t.Fatalf("R7_user_after_reset: %v", u)
		}
		if p := b.Get(in.URL + "/" + tn.ID + "/login"); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="email"`) {
			t.Fatalf("the reset ends the guest's session: /login = %d %q", p.Status, p.Location)
		}

		rec := e2etest.LatestAudit(t, in, admin)
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
		newLink := e2etest.RedeemLink(t, in.Mail.WaitFor(t, mailtest.To("teri@outlook.example")))
		redeemByPasscode(t, in, e2etest.NewBrowser(t), newLink, "teri@outlook.example")
		if u := e2etest.GetUser(t, in, admin, id); u["externalUserState"] != "Accepted" || u["id"] != id {
			t.Fatalf("R7_redeemed_again_same_object: %v", u)
		}
		// The old address is now no user: answered as a guest would be
		// (Enumeration), but Send code mails it nothing.
		before := len(in.Mail.Messages())
		ob := e2etest.NewBrowser(t)
		if p := ob.Submit(in.URL, signInAs(in, ob, tn, "teri@gmail.example"), "/"+tn.ID+"/login/send", nil); p.Status != http.StatusOK {
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
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		id, _ := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")
		e2etest.InviteNoMail(t, in, admin, "kim@contoso.example")
		inviter := appClient(t, in, tn, "Inviter", "User.Invite.All")
		noUser := e2etest.ResetBody(id, "teri@gmail.example", false)
		delete(noUser, "invitedUser")
		emptyUser := e2etest.ResetBody("", "teri@gmail.example", false)
		cases := []struct {
			rule   string
			c      *http.Client
			body   map[string]any
			status int
			code   string
		}{
			{"reset_requires_invitedUser_id", admin, noUser, http.StatusBadRequest, "BadRequest"},
			{"reset_requires_nonempty_id", admin, emptyUser, http.StatusBadRequest, "BadRequest"},
			{"reset_unknown_user", admin, e2etest.ResetBody(uuid.NewString(), "teri@gmail.example", false), http.StatusNotFound, "Request_ResourceNotFound"},
			{"reset_to_another_users_address", admin, e2etest.ResetBody(id, "Kim@Contoso.example", false), http.StatusBadRequest, "BadRequest"},
			{"reset_bad_address", admin, e2etest.ResetBody(id, "not an address", false), http.StatusBadRequest, "BadRequest"},
			{"reset_needs_User.ReadWrite.All", inviter, e2etest.ResetBody(id, "teri@gmail.example", false), http.StatusForbidden, "Authorization_RequestDenied"},
		}
		for _, c := range cases {
			var env struct {
				Error struct{ Code, Message string }
			}
			if s := e2etest.API(t, c.c, http.MethodPost, in.URL+"/v1.0/invitations", c.body, &env); s != c.status || env.Error.Code != c.code {
				t.Errorf("%s: %d %+v, want %d %s", c.rule, s, env, c.status, c.code)
			}
		}
		if u := e2etest.GetUser(t, in, admin, id); u["mail"] != "teri@gmail.example" || u["externalUserState"] != "PendingAcceptance" {
			t.Fatalf("refused resets changed the user: %v", u)
		}
		// The log holds the two invitations of the set-up and nothing else.
		var page struct{ Value []map[string]any }
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits", nil, &page)
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
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		tn, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		id, link := e2etest.InviteNoMail(t, in, admin, "teri@contoso.example")
		redeemByPasscode(t, in, e2etest.NewBrowser(t), link, "teri@contoso.example")

		// Teri's organization arrives: a managed tenant with her domain and her as a member.
		contoso, err := in.Srv.CreateTenant(ctx, directory.NewTenantRequest{Name: "Contoso", Domains: []string{"contoso.example"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := in.Srv.CreateMember(ctx, contoso, member.NewMember{
			UserPrincipalName: "teri@contoso.example", DisplayName: "Teri", Password: anaPassword, AccountEnabled: true,
		}); err != nil {
			t.Fatal(err)
		}
		fake.Advance(2 * time.Minute)
		if p := signInAs(in, e2etest.NewBrowser(t), tn, "teri@contoso.example"); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("R7_otp_guest_keeps_otp: sign-in = %d\n%s", p.Status, p.Body)
		}
		if u := e2etest.GetUser(t, in, admin, id); u["externalUserState"] != "Accepted" || !strings.Contains(e2etest.JSONText(t, u["identities"]), `"issuer":"mail"`) {
			t.Fatalf("R7: the guest's IdP changed: %v", u)
		}

		res, err := in.Srv.ResetRedemption(ctx, tn, id, invitation.Request{RedirectURL: "https://apps.fabrikam.example/welcome"})
		if err != nil {
			t.Fatal(err)
		}
		if res.User.ID != id || res.User.ExternalUserState != directory.StatePendingAcceptance || res.User.IdP != directory.IdPNone || res.User.Mail != "teri@contoso.example" {
			t.Fatalf("R7_reset_keeps_object: %+v", res.User)
		}
		rec := e2etest.LatestAudit(t, in, admin)
		if app := rec["initiatedBy"].(map[string]any)["app"].(map[string]any); app["displayName"] != "guestgate CLI" || modified(rec)["Mail"] != [2]any{} {
			t.Fatalf("a CLI reset is audited as the CLI, without an address change: %v", rec)
		}
		// The next redemption decides again (not "already accepted"): Teri
		// now has a home tenant, so she signs in there, with no passcode.
		fake.Advance(2 * time.Minute)
		codes := codesTo(in, "teri@contoso.example")
		b := e2etest.NewBrowser(t)
		done := in.ConsentStep(b, in.HomeSignIn(b, b.Get(res.RedeemURL), contoso, anaPassword), tn)
		if done.Status != http.StatusSeeOther || done.Location != "https://apps.fabrikam.example/welcome" {
			t.Fatalf("R7_reset_redeems_at_home_tenant: %d → %q\n%s", done.Status, done.Location, done.Body)
		}
		u := e2etest.GetUser(t, in, admin, id)
		if u["externalUserState"] != "Accepted" || u["id"] != id || !strings.Contains(e2etest.JSONText(t, u["identities"]), `"issuer":"contoso.example"`) {
			t.Fatalf("R7_redeemed_again_same_object_home_tenant: %v", u)
		}
		if n := codesTo(in, "teri@contoso.example"); n != codes {
			t.Fatalf("R7: %d passcodes sent after the reset, want none", n-codes)
		}
	})
}
