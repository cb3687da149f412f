package e2e

import (
	"context"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// appSignUpCode runs an app's sign-in for an address with no account up
// to the sign-up offer, chooses the passcode and returns the code page
// and the mailed code.
func appSignUpCode(t *testing.T, in *e2etest.Instance, rp *e2etest.RelyingParty, b *e2etest.Browser, f e2etest.AuthFlow, addr string) (e2etest.Page, string) {
	t.Helper()
	tid := "/" + rp.Tenant.ID
	login := b.Follow(in, b.Get(f.URL))
	offer := b.Submit(in.URL, login, tid+"/login/next", map[string]string{"email": addr})
	for _, want := range []string{"Sign up for Wiki", "sign up as a guest of " + rp.Tenant.DisplayName, `id="signup-passcode"`, `id="signup-personal"`} {
		if offer.Status != http.StatusOK || !strings.Contains(offer.Body, want) {
			t.Fatalf("sign-up offer lacks %q: %d\n%s", want, offer.Status, offer.Body)
		}
	}
	before := len(in.Mail.Messages())
	code := b.Submit(in.URL, offer, tid+"/signup/app/send", nil)
	if code.Status != http.StatusOK || !strings.Contains(code.Body, `id="code"`) {
		t.Fatalf("sign-up Send code = %d\n%s", code.Status, code.Body)
	}
	msgs := in.Mail.WaitCount(t, before+1, func(mailtest.Received) bool { return true })
	return code, e2etest.Passcode(t, msgs[len(msgs)-1])
}

// TestAppSelfServiceSignUp is issue 13, done when (4): an app that offers
// sign-up (R13) lets a person with no invitation sign up with a passcode,
// review permissions like every first redemption (security round 2,
// finding 8: no guest exists before Accept) and land on the app as a
// guest with creationType SelfServiceSignUp, Accepted, audited. Failing
// cases: a second sign-up for the address signs in instead (no second
// user); a sign-up code used for sign-in is refused; an address outside
// the tenant's allowed domains is refused.
func TestAppSelfServiceSignUp(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		ctx := context.Background()
		fab, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, policyAdminPerms...)
		setPolicy(t, in, admin, "enabled")
		rp := e2etest.NewRelyingParty(t, in, fab)

		// Sign-up is off by default: an unknown address gets the sign-in
		// every address gets, no offer.
		p := signInAs(in, e2etest.NewBrowser(t), fab, "ivy@tailspin.example")
		if strings.Contains(p.Body, "Sign up for") {
			t.Fatalf("R13_sign_up_off_by_default: %s", p.Body)
		}
		if err := in.Srv.SetAppSignUp(ctx, fab.ID, rp.OAuth.ClientID, true); err != nil {
			t.Fatal(err)
		}

		const ivy = "ivy@tailspin.example"
		b := e2etest.NewBrowser(t)
		f := rp.Begin()
		code, pc := appSignUpCode(t, in, rp, b, f, ivy)
		done := b.Submit(in.URL, code, "/"+fab.ID+"/signup/app/verify", map[string]string{"code": pc})
		if n := usersWithMail(t, in, fab, ivy); n != 0 {
			t.Fatalf("F8_no_guest_before_review_permissions: %d users for %s", n, ivy)
		}
		idt, _ := rp.Finish(f, b.Follow(in, in.ConsentStep(b, done, fab)))
		var claims map[string]any
		if err := idt.Claims(&claims); err != nil || claims["idp"] != "mail" || claims["email"] != ivy || claims["tid"] != fab.ID {
			t.Fatalf("R13_sign_up_with_passcode: claims %v, %v", claims, err)
		}
		id, _ := claims["oid"].(string)
		u := e2etest.GetUser(t, in, admin, id)
		if u["creationType"] != "SelfServiceSignUp" || u["externalUserState"] != "Accepted" || u["userType"] != "Guest" ||
			u["userPrincipalName"] != "ivy_tailspin.example#EXT#@"+fab.InitialDomain {
			t.Fatalf("R13_guest_after_sign_up: %v", u)
		}
		if a := e2etest.LatestAudit(t, in, admin); a["activityDisplayName"] != "Add user (self-service sign-up)" || !strings.Contains(e2etest.JSONText(t, a["initiatedBy"]), rp.OAuth.ClientID) {
			t.Fatalf("R13_sign_up_audited: %v", a)
		}

		// A second sign-up for the address signs in instead: the sign-in
		// every guest gets (a passcode), the same user, no second one.
		f = rp.Begin()
		idt, _ = rp.Finish(f, rp.SignIn(e2etest.NewBrowser(t), f, ivy))
		if err := idt.Claims(&claims); err != nil || claims["oid"] != id {
			t.Fatalf("second_sign_up_signs_in_instead: claims %v, %v", claims, err)
		}
		if n := usersWithMail(t, in, fab, ivy); n != 1 {
			t.Fatalf("second_sign_up_signs_in_instead: %d users for %s, want 1", n, ivy)
		}

		// A sign-up code is no sign-in code: Sam asks for one, is then
		// invited, and tries it at the sign-in.
		const sam = "sam@tailspin.example"
		_, samCode := appSignUpCode(t, in, rp, e2etest.NewBrowser(t), rp.Begin(), sam)
		e2etest.InviteNoMail(t, in, admin, sam)
		sb := e2etest.NewBrowser(t)
		login := sb.Follow(in, sb.Get(rp.Begin().URL))
		next := sb.Submit(in.URL, login, "/"+fab.ID+"/login/next", map[string]string{"email": sam})
		if !strings.Contains(next.Body, `id="send-code"`) {
			t.Fatalf("the invited guest's sign-in: %d\n%s", next.Status, next.Body)
		}
		codePage := sb.Submit(in.URL, next, "/"+fab.ID+"/login/send", nil)
		refused := sb.Submit(in.URL, codePage, "/"+fab.ID+"/login/verify", map[string]string{"code": samCode})
		if refused.Status == http.StatusSeeOther || e2etest.CookieNamed(refused.Header, "gg_session_"+fab.ID) != nil || !strings.Contains(refused.Body, `role="alert"`) {
			t.Fatalf("sign_up_code_refused_for_sign_in: %d → %q\n%s", refused.Status, refused.Location, refused.Body)
		}

		// A member of another tenant signs up with their home tenant.
		contoso, _ := contosoWithMember(t, in, "ana@contoso.example")
		ab := e2etest.NewBrowser(t)
		f = rp.Begin()
		login = ab.Follow(in, ab.Get(f.URL))
		offer := ab.Submit(in.URL, login, "/"+fab.ID+"/login/next", map[string]string{"email": "ana@contoso.example"})
		if !strings.Contains(offer.Body, `id="signup-home"`) || !strings.Contains(offer.Body, "Your Contoso account") {
			t.Fatalf("R13_offer_names_home_tenant: %d\n%s", offer.Status, offer.Body)
		}
		if strings.Contains(offer.Body, `id="signup-passcode"`) || strings.Contains(offer.Body, `id="signup-personal"`) {
			t.Fatalf("F8_home_tenant_member_signs_up_at_home_only: %s", offer.Body)
		}
		toHome := ab.Submit(in.URL, offer, "/"+fab.ID+"/signup/app/elsewhere", map[string]string{"choice": "home"})
		idt, _ = rp.Finish(f, ab.Follow(in, in.ConsentStep(ab, in.HomeSignIn(ab, toHome, contoso, anaPassword), fab)))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != issuerOf(in, contoso.ID) {
			t.Fatalf("R13_sign_up_with_home_tenant: claims %v, %v", claims, err)
		}
		if u := e2etest.GetUser(t, in, admin, claims["oid"].(string)); u["creationType"] != "SelfServiceSignUp" || u["externalUserState"] != "Accepted" {
			t.Fatalf("R13_sign_up_with_home_tenant: %v", u)
		}

		// The tenant restricts sign-up to contoso.example.
		if _, err := in.Srv.SetSignUpDomains(ctx, fab, []string{"Contoso.example"}); err != nil {
			t.Fatal(err)
		}
		zb := e2etest.NewBrowser(t)
		login = zb.Follow(in, zb.Get(rp.Begin().URL))
		p = zb.Submit(in.URL, login, "/"+fab.ID+"/login/next", map[string]string{"email": "zed@tailspin.example"})
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "Sign-up isn&#39;t open to your address") {
			t.Fatalf("sign_up_domain_not_allowed: %d\n%s", p.Status, p.Body)
		}
		login = zb.Follow(in, zb.Get(rp.Begin().URL))
		if p := zb.Submit(in.URL, login, "/"+fab.ID+"/login/next", map[string]string{"email": "cy@contoso.example"}); !strings.Contains(p.Body, `id="signup-passcode"`) {
			t.Fatalf("sign_up_domain_allowed: %d\n%s", p.Status, p.Body)
		}
	})
}

// TestAppSignUpAtFederatedDomainGoesToPartner (R13; security round 2,
// finding 8): at an app that offers sign-up, a person from a domain the
// tenant federates is offered only the partner's identity provider (never
// a passcode or a personal account, which would bypass the partner's own
// controls for good, R7), even with passcodes on; a forged passcode
// choice mails nothing; the partner's sign-in leads to Review
// permissions, and Accept makes a guest whose identity is the partner.
func TestAppSignUpAtFederatedDomainGoesToPartner(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		s := setUpFederations(t, dsn)
		in, rp, fab := s.in, s.rp, s.fab
		setPolicy(t, in, s.admin, "enabled")
		if err := in.Srv.SetAppSignUp(context.Background(), fab.ID, rp.OAuth.ClientID, true); err != nil {
			t.Fatal(err)
		}
		const sal = "sal@partner-saml.example"
		tid := "/" + fab.ID
		b := e2etest.NewBrowser(t)
		f := rp.Begin()
		login := b.Follow(in, b.Get(f.URL))
		offer := b.Submit(in.URL, login, tid+"/login/next", map[string]string{"email": sal})
		if offer.Status != http.StatusOK || !strings.Contains(offer.Body, `id="signup-partner"`) || !strings.Contains(offer.Body, "Your Partner SAML account") ||
			strings.Contains(offer.Body, `id="signup-passcode"`) || strings.Contains(offer.Body, `id="signup-personal"`) {
			t.Fatalf("F8_offer_is_the_partner_only: %d\n%s", offer.Status, offer.Body)
		}

		// The passcode choice, forged with the offer's own state, is refused.
		forged := e2etest.FormValues(t, offer.Body, tid+"/signup/app/elsewhere")
		req, _ := http.NewRequest(http.MethodPost, in.URL+tid+"/signup/app/send", strings.NewReader(forged.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", in.URL)
		if p := b.Do(req); p.Status == http.StatusOK || strings.Contains(p.Body, `id="code"`) || passcodesQueued(t, in, sal) != 0 {
			t.Fatalf("F8_no_passcode_for_federated_domain: %d\n%s", p.Status, p.Body)
		}

		// The partner, then Review permissions, then the app.
		cont := b.Submit(in.URL, offer, tid+"/signup/app/elsewhere", map[string]string{"choice": "partner"})
		link := e2etest.ActionLinkRe.FindStringSubmatch(cont.Body)
		if cont.Status != http.StatusOK || link == nil {
			t.Fatalf("the way to the partner = %d\n%s", cont.Status, cont.Body)
		}
		s.saml.SignInAs(sal, nil)
		toPartner := e2etest.Page{Status: http.StatusSeeOther, Location: html.UnescapeString(link[1])}
		callback := b.Post(s.saml.Answer(b, toPartner), s.saml.Srv.URL)
		consents := rp.Consents
		done := rp.BackAtFabrikam(b, callback)
		if rp.Consents != consents+1 {
			t.Fatal("F8_sign_up_reviews_permissions: no Review permissions after the partner")
		}
		samlIssuer := s.saml.Srv.URL + "/metadata"
		c := idpClaim(t, rp, f, done)
		if c["idp"] != samlIssuer || c["email"] != sal {
			t.Fatalf("F8_sign_up_at_partner: claims %v, want idp %s", c, samlIssuer)
		}
		u := e2etest.GetUser(t, in, s.admin, c["oid"].(string))
		ids := e2etest.JSONText(t, u["identities"])
		if u["creationType"] != "SelfServiceSignUp" || u["externalUserState"] != "Accepted" || !strings.Contains(ids, samlIssuer) || strings.Contains(ids, `"mail"`) {
			t.Fatalf("F8_never_a_mail_guest: %v", u)
		}
		if n := passcodesQueued(t, in, sal); n != 0 {
			t.Fatalf("F8_never_a_mail_guest: %d passcodes for %s", n, sal)
		}
	})
}
