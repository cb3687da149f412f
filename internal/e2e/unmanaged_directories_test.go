package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/server"
)

// Security round 2, finding 2 (R15): unmanaged directories cannot relay
// phishing. The reviewer's attack: with passcodes off and the default
// --unmanaged-redemption=seed, anyone at gmail.com who redeemed got an
// unmanaged directory "of gmail.com", was treated as its staff, opened
// its console, listed everyone who signed up at the domain and sent
// invitations in its name with any text and link.

const notAdministered = "This directory has no administrator"

// consolePaths are console pages and forms an account of a directory
// nobody administers tries.
var consolePaths = []struct{ method, path string }{
	{http.MethodGet, "/signin"}, {http.MethodGet, "/"}, {http.MethodGet, "/users"}, {http.MethodGet, "/invite"},
	{http.MethodPost, "/signin"}, {http.MethodPost, "/invite"},
}

// wantNoConsole checks every console path of tn answers the 403 page with
// b's cookies (a live session there, if b has one) and shows none of hidden.
func wantNoConsole(t *testing.T, in *e2etest.Instance, b *e2etest.Browser, tn directory.Tenant, rule string, hidden ...string) {
	t.Helper()
	for _, c := range consolePaths {
		req, _ := http.NewRequest(c.method, in.URL+"/"+tn.ID+"/admin"+c.path, strings.NewReader(url.Values{"email": {"x@example.com"}, "password": {"x"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", in.URL)
		p := b.Do(req)
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, notAdministered) || e2etest.CookieNamed(p.Header, "gg_session_"+tn.ID) != nil {
			t.Fatalf("%s: %s %s = %d\n%s", rule, c.method, c.path, p.Status, p.Body)
		}
		for _, h := range hidden {
			if strings.Contains(p.Body, h) {
				t.Fatalf("%s: %s %s shows %s", rule, c.method, c.path, h)
			}
		}
	}
}

// signInThere signs addr in with a password at tn's own sign-in (a
// session there, as the console would use).
func signInThere(t *testing.T, in *e2etest.Instance, b *e2etest.Browser, tn directory.Tenant, addr, password string) {
	t.Helper()
	next := signInAs(in, b, tn, addr)
	if !strings.Contains(next.Body, `id="password"`) {
		t.Fatalf("%s's sign-in for %s: %d\n%s", tn.DisplayName, addr, next.Status, next.Body)
	}
	done := b.Submit(in.URL, next, "/"+tn.ID+"/login/password", map[string]string{"password": password})
	if done.Status != http.StatusSeeOther || e2etest.CookieNamed(done.Header, "gg_session_"+tn.ID) == nil {
		t.Fatalf("%s's password sign-in for %s = %d\n%s", tn.DisplayName, addr, done.Status, done.Body)
	}
}

// phishingInvitation is what the reviewer sent "on behalf of gmail.com".
func phishingInvitation(to string) map[string]any {
	return map[string]any{
		"invitedUserEmailAddress": to, "inviteRedirectUrl": "https://evil.example/reset", "sendInvitationMessage": true,
		"invitedUserMessageInfo": map[string]any{"customizedMessageBody": "Security notice: confirm your account now."},
	}
}

// TestPublicMailDomainsGetNoDirectory (R15) is the reviewer's gmail attack
// end to end: an invited gmail.com guest, passcodes off, seed, creates a
// personal account (no directory for gmail.com), and so does an address
// at a domain the operator added to the list; that account opens no
// console (the consumers directory has no administrator).
func TestPublicMailDomainsGetNoDirectory(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Configure: func(c *server.Config) {
			c.UnmanagedRedemption = server.UnmanagedSeed
			c.PublicMailDomains = []string{"mail.example.net"}
		}})
		ctx := context.Background()
		contoso, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Contoso"}, policyAdminPerms...)
		setPolicy(t, in, admin, "disabled")
		rp := e2etest.NewRelyingParty(t, in, contoso)
		for _, c := range []struct{ rule, addr, domain string }{
			{"R15_builtin_public_domain", "mallory@gmail.com", "gmail.com"},
			{"R15_operator_added_public_domain", "eve@mail.example.net", "mail.example.net"},
		} {
			id, _ := e2etest.InviteNoMail(t, in, admin, c.addr)
			claims := signUpRedeem(t, in, rp, c.addr, "Create a personal account")
			if claims["idp"] != issuerOf(in, directory.ConsumersTenantID) || claims["oid"] != id {
				t.Fatalf("%s: claims %v, want a personal account", c.rule, claims)
			}
			if tn, err := in.Srv.ResolveTenant(ctx, c.domain); err == nil {
				t.Fatalf("%s: a directory for %s: %+v", c.rule, c.domain, tn)
			}
		}
		consumers, err := in.Srv.ResolveTenant(ctx, directory.ConsumersTenantID)
		if err != nil {
			t.Fatal(err)
		}
		b := e2etest.NewBrowser(t)
		signInThere(t, in, b, consumers, "mallory@gmail.com", e2etest.PersonalPassword)
		wantNoConsole(t, in, b, consumers, "R15_personal_account_administers_nothing", "eve@mail.example.net")
	})
}

// TestUnmanagedAccountAdministersNothing (R15): accounts of an unmanaged
// directory are not its administrators: no console page, no delegated
// Graph read or invitation, no invitation even from an app the operator
// registered there; once a managed tenant takes the directory over, its
// members are members like any other.
func TestUnmanagedAccountAdministersNothing(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		ctx := context.Background()
		adatum, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Adatum"}, policyAdminPerms...)
		setPolicy(t, in, admin, "disabled")
		rp := e2etest.NewRelyingParty(t, in, adatum)
		const lee, max = "lee@northwind.example", "max@northwind.example"
		for _, addr := range []string{lee, max} {
			e2etest.InviteNoMail(t, in, admin, addr)
			signUpRedeem(t, in, rp, addr, "Create an account for northwind.example")
		}
		um, err := in.Srv.ResolveTenant(ctx, "northwind.example")
		if err != nil || um.Managed {
			t.Fatalf("the unmanaged directory: %+v, %v", um, err)
		}

		// The console: no page, with or without a session there.
		wantNoConsole(t, in, e2etest.NewBrowser(t), um, "R15_no_console_without_session")
		b := e2etest.NewBrowser(t)
		signInThere(t, in, b, um, lee, e2etest.PersonalPassword)
		wantNoConsole(t, in, b, um, "R15_unmanaged_account_opens_no_console", max)

		// A delegated Graph token (an app the operator registered there):
		// no directory read, no invitation.
		tool := adminTool(t, in, um, graphScopesAsked)
		tok := tool.MemberToken(lee, e2etest.PersonalPassword)
		client := oauth2.NewClient(ctx, oauth2.StaticTokenSource(tok))
		before := len(in.Mail.Messages())
		if st, _, raw := e2etest.GraphCall(t, client, http.MethodGet, in.URL+"/v1.0/users", nil); st != http.StatusForbidden || strings.Contains(string(raw), max) {
			t.Fatalf("R15_delegated_token_reads_nothing: GET users = %d %s", st, raw)
		}
		if st, _, raw := e2etest.GraphCall(t, client, http.MethodPost, in.URL+"/v1.0/invitations", phishingInvitation("victim@fabrikam.example")); st != http.StatusForbidden {
			t.Fatalf("R15_delegated_token_invites_nobody: POST invitations = %d %s", st, raw)
		}
		// Nor an app-only token: the directory invites nobody, by any path.
		_, app := in.TenantWithAdminIn(um, "User.Invite.All")
		if st, _, raw := e2etest.GraphCall(t, app, http.MethodPost, in.URL+"/v1.0/invitations", phishingInvitation("victim@fabrikam.example")); st != http.StatusForbidden {
			t.Fatalf("R15_unmanaged_directory_invites_nobody: POST invitations = %d %s", st, raw)
		}
		for _, m := range in.Mail.Messages()[before:] {
			if mailtest.To("victim@fabrikam.example")(m) {
				t.Fatalf("R15: an invitation reached the victim: %s", m.Subject)
			}
		}

		// Northwind's organisation takes the directory over: from then on
		// it is administered, and Lee is a member like any other.
		nw, err := in.Srv.CreateTenant(ctx, directory.NewTenantRequest{Name: "Northwind", Domains: []string{"northwind.example"}})
		if err != nil || nw.ID != um.ID || !nw.Managed {
			t.Fatalf("takeover: %+v, %v", nw, err)
		}
		fake.Advance(time.Minute) // the pages' tenant cache lives seconds
		cb := e2etest.NewBrowser(t)
		form := cb.Get(in.URL + "/" + nw.ID + "/admin/signin")
		done := cb.Submit(in.URL, form, "/"+nw.ID+"/admin/signin", map[string]string{"email": lee, "password": e2etest.PersonalPassword})
		if done.Status != http.StatusSeeOther || done.Location != "/"+nw.ID+"/admin/" {
			t.Fatalf("R15_console_after_takeover: %d → %q\n%s", done.Status, done.Location, done.Body)
		}
	})
}

// TestUninvitedDirectAppLinkRefused (R15; section 5's "direct app link
// without a pre-added guest"): at a tenant with passcodes off, a person
// with no invitation is led through the sign-up pages an invited guest
// gets (which never claim an invitation), and once the code proves the
// address is told the truth, with nothing created: no directory, no
// account, no user.
func TestUninvitedDirectAppLinkRefused(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		ctx := context.Background()
		contoso, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Contoso"}, policyAdminPerms...)
		setPolicy(t, in, admin, "disabled")
		rp := e2etest.NewRelyingParty(t, in, contoso)
		consumers, err := in.Srv.ResolveTenant(ctx, directory.ConsumersTenantID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ rule, addr, domain, heading string }{
			{"R15_uninvited_unmanaged_refused_before_creation", "ned@fourthcoffee.example", "fourthcoffee.example", "Create an account for fourthcoffee.example"},
			{"R15_uninvited_personal_refused_before_creation", "oscar@gmail.com", "gmail.com", "Create a personal account"},
		} {
			b := e2etest.NewBrowser(t)
			login := b.Follow(in, b.Get(rp.Begin().URL))
			next := b.Submit(in.URL, login, "/"+contoso.ID+"/login/next", map[string]string{"email": c.addr})
			if !ledToSignUp(next) {
				t.Fatalf("%s: want the sign-up an invited guest gets, got %d → %q", c.rule, next.Status, next.Location)
			}
			su := b.Get(in.URL + next.Location)
			if su.Status != http.StatusOK || !strings.Contains(su.Body, c.heading) || strings.Contains(su.Body, "invited you") {
				t.Fatalf("%s: the sign-up page claims an invitation or lacks %q:\n%s", c.rule, c.heading, su.Body)
			}
			before := len(in.Mail.Messages())
			code := b.Submit(in.URL, su, e2etest.ConsumersPath+"/signup/send", nil)
			msgs := in.Mail.WaitCount(t, before+1, func(mailtest.Received) bool { return true })
			refused := b.Submit(in.URL, code, e2etest.ConsumersPath+"/signup/verify", map[string]string{"code": e2etest.Passcode(t, msgs[len(msgs)-1]), "password": e2etest.PersonalPassword})
			if refused.Status != http.StatusForbidden || !strings.Contains(refused.Body, "This address wasn&#39;t invited") ||
				!strings.Contains(refused.Body, "Contoso hasn&#39;t invited this address") || e2etest.CookieNamed(refused.Header, "gg_session_"+directory.ConsumersTenantID) != nil {
				t.Fatalf("%s: after the code = %d\n%s", c.rule, refused.Status, refused.Body)
			}
			if tn, err := in.Srv.ResolveTenant(ctx, c.domain); err == nil {
				t.Fatalf("%s: a directory for %s: %+v", c.rule, c.domain, tn)
			}
			if n := usersWithMail(t, in, consumers, c.addr) + usersWithMail(t, in, contoso, c.addr); n != 0 {
				t.Fatalf("%s: %d users for %s", c.rule, n, c.addr)
			}
		}
	})
}
