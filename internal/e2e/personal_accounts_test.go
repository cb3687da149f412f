package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/policy"
)

// personalPassword is the password people choose at sign-up in these tests.
const personalPassword = "Lantern-orchid-7-river"

var consumersPath = "/" + directory.ConsumersTenantID

// signUpSteps runs the consumers directory's sign-up pages from the
// redirect to them: Send code, the mailed code and a password. It returns
// the answer to Create account (a redirect onwards).
func (in *instance) signUpSteps(b *browser, toSignUp page, addr, wantHeading string) page {
	in.t.Helper()
	if toSignUp.Status != http.StatusSeeOther || !strings.HasPrefix(toSignUp.Location, consumersPath+"/signup?state=") {
		in.t.Fatalf("want a redirect to the sign-up, got %d → %q:\n%s", toSignUp.Status, toSignUp.Location, toSignUp.Body)
	}
	start := b.get(in.URL + toSignUp.Location)
	if start.Status != http.StatusOK || !strings.Contains(start.Body, wantHeading) || !strings.Contains(start.Body, `id="send-code"`) {
		in.t.Fatalf("sign-up page (want %q) = %d:\n%s", wantHeading, start.Status, start.Body)
	}
	before := len(in.Mail.Messages())
	code := b.submit(in.URL, start, consumersPath+"/signup/send", nil)
	if code.Status != http.StatusOK || !strings.Contains(code.Body, `id="create-account"`) {
		in.t.Fatalf("sign-up Send code = %d:\n%s", code.Status, code.Body)
	}
	msgs := in.Mail.WaitCount(in.t, before+1, func(mailtest.Received) bool { return true })
	m := msgs[len(msgs)-1]
	if !mailtest.To(addr)(m) {
		in.t.Fatalf("sign-up code mailed to %v, want %s", m.To, addr)
	}
	done := b.submit(in.URL, code, consumersPath+"/signup/verify", map[string]string{"code": passcode(in.t, m), "password": personalPassword})
	if done.Status != http.StatusSeeOther {
		in.t.Fatalf("Create account = %d:\n%s", done.Status, done.Body)
	}
	return done
}

// personalSignUp creates addr's personal account at the consumers
// directory's own sign-up page, with no invitation.
func (in *instance) personalSignUp(b *browser, addr string) page {
	in.t.Helper()
	form := b.get(in.URL + consumersPath + "/signup")
	if form.Status != http.StatusOK || !strings.Contains(form.Body, `id="email"`) {
		in.t.Fatalf("sign-up form = %d:\n%s", form.Status, form.Body)
	}
	return b.submit(in.URL, form, consumersPath+"/signup/start", map[string]string{"email": addr})
}

// ledToSignUp reports a redirect to the consumers directory's sign-up
// (a personal or unmanaged account to create, section 3 step 2).
func ledToSignUp(p page) bool {
	return p.Status == http.StatusSeeOther && strings.HasPrefix(p.Location, "/"+directory.ConsumersTenantID+"/signup?state=")
}

// usersWithMail counts the users of tn with the address.
func usersWithMail(t *testing.T, in *instance, tn directory.Tenant, addr string) int {
	t.Helper()
	us, err := in.srv.ListUsers(context.Background(), tn)
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
	forEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := start(t, startOptions{dsn: dsn, clock: fake})
		ctx := context.Background()
		consumers, err := in.srv.ResolveTenant(ctx, directory.ConsumersTenantID)
		if err != nil {
			t.Fatal(err)
		}
		const addr = "pia@outlook.example"
		b := newBrowser(t)
		done := in.signUpSteps(b, in.personalSignUp(b, addr), addr, "Create a personal account")
		if done.Location != consumersPath+"/" {
			t.Fatalf("after a sign-up with no invitation, want the consumers directory's My Apps, got %q", done.Location)
		}
		if n := usersWithMail(t, in, consumers, addr); n != 1 {
			t.Fatalf("%d personal accounts for %s, want 1", n, addr)
		}

		// A second sign-up for the address reads as a first one until the
		// code proves the mailbox; then it signs in instead (finding 10).
		again := newBrowser(t)
		fake.Advance(61 * time.Second) // one code a minute per address (R3)
		p := in.signUpSteps(again, in.personalSignUp(again, addr), addr, "Create a personal account")
		if !strings.HasPrefix(p.Location, consumersPath+"/login?login_hint=") || cookieNamed(p.Header, "gg_session_"+directory.ConsumersTenantID) != nil {
			t.Fatalf("second_sign_up_signs_in_instead: %d → %q\n%s", p.Status, p.Location, p.Body)
		}
		if n := usersWithMail(t, in, consumers, addr); n != 1 {
			t.Fatalf("second_sign_up_signs_in_instead: %d personal accounts, want 1", n)
		}

		fab, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, policyAdminPerms...)
		id, _ := inviteNoMail(t, in, admin, addr)
		codes := codesTo(in, addr)
		rp := newRelyingParty(t, in, fab)
		f := rp.begin()
		idt, _ := rp.finish(f, rp.signInAtHome(newBrowser(t), f, addr, consumers, personalPassword))
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil {
			t.Fatal(err)
		}
		iss := in.URL + consumersPath + "/v2.0"
		if claims["idp"] != iss || claims["oid"] != id || claims["tid"] != fab.ID {
			t.Fatalf("S3_2_existing_personal_account: claims %v, want idp %s", claims, iss)
		}
		u := getUser(t, in, admin, id)
		if u["externalUserState"] != "Accepted" || !strings.Contains(jsonText(t, u["identities"]), `"issuer":"MicrosoftAccount"`) {
			t.Fatalf("the personal-account guest after redemption: %v", u)
		}
		if n := codesTo(in, addr); n != codes {
			t.Fatalf("S3_2_existing_personal_account: %d passcodes were sent at redemption, want none", n-codes)
		}

		// microsoftAccount: the fallback is always a personal account, and
		// one is offered to a person who has none.
		fb := policy.FallbackPersonalMSA
		if _, err := in.srv.SetRedemptionPolicy(ctx, fab, policy.RedemptionPatch{Fallback: &fb}); err != nil {
			t.Fatal(err)
		}
		const kai = "kai@tailspin.example"
		kaiID, _ := inviteNoMail(t, in, admin, kai)
		b = newBrowser(t)
		f = rp.begin()
		login := b.follow(in, b.get(f.url))
		next := b.submit(in.URL, login, "/"+fab.ID+"/login/next", map[string]string{"email": kai})
		back := b.get(in.URL + in.signUpSteps(b, next, kai, "Create a personal account").Location)
		idt, _ = rp.finish(f, b.follow(in, in.consentStep(b, back, fab)))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != iss || claims["oid"] != kaiID {
			t.Fatalf("S3_2_microsoftAccount_creates_personal_account: claims %v, %v", claims, err)
		}
		if n := usersWithMail(t, in, consumers, kai); n != 1 {
			t.Fatalf("%d personal accounts for %s, want 1", n, kai)
		}
	})
}
