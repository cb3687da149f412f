package e2e

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/member"
)

// anaPassword is the Contoso member's password in these tests.
const anaPassword = "staple-Battery-horse-42"

// contosoWithMember creates the managed tenant Contoso (contoso.example)
// with the member addr, who signs in with anaPassword.
func contosoWithMember(t *testing.T, in *instance, addr string) (directory.Tenant, directory.User) {
	t.Helper()
	ctx := context.Background()
	contoso, err := in.srv.CreateTenant(ctx, directory.NewTenantRequest{Name: "Contoso", Domains: []string{"contoso.example"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := in.srv.CreateMember(ctx, contoso, member.NewMember{UserPrincipalName: addr, DisplayName: "Ana", Password: anaPassword, AccountEnabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return contoso, m
}

// homeSignIn follows the redirect to the home tenant's sign-in, types the
// member's password and follows the way back: it returns the inviting
// tenant's answer (Review permissions the first time, else onwards).
func (in *instance) homeSignIn(b *browser, toHome page, home directory.Tenant, password string) page {
	in.t.Helper()
	if toHome.Status != http.StatusSeeOther || !strings.HasPrefix(toHome.Location, "/"+home.ID+"/login/home?handoff=") {
		in.t.Fatalf("want a redirect to %s's sign-in, got %d → %q:\n%s", home.DisplayName, toHome.Status, toHome.Location, toHome.Body)
	}
	pw := b.get(in.URL + toHome.Location)
	if pw.Status != http.StatusOK || !strings.Contains(pw.Body, `id="password"`) || !strings.Contains(pw.Body, "Sign in with your "+home.DisplayName+" account") {
		in.t.Fatalf("home tenant password page = %d:\n%s", pw.Status, pw.Body)
	}
	back := b.submit(in.URL, pw, "/"+home.ID+"/login/home", map[string]string{"password": password})
	if back.Status != http.StatusSeeOther || !strings.Contains(back.Location, "/login/home/return?handoff=") {
		in.t.Fatalf("after the password, want the way back, got %d → %q:\n%s", back.Status, back.Location, back.Body)
	}
	return b.get(in.URL + back.Location)
}

// signInAtHome runs an app's sign-in for a guest whose home tenant is home:
// address, the home tenant's password, back, Review permissions if asked.
func (rp *relyingParty) signInAtHome(b *browser, f authFlow, addr string, home directory.Tenant, password string) page {
	rp.t.Helper()
	login := b.follow(rp.in, b.get(f.url))
	next := b.submit(rp.in.URL, login, "/"+rp.tenant.ID+"/login/next", map[string]string{"email": addr})
	done := rp.in.homeSignIn(b, next, home, password)
	if strings.HasSuffix(done.Location, "/consent") {
		rp.consents++
		done = rp.in.consentStep(b, done, rp.tenant)
	}
	return b.follow(rp.in, done)
}

// actionLinkRe finds the link a message page offers.
var actionLinkRe = regexp.MustCompile(`<a href="([^"]*)" id="action-link">`)

// codesTo counts passcode mails received for addr.
func codesTo(in *instance, addr string) int {
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
	forEngine(t, func(t *testing.T, dsn string) {
		in := start(t, startOptions{dsn: dsn})
		contoso, _ := contosoWithMember(t, in, "ana@contoso.example")
		fab, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, policyAdminPerms...)
		anaID, _ := inviteNoMail(t, in, admin, "ana@contoso.example")
		teriID, _ := inviteNoMail(t, in, admin, "teri@gmail.example")
		rp := newRelyingParty(t, in, fab)

		f := rp.begin()
		idt, _ := rp.finish(f, rp.signInAtHome(newBrowser(t), f, "ana@contoso.example", contoso, anaPassword))
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		contosoIssuer := in.URL + "/" + contoso.ID + "/v2.0"
		if claims["idp"] != contosoIssuer || claims["tid"] != fab.ID || claims["oid"] != anaID || claims["email"] != "ana@contoso.example" {
			t.Fatalf("S3_1_home_tenant: ID token claims %v; want idp %s, tid %s, oid %s", claims, contosoIssuer, fab.ID, anaID)
		}
		u := getUser(t, in, admin, anaID)
		if u["externalUserState"] != "Accepted" || u["userType"] != "Guest" || !strings.Contains(jsonText(t, u["identities"]), `"issuer":"contoso.example"`) {
			t.Fatalf("the home-tenant guest after redemption: %v", u)
		}

		// A later sign-in, in a new browser: Contoso's password again, no Review permissions.
		f = rp.begin()
		rp.finish(f, rp.signInAtHome(newBrowser(t), f, "ana@contoso.example", contoso, anaPassword))
		if rp.consents != 1 {
			t.Fatalf("Review permissions shown %d times, want once (first redemption only)", rp.consents)
		}

		// Teri has no other identity: a passcode (R1), and Review permissions.
		f = rp.begin()
		idt, _ = rp.finish(f, rp.signIn(newBrowser(t), f, "teri@gmail.example"))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != "mail" || claims["oid"] != teriID {
			t.Fatalf("R1_passcode_fallback: claims %v, %v", claims, err)
		}

		// Passcodes off (R9): Teri is refused with the reason; Ana still gets in.
		setPolicy(t, in, admin, "disabled")
		p := signInAs(in, newBrowser(t), fab, "teri@gmail.example")
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "turned off sign-in with email one-time passcodes") || strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("R9_passcode_guest_refused: %d\n%s", p.Status, p.Body)
		}
		f = rp.begin()
		rp.finish(f, rp.signInAtHome(newBrowser(t), f, "ana@contoso.example", contoso, anaPassword))

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
	forEngine(t, func(t *testing.T, dsn string) {
		in := start(t, startOptions{dsn: dsn})
		contoso, _ := contosoWithMember(t, in, "ana@contoso.example")
		fab, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"},
			append(policyAdminPerms, "Policy.ReadWrite.CrossTenantAccess")...)
		inviteNoMail(t, in, admin, "ana@contoso.example")
		setOrder := func(order []string) {
			t.Helper()
			status, _, raw := graphCall(t, admin, http.MethodPatch, in.URL+"/v1.0/policies/crossTenantAccessPolicy/default", map[string]any{
				"invitationRedemptionIdentityProviderConfiguration": map[string]any{
					"primaryIdentityProviderPrecedenceOrder": order, "fallbackIdentityProvider": "emailOneTimePasscode",
				},
			})
			if status != http.StatusNoContent {
				t.Fatalf("PATCH redemption order = %d %s", status, raw)
			}
		}

		setOrder([]string{"externalFederation", "socialIdentityProviders", "azureActiveDirectory"})
		p := newBrowser(t)
		next := p.submit(in.URL, p.get(in.URL+"/"+fab.ID+"/login"), "/"+fab.ID+"/login/next", map[string]string{"email": "ana@contoso.example"})
		if next.Status != http.StatusSeeOther || !strings.HasPrefix(next.Location, "/"+contoso.ID+"/login/home?") {
			t.Fatalf("S3_1_azureActiveDirectory_last_still_before_fallback: %d → %q\n%s", next.Status, next.Location, next.Body)
		}

		setOrder([]string{"externalFederation", "socialIdentityProviders"})
		if p := signInAs(in, newBrowser(t), fab, "ana@contoso.example"); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="send-code"`) {
			t.Fatalf("S3_2_azureActiveDirectory_left_out_fallback_otp: %d\n%s", p.Status, p.Body)
		}
	})
}

// TestMemberSignsInWithPassword: a tenant's own member signs in to its app
// with a password; the ID token names no upstream idp. Failing cases: a
// wrong password (the same answer as an unknown account), a disabled
// account, the throttle after five wrong passwords.
func TestMemberSignsInWithPassword(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := start(t, startOptions{dsn: dsn, clock: fake})
		contoso, ana := contosoWithMember(t, in, "ana@contoso.example")
		rp := newRelyingParty(t, in, contoso)
		password := func(b *browser, addr, pw string) page {
			t.Helper()
			login := b.follow(in, b.get(rp.begin().url))
			next := b.submit(in.URL, login, "/"+contoso.ID+"/login/next", map[string]string{"email": addr})
			if next.Status != http.StatusOK || !strings.Contains(next.Body, `id="password"`) || strings.Contains(next.Body, `id="send-code"`) {
				t.Fatalf("a member is asked for a password: %d\n%s", next.Status, next.Body)
			}
			return b.submit(in.URL, next, "/"+contoso.ID+"/login/password", map[string]string{"password": pw})
		}

		f := rp.begin()
		b := newBrowser(t)
		login := b.follow(in, b.get(f.url))
		next := b.submit(in.URL, login, "/"+contoso.ID+"/login/next", map[string]string{"email": "ana@contoso.example"})
		idt, _ := rp.finish(f, b.follow(in, b.submit(in.URL, next, "/"+contoso.ID+"/login/password", map[string]string{"password": anaPassword})))
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil || claims["oid"] != ana.ID || claims["tid"] != contoso.ID || claims["idp"] != nil {
			t.Fatalf("member ID token claims %v, %v; want oid %s and no idp", claims, err, ana.ID)
		}

		if p := password(newBrowser(t), "ana@contoso.example", "not-the-password-1"); p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "account or password is incorrect") {
			t.Fatalf("wrong password: %d\n%s", p.Status, p.Body)
		}
		for i := 0; i < 4; i++ {
			password(newBrowser(t), "ana@contoso.example", "not-the-password-1")
		}
		p := password(newBrowser(t), "ana@contoso.example", anaPassword)
		if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Too many wrong passwords") {
			t.Fatalf("throttled after 5 wrong passwords, even the right one: %d\n%s", p.Status, p.Body)
		}
		fake.Advance(member.DefaultLimits.Window + time.Second)
		if p := password(newBrowser(t), "ana@contoso.example", anaPassword); p.Status != http.StatusSeeOther {
			t.Fatalf("after the window, the member signs in again: %d\n%s", p.Status, p.Body)
		}

		if err := in.srv.SetAccountEnabled(context.Background(), contoso, ana.ID, false); err != nil {
			t.Fatal(err)
		}
		if p := password(newBrowser(t), "ana@contoso.example", anaPassword); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "account is disabled") {
			t.Fatalf("disabled member: %d\n%s", p.Status, p.Body)
		}
	})
}

// TestConsentCancelLeavesInvitationPending: Review permissions links the
// tenant's privacy statement; Cancel keeps the guest PendingAcceptance, says so, and tells the app
// access_denied; the next sign-in asks again.
func TestConsentCancelLeavesInvitationPending(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		in := start(t, startOptions{dsn: dsn})
		fab, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
		if _, err := in.srv.SetTenantPrivacyURL(context.Background(), fab, "https://fabrikam.example/privacy"); err != nil {
			t.Fatal(err)
		}
		id, _ := inviteNoMail(t, in, admin, "teri@gmail.example")
		rp := newRelyingParty(t, in, fab)
		f := rp.begin()
		b := newBrowser(t)
		login := b.follow(in, b.get(f.url))
		tid := "/" + fab.ID
		next := b.submit(in.URL, login, tid+"/login/next", map[string]string{"email": "teri@gmail.example"})
		code := b.submit(in.URL, next, tid+"/login/send", nil)
		msgs := in.Mail.WaitCount(t, 1, mailtest.To("teri@gmail.example"))
		proved := b.submit(in.URL, code, tid+"/login/verify", map[string]string{"code": passcode(t, msgs[0])})
		review := b.get(in.URL + proved.Location)
		if !strings.Contains(review.Body, `<a href="https://fabrikam.example/privacy" id="privacy-link"`) {
			t.Fatalf("Review permissions links the tenant's privacy statement:\n%s", review.Body)
		}
		cancelled := b.submit(in.URL, review, tid+"/consent/cancel", nil)
		if cancelled.Status != http.StatusOK || !strings.Contains(cancelled.Body, "didn&#39;t accept the invitation") {
			t.Fatalf("Cancel: %d\n%s", cancelled.Status, cancelled.Body)
		}
		back := actionLinkRe.FindStringSubmatch(cancelled.Body)
		if back == nil {
			t.Fatalf("Cancel offers no way back to the app:\n%s", cancelled.Body)
		}
		u, err := url.Parse(html.UnescapeString(back[1]))
		if err != nil || !strings.HasPrefix(u.String(), rpRedirect) || u.Query().Get("error") != "access_denied" || u.Query().Get("state") != f.state {
			t.Fatalf("the app is told access_denied with its state: %q", back[1])
		}
		if got := getUser(t, in, admin, id); got["externalUserState"] != "PendingAcceptance" {
			t.Fatalf("after Cancel the guest is %v, want PendingAcceptance", got["externalUserState"])
		}
		// The proof is gone with the cookie: Accept now fails, nothing is redeemed.
		if p := b.submit(in.URL, review, tid+"/consent/accept", nil); p.Status == http.StatusSeeOther {
			t.Fatalf("Accept after Cancel must not redeem: %d → %q", p.Status, p.Location)
		}
		if got := getUser(t, in, admin, id); got["externalUserState"] != "PendingAcceptance" {
			t.Fatalf("after Cancel and a stale Accept the guest is %v", got["externalUserState"])
		}
	})
}
