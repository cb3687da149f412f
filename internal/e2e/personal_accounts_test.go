package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/policy"
)

// ledToSignUp reports a redirect to the consumers directory's sign-up
// (a personal or unmanaged account to create, section 3 step 2).
func ledToSignUp(p e2etest.Page) bool {
	return p.Status == http.StatusSeeOther && strings.HasPrefix(p.Location, "/"+directory.ConsumersTenantID+"/signup?state=")
}

// usersWithMail counts the users of tn with the address.
func usersWithMail(t *testing.T, in *e2etest.Instance, tn directory.Tenant, addr string) int {
	t.Helper()
	us, err := in.Srv.ListUsers(context.Background(), tn)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, u := range us {
		if strings.EqualFold(u.Mail, addr) {
			n++
		}
	}
	return n
}

// TestPersonalAccountRedeemsWithoutPasscode is issue 13, done when (1): a
// person creates a personal account by self-service sign-up (a mailed
// code, then a password), a second sign-up for the address signs in
// instead and creates no second account, and, invited to Fabrikam, redeems
// with the personal account (section 3 step 2, an existing personal
// account before the passcode) and is never sent an invitation passcode;
// the ID token's idp and the user's identities name the consumers issuer.
func TestPersonalAccountRedeemsWithoutPasscode(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		ctx := context.Background()
		consumers, err := in.Srv.ResolveTenant(ctx, directory.ConsumersTenantID)
		if err != nil {
			t.Fatal(err)
		}
		const addr = "pia@outlook.example"
		b := e2etest.NewBrowser(t)
		done := in.SignUpSteps(b, in.PersonalSignUp(b, addr), addr, "Create a personal account")
		if done.Location != e2etest.ConsumersPath+"/" {
			t.Fatalf("after a sign-up with no invitation, want the consumers directory's My Apps, got %q", done.Location)
		}
		if n := usersWithMail(t, in, consumers, addr); n != 1 {
			t.Fatalf("%d personal accounts for %s, want 1", n, addr)
		}

		// A second sign-up for the address reads as a first one until the
		// code proves the mailbox; then it signs in instead (finding 10).
		again := e2etest.NewBrowser(t)
		fake.Advance(61 * time.Second) // one code a minute per address (R3)
		p := in.SignUpSteps(again, in.PersonalSignUp(again, addr), addr, "Create a personal account")
		if !strings.HasPrefix(p.Location, e2etest.ConsumersPath+"/login?login_hint=") || e2etest.CookieNamed(p.Header, "gg_session_"+directory.ConsumersTenantID) != nil {
			t.Fatalf("second_sign_up_signs_in_instead: %d → %q\n%s", p.Status, p.Location, p.Body)
		}
		if n := usersWithMail(t, in, consumers, addr); n != 1 {
			t.Fatalf("second_sign_up_signs_in_instead: %d personal accounts, want 1", n)
		}

		fab, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, policyAdminPerms...)
		id, _ := e2etest.InviteNoMail(t, in, admin, addr)
		codes := codesTo(in, addr)
		rp := e2etest.NewRelyingParty(t, in, fab)
		f := rp.Begin()
		idt, _ := rp.Finish(f, rp.SignInAtHome(e2etest.NewBrowser(t), f, addr, consumers, e2etest.PersonalPassword))
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		iss := in.URL + e2etest.ConsumersPath + "/v2.0"
		if claims["idp"] != iss || claims["oid"] != id || claims["tid"] != fab.ID {
			t.Fatalf("S3_2_existing_personal_account: claims %v, want idp %s", claims, iss)
		}
		u := e2etest.GetUser(t, in, admin, id)
		if u["externalUserState"] != "Accepted" || !strings.Contains(e2etest.JSONText(t, u["identities"]), `"issuer":"MicrosoftAccount"`) {
			t.Fatalf("the personal-account guest after redemption: %v", u)
		}
		if n := codesTo(in, addr); n != codes {
			t.Fatalf("S3_2_existing_personal_account: %d passcodes were sent at redemption, want none", n-codes)
		}

		// microsoftAccount: the fallback is always a personal account, and
		// one is offered to a person who has none.
		fb := policy.FallbackPersonalMSA
		if _, err := in.Srv.SetRedemptionPolicy(ctx, fab, policy.RedemptionPatch{Fallback: &fb}); err != nil {
			t.Fatal(err)
		}
		const kai = "kai@tailspin.example"
		kaiID, _ := e2etest.InviteNoMail(t, in, admin, kai)
		b = e2etest.NewBrowser(t)
		f = rp.Begin()
		login := b.Follow(in, b.Get(f.URL))
		next := b.Submit(in.URL, login, "/"+fab.ID+"/login/next", map[string]string{"email": kai})
		back := b.Get(in.URL + in.SignUpSteps(b, next, kai, "Create a personal account").Location)
		idt, _ = rp.Finish(f, b.Follow(in, in.ConsentStep(b, back, fab)))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != iss || claims["oid"] != kaiID {
			t.Fatalf("S3_2_microsoftAccount_creates_personal_account: claims %v, %v", claims, err)
		}
		if n := usersWithMail(t, in, consumers, kai); n != 1 {
			t.Fatalf("%d personal accounts for %s, want 1", n, kai)
		}
	})
}
