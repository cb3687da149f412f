package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/roles"
)

// invitationQueuedTo reports whether an invitation to addr is in the
// outbox (mail is queued in the transaction of the change that sends it).
func invitationQueuedTo(t *testing.T, in *e2etest.Instance, addr string) bool {
	t.Helper()
	msgs, err := in.Srv.DB().ListMail(context.Background(), 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.Kind == mail.KindInvitation && slices.ContainsFunc(m.To, func(to string) bool { return strings.EqualFold(to, addr) }) {
			return true
		}
	}
	return false
}

// privilegedTenant is a tenant whose first member, admin, is a Global
// Administrator, with a User Administrator ua and root, an invited member
// who redeemed by passcode and was then made Global Administrator (the
// reviewer's target), and teri, a guest who redeemed.
func privilegedTenant(t *testing.T, in *e2etest.Instance) (tn directory.Tenant, users map[string]directory.User) {
	t.Helper()
	ctx := context.Background()
	tn, users = e2etest.ConsoleTenant(t, in, map[string]string{"ua": "User Administrator"})
	for _, p := range []struct {
		name, addr string
		typ        directory.UserType
	}{{"root", "root@partner.example", directory.UserTypeMember}, {"teri", "teri@gmail.example", directory.UserTypeGuest}} {
		res, err := in.Srv.Invite(ctx, tn, invitation.Request{Email: p.addr, RedirectURL: "https://apps.fabrikam.example/welcome", UserType: p.typ})
		if err != nil {
			t.Fatal(err)
		}
		redeemByPasscode(t, in, e2etest.NewBrowser(t), res.RedeemURL, p.addr)
		users[p.name] = res.User
	}
	if _, err := in.Srv.AssignRole(ctx, tn, users["root"].ID, "Global Administrator"); err != nil {
		t.Fatal(err)
	}
	return tn, users
}

// untouched fails unless u is still enabled, Accepted, at its own address.
func untouched(t *testing.T, in *e2etest.Instance, tn directory.Tenant, u directory.User) {
	t.Helper()
	got, err := in.Srv.GetUser(context.Background(), tn, u.ID)
	if err != nil {
		t.Fatalf("%s: %v", u.Mail, err)
	}
	if got.Mail != u.Mail || len(got.OtherMails) != 0 || !got.AccountEnabled || !got.TokensValidAfter.IsZero() ||
		(got.CreationType == "Invitation" && got.ExternalUserState != directory.StateAccepted) {
		t.Fatalf("%s changed: %+v", u.Mail, got)
	}
}

// insufficientPrivileges fails unless the answer is Graph's 403.
func insufficientPrivileges(t *testing.T, what string, status int, body map[string]any) {
	t.Helper()
	e, _ := body["error"].(map[string]any)
	if status != http.StatusForbidden || e["code"] != "Authorization_RequestDenied" || e["message"] != "Insufficient privileges to complete the operation." {
		t.Fatalf("%s = %d %v, want Graph's 403 Authorization_RequestDenied", what, status, body)
	}
}

// TestPrivilegedTargetsAPI (R14, finding 1 of the second security review):
// the reviewer's attack through the admin API. With a User
// Administrator's delegated token, and with an app token holding
// User.ReadWrite.All (and Directory.ReadWrite.All), resetting the
// redemption of an invited member who holds Global Administrator to an
// attacker's address is Graph's 403; so are changing its mail or
// otherMails, disabling, deleting and revoking its sessions; the account
// is unchanged and nothing is mailed to the attacker. The same token
// resets a guest; a Global Administrator's token resets the admin. The
// last enabled Global Administrator is neither disabled nor deleted
// (400), by an app with RoleManagement.ReadWrite.Directory or by itself;
// the operator's CLI may, and recovers the tenant with role assign.
func TestPrivilegedTargetsAPI(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		ctx := context.Background()
		tn, users := privilegedTenant(t, in)
		root, teri := users["root"], users["teri"]
		tool := adminTool(t, in, tn, []string{gooidc.ScopeOpenID, "https://graph.microsoft.com/User.Read.All",
			"https://graph.microsoft.com/User.ReadWrite.All", "https://graph.microsoft.com/User.Invite.All"})
		delegated := func(who string) *http.Client {
			return oauth2.NewClient(ctx, oauth2.StaticTokenSource(tool.MemberToken(who+"@fabrikam.example", e2etest.ConsolePassword)))
		}
		_, app := in.TenantWithAdminIn(tn, roles.UserReadWriteAll, roles.UserInviteAll, roles.DirectoryReadWriteAll)
		const attacker = "attacker@evil.example"
		userURL := in.URL + "/v1.0/users/" + root.ID

		for _, c := range []struct {
			who    string
			client *http.Client
		}{{"User Administrator (delegated)", delegated("ua")}, {"app with User.ReadWrite.All", app}} {
			var body map[string]any
			s := e2etest.API(t, c.client, http.MethodPost, in.URL+"/v1.0/invitations", e2etest.ResetBody(root.ID, attacker, true), &body)
			insufficientPrivileges(t, c.who+" resets a Global Administrator", s, body)
			for _, op := range []struct {
				what, method, url string
				body              any
			}{
				{"changes the mail of", http.MethodPatch, userURL, map[string]any{"mail": attacker}},
				{"changes the otherMails of", http.MethodPatch, userURL, map[string]any{"otherMails": []string{attacker}}},
				{"disables", http.MethodPatch, userURL, map[string]any{"accountEnabled": false}},
				{"revokes the sessions of", http.MethodPost, userURL + "/revokeSignInSessions", nil},
				{"deletes", http.MethodDelete, userURL, nil},
			} {
				body = nil
				s := e2etest.API(t, c.client, op.method, op.url, op.body, &body)
				insufficientPrivileges(t, c.who+" "+op.what+" a Global Administrator", s, body)
			}
			untouched(t, in, tn, root)
		}
		if invitationQueuedTo(t, in, attacker) {
			t.Fatal("an invitation was mailed to the attacker")
		}
		if _, err := in.Srv.DB().GetUserByMail(ctx, tn.ID, attacker); err == nil {
			t.Fatal("the attacker's address finds a user")
		}

		// The same token resets a guest; a Global Administrator resets the admin.
		if s := e2etest.API(t, delegated("ua"), http.MethodPost, in.URL+"/v1.0/invitations", e2etest.ResetBody(teri.ID, "teri@outlook.example", false), nil); s != http.StatusCreated {
			t.Fatalf("User Administrator resets a guest = %d", s)
		}
		if s := e2etest.API(t, app, http.MethodPatch, in.URL+"/v1.0/users/"+teri.ID, map[string]any{"accountEnabled": false}, nil); s != http.StatusNoContent {
			t.Fatalf("app disables a guest = %d", s)
		}
		if s := e2etest.API(t, delegated("admin"), http.MethodPost, in.URL+"/v1.0/invitations", e2etest.ResetBody(root.ID, "root@partner.example", false), nil); s != http.StatusCreated {
			t.Fatalf("Global Administrator resets a Global Administrator = %d", s)
		}

		// The last enabled Global Administrator stays.
		if s := e2etest.API(t, delegated("admin"), http.MethodDelete, userURL, nil, nil); s != http.StatusNoContent {
			t.Fatalf("Global Administrator deletes another = %d", s)
		}
		admin := users["admin"]
		_, roleApp := in.TenantWithAdminIn(tn, roles.UserReadWriteAll, roles.RoleManagementReadWrite)
		adminURL := in.URL + "/v1.0/users/" + admin.ID
		for _, c := range []struct {
			who    string
			client *http.Client
		}{{"app with RoleManagement.ReadWrite.Directory", roleApp}, {"the last Global Administrator itself", delegated("admin")}} {
			for _, op := range []struct {
				what, method string
				body         any
			}{{"disables", http.MethodPatch, map[string]any{"accountEnabled": false}}, {"deletes", http.MethodDelete, nil}} {
				var body struct {
					Error struct{ Code, Message string }
				}
				if s := e2etest.API(t, c.client, op.method, adminURL, op.body, &body); s != http.StatusBadRequest || body.Error.Code != "Request_BadRequest" ||
					!strings.Contains(body.Error.Message, "last Global Administrator") {
					t.Fatalf("%s %s the last Global Administrator = %d %+v, want 400", c.who, op.what, s, body)
				}
			}
		}
		untouched(t, in, tn, admin)

		// The operator's CLI may, and recovers the tenant.
		if err := in.Srv.SetAccountEnabled(ctx, tn, admin.ID, false); err != nil {
			t.Fatalf("the operator disables the last Global Administrator: %v", err)
		}
		if _, err := in.Srv.AssignRole(ctx, tn, users["ua"].ID, "Global Administrator"); err != nil {
			t.Fatalf("the operator assigns a new Global Administrator: %v", err)
		}
		if s := e2etest.API(t, delegated("ua"), http.MethodPatch, adminURL, map[string]any{"accountEnabled": true}, nil); s != http.StatusNoContent {
			t.Fatalf("the new Global Administrator enables the old one = %d", s)
		}
	})
}

// TestPrivilegedTargetsConsole (R14, finding 1): the reviewer's attack in
// the console. A User Administrator sees that the Global Administrator's
// account is protected and posting reset, disable, revoke or delete for it
// answers a 403 page that says why; the account is unchanged and nothing
// is mailed. The same admin resets a guest; a Global Administrator resets
// the admin.
func TestPrivilegedTargetsConsole(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, users := privilegedTenant(t, in)
		root, teri := users["root"], users["teri"]
		base := "/" + tn.ID + "/admin"
		ua := e2etest.ConsoleSignIn(t, in, tn, "ua")
		if p := ua.Get(in.URL + base + "/users/" + root.ID); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="privileged"`) ||
			!strings.Contains(p.Body, "This user holds an administrator role (Global Administrator).") {
			t.Fatalf("the Global Administrator's page for a User Administrator = %d\n%s", p.Status, p.Body)
		}
		for _, op := range []struct{ page, action string }{
			{"/users/" + root.ID + "/reset", "/users/" + root.ID + "/reset"},
			{"/users/" + root.ID, "/users/" + root.ID + "/disable"},
			{"/users/" + root.ID, "/users/" + root.ID + "/revoke"},
			{"/users/" + root.ID + "/delete", "/users/" + root.ID + "/delete"},
		} {
			p := e2etest.ConsolePost(t, in, ua, tn, op.page, op.action, nil)
			if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "Only a Global Administrator can do this") ||
				!strings.Contains(p.Body, "nothing was changed") {
				t.Fatalf("User Administrator posts %s = %d, want the 403 page\n%s", op.action, p.Status, p.Body)
			}
		}
		untouched(t, in, tn, root)
		if invitationQueuedTo(t, in, root.Mail) {
			t.Fatal("a reset invitation was mailed")
		}

		if p := ua.Get(in.URL + base + "/users/" + teri.ID); strings.Contains(p.Body, `id="privileged"`) {
			t.Fatalf("a guest's page says the guest is protected\n%s", p.Body)
		}
		if p := e2etest.ConsolePost(t, in, ua, tn, "/users/"+teri.ID+"/reset", "/users/"+teri.ID+"/reset", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("User Administrator resets a guest = %d\n%s", p.Status, p.Body)
		}
		ga := e2etest.ConsoleSignIn(t, in, tn, "admin")
		if p := ga.Get(in.URL + base + "/users/" + root.ID); strings.Contains(p.Body, `id="privileged"`) {
			t.Fatalf("the Global Administrator is told it cannot change an admin\n%s", p.Body)
		}
		if p := e2etest.ConsolePost(t, in, ga, tn, "/users/"+root.ID+"/reset", "/users/"+root.ID+"/reset", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("Global Administrator resets a Global Administrator = %d\n%s", p.Status, p.Body)
		}
	})
}
