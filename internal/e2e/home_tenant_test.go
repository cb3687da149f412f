package e2e

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/member"
)

// anaPassword is the Contoso member's password in these tests.
const anaPassword = "staple-Battery-horse-42"

// contosoWithMember creates the managed tenant Contoso (contoso.example)
// with the member addr, who signs in with anaPassword.
func contosoWithMember(t *testing.T, in *e2etest.Instance, addr string) (directory.Tenant, directory.User) {
	t.Helper()
	ctx := context.Background()
	contoso, err := in.Srv.CreateTenant(ctx, directory.NewTenantRequest{Name: "Contoso", Domains: []string{"contoso.example"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := in.Srv.CreateMember(ctx, contoso, member.NewMember{UserPrincipalName: addr, DisplayName: "Ana", Password: anaPassword, AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return contoso, m
}

// codesTo counts passcode mails received for addr.
func codesTo(in *e2etest.Instance, addr string) int {
	n := 0
	for _, m := range in.Mail.Messages() {
		if mailtest.To(addr)(m) && strings.Contains(m.Subject, "verification code") {
			n++
		}
	}
	return n
}

// TestHomeTenantGuestNeverGetsPasscode is issue "Passcodes become the
// fallback", done when: a member of contoso.example invited to Fabrikam
// signs in at Contoso with a password, sees Review permissions once, and
// lands on the app with idp = Contoso's issuer, never sent a code (S3 step
// 1, azureActiveDirectory); teri@gmail.example, with nothing else, gets a
// passcode (R1); with passcodes disabled Teri gets the page naming the
// reason while the Contoso member still gets in (R9).
func TestHomeTenantGuestNeverGetsPasscode(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		contoso, _ := contosoWithMember(t, in, "ana@contoso.example")
		fab, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, policyAdminPerms...)
		anaID, _ := e2etest.InviteNoMail(t, in, admin, "ana@contoso.example")
		teriID, _ := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")
		rp := e2etest.NewRelyingParty(t, in, fab)

		f := rp.Begin()
		idt, _ := rp.Finish(f, rp.SignInAtHome(e2etest.NewBrowser(t), f, "ana@contoso.example", contoso, anaPassword))
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		contosoIssuer := in.URL + "/" + contoso.ID + "/v2.0"
		if claims["idp"] != contosoIssuer || claims["tid"] != fab.ID || claims["oid"] != anaID || claims["email"] != "ana@contoso.example" {
			t.Fatalf("S3_1_home_tenant: ID token claims %v; want idp %s, tid %s, oid %s", claims, contosoIssuer, fab.ID, anaID)
		}
		u := e2etest.GetUser(t, in, admin, anaID)
		if u["externalUserState"] != "Accepted" || u["userType"] != "Guest" || !strings.Contains(e2etest.JSONText(t, u["identities"]), `"issuer":"contoso.example"`) {
			t.Fatalf("the home-tenant guest after redemption: %v", u)
		}

		// A later sign-in, in a new browser: Contoso's password again, no Review permissions.
		f = rp.Begin()
		rp.Finish(f, rp.SignInAtHome(e2etest.NewBrowser(t), f, "ana@contoso.example", contoso, anaPassword))
		if rp.Consents != 1 {
			t.Fatalf("Review permissions shown %d times, want once (first redemption only)", rp.Consents)
		}

		// Teri has no other identity: a passcode (R1), and Review permissions.
		f = rp.Begin()
		idt, _ = rp.Finish(f, rp.SignIn(e2etest.NewBrowser(t), f, "teri@gmail.example"))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != "mail" || claims["oid"] != teriID {
			t.Fatalf("R1_passcode_fallback: claims %v, %v", claims, err)
		}

		// Passcodes off (R9): Teri is refused with the reason; Ana still gets in.
		setPolicy(t, in, admin, "disabled")
		p := signInAs(in, e2etest.NewBrowser(t), fab, "teri@gmail.example")
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "turned off sign-in with email one-time passcodes") || strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("R9_passcode_guest_refused: %d\n%s", p.Status, p.Body)
		}
		f = rp.Begin()
		rp.Finish(f, rp.SignInAtHome(e2etest.NewBrowser(t), f, "ana@contoso.example", contoso, anaPassword))

		if n := codesTo(in, "ana@contoso.example"); n != 0 {
			t.Fatalf("S3_1_home_tenant: %d passcode mails were sent to the Contoso member, want none", n)
		}
		if n := codesTo(in, "teri@gmail.example"); n != 1 {
			t.Fatalf("%d passcode mails to Teri, want 1", n)
		}
	})
}

// TestRedemptionOrderIsObeyed: with fallbackIdentityProvider
// emailOneTimePasscode, azureActiveDirectory last still comes before the
// fallback, and left out it is never used (S3 step 1 order, step 2).
func TestRedemptionOrderIsObeyed(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		contoso, _ := contosoWithMember(t, in, "ana@contoso.example")
		fab, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"},
			append(policyAdminPerms, "Policy.ReadWrite.CrossTenantAccess")...)
		e2etest.InviteNoMail(t, in, admin, "ana@contoso.example")
		setOrder := func(order []string) {
			t.Helper()
			status, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, in.URL+"/v1.0/policies/crossTenantAccessPolicy/default", map[string]any{
				"invitationRedemptionIdentityProviderConfiguration": map[string]any{
					"primaryIdentityProviderPrecedenceOrder": order, "fallbackIdentityProvider": "emailOneTimePasscode",
				},
			})
			if status != http.StatusNoContent {
				t.Fatalf("PATCH redemption order = %d %s", status, raw)
			}
		}

		setOrder([]string{"externalFederation", "socialIdentityProviders", "azureActiveDirectory"})
		p := e2etest.NewBrowser(t)
		next := p.Submit(in.URL, p.Get(in.URL+"/"+fab.ID+"/login"), "/"+fab.ID+"/login/next", map[string]string{"email": "ana@contoso.example"})
		if next.Status != http.StatusSeeOther || !strings.HasPrefix(next.Location, "/"+contoso.ID+"/login/home?") {
			t.Fatalf("S3_1_azureActiveDirectory_last_still_before_fallback: %d → %q\n%s", next.Status, next.Location, next.Body)
		}

		setOrder([]string{"externalFederation", "socialIdentityProviders"})
		if p := signInAs(in, e2etest.NewBrowser(t), fab, "ana@contoso.example"); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("S3_2_azureActiveDirectory_left_out_fallback_otp: %d\n%s", p.Status, p.Body)
		}
	})
}

// TestMemberSignsInWithPassword: a tenant's own member signs in to its app
// with a password; the ID token names no upstream idp. Failing cases: a
// wrong password (the same answer as an unknown account), a disabled
// account, the throttle after five wrong passwords.
func TestMemberSignsInWithPassword(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		contoso, ana := contosoWithMember(t, in, "ana@contoso.example")
		rp := e2etest.NewRelyingParty(t, in, contoso)
		password := func(b *e2etest.Browser, addr, pw string) e2etest.Page {
			t.Helper()
			login := b.Follow(in, b.Get(rp.Begin().URL))
			next := b.Submit(in.URL, login, "/"+contoso.ID+"/login/next", map[string]string{"email": addr})
			if next.Status != http.StatusOK || !strings.Contains(next.Body, `id="password"`) || strings.Contains(next.Body, `id="send-code"`) {
				t.Fatalf("a member is asked for a password: %d\n%s", next.Status, next.Body)
			}
			return b.Submit(in.URL, next, "/"+contoso.ID+"/login/password", map[string]string{"password": pw})
		}

		f := rp.Begin()
		b := e2etest.NewBrowser(t)
		login := b.Follow(in, b.Get(f.URL))
		next := b.Submit(in.URL, login, "/"+contoso.ID+"/login/next", map[string]string{"email": "ana@contoso.example"})
		idt, _ := rp.Finish(f, b.Follow(in, b.Submit(in.URL, next, "/"+contoso.ID+"/login/password", map[string]string{"password": anaPassword})))
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil || claims["oid"] != ana.ID || claims["tid"] != contoso.ID || claims["idp"] != nil {
			t.Fatalf("member ID token claims %v, %v; want oid %s and no idp", claims, err, ana.ID)
		}

		if p := password(e2etest.NewBrowser(t), "ana@contoso.example", "not-the-password-1"); p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "account or password is incorrect") {
			t.Fatalf("wrong password: %d\n%s", p.Status, p.Body)
		}
		for i := 0; i < 4; i++ {
			password(e2etest.NewBrowser(t), "ana@contoso.example", "not-the-password-1")
		}
		p := password(e2etest.NewBrowser(t), "ana@contoso.example", anaPassword)
		if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Too many wrong passwords") {
			t.Fatalf("throttled after 5 wrong passwords, even the right one: %d\n%s", p.Status, p.Body)
		}
		fake.Advance(member.DefaultLimits.Window + time.Second)
		if p := password(e2etest.NewBrowser(t), "ana@contoso.example", anaPassword); p.Status != http.StatusSeeOther {
			t.Fatalf("after the window, the member signs in again: %d\n%s", p.Status, p.Body)
		}

		if err := in.Srv.SetAccountEnabled(context.Background(), contoso, ana.ID, false); err != nil {
			t.Fatal(err)
		}
		if p := password(e2etest.NewBrowser(t), "ana@contoso.example", anaPassword); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "account is disabled") {
			t.Fatalf("disabled member: %d\n%s", p.Status, p.Body)
		}
	})
}

// TestConsentCancelLeavesInvitationPending: Review permissions links the
// tenant's privacy statement; Cancel keeps the guest PendingAcceptance, says so, and tells the app
// access_denied; the next sign-in asks again.
func TestConsentCancelLeavesInvitationPending(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		fab, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		if _, err := in.Srv.SetTenantPrivacyURL(context.Background(), fab, "https://fabrikam.example/privacy"); err != nil {
			t.Fatal(err)
		}
		id, _ := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")
		rp := e2etest.NewRelyingParty(t, in, fab)
		f := rp.Begin()
		b := e2etest.NewBrowser(t)
		login := b.Follow(in, b.Get(f.URL))
		tid := "/" + fab.ID
		next := b.Submit(in.URL, login, tid+"/login/next", map[string]string{"email": "teri@gmail.example"})
		code := b.Submit(in.URL, next, tid+"/login/send", nil)
		msgs := in.Mail.WaitCount(t, 1, mailtest.To("teri@gmail.example"))
		proved := b.Submit(in.URL, code, tid+"/login/verify", map[string]string{"code": e2etest.Passcode(t, msgs[0])})
		review := b.Get(in.URL + proved.Location)
		if !strings.Contains(review.Body, `<a href="https://fabrikam.example/privacy" id="privacy-link"`) {
			t.Fatalf("Review permissions links the tenant's privacy statement:\n%s", review.Body)
		}
		cancelled := b.Submit(in.URL, review, tid+"/consent/cancel", nil)
		if cancelled.Status != http.StatusOK || !strings.Contains(cancelled.Body, "didn&#39;t accept the invitation") {
			t.Fatalf("Cancel: %d\n%s", cancelled.Status, cancelled.Body)
		}
		back := e2etest.ActionLinkRe.FindStringSubmatch(cancelled.Body)
		if back == nil {
			t.Fatalf("Cancel offers no way back to the app:\n%s", cancelled.Body)
		}
		u, err := url.Parse(html.UnescapeString(back[1]))
		if err != nil || !strings.HasPrefix(u.String(), e2etest.RPRedirect) || u.Query().Get("error") != "access_denied" || u.Query().Get("state") != f.State {
			t.Fatalf("the app is told access_denied with its state: %q", back[1])
		}
		if got := e2etest.GetUser(t, in, admin, id); got["externalUserState"] != "PendingAcceptance" {
			t.Fatalf("after Cancel the guest is %v, want PendingAcceptance", got["externalUserState"])
		}
		// The proof is gone with the cookie: Accept now fails, nothing is redeemed.
		if p := b.Submit(in.URL, review, tid+"/consent/accept", nil); p.Status == http.StatusSeeOther {
			t.Fatalf("Accept after Cancel must not redeem: %d → %q", p.Status, p.Location)
		}
		if got := e2etest.GetUser(t, in, admin, id); got["externalUserState"] != "PendingAcceptance" {
			t.Fatalf("after Cancel and a stale Accept the guest is %v", got["externalUserState"])
		}
	})
}
