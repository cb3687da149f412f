package signin_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/testenv"
)

// forEngines runs the subtests in fn on every engine, the engines in
// parallel (each has a fixture of its own).
func forEngines(t *testing.T, fn func(t *testing.T, e testenv.Engine)) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, e)
		})
	}
}

func TestBegin(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("unknown_address_routed_as_pending_guest", func(t *testing.T) {
			// Enumeration: the address is not told it is unknown (TestEnumeration).
			f := newFixture(t, e)
			if r, err := f.svc.Begin(ctx, f.fabrikam, "nobody@contoso.example"); err != nil || r.Method.Name() != signin.MethodPasscode {
				t.Fatalf("Begin = %+v, %v; want a passcode route, as a pending guest's", r, err)
			}
		})
		t.Run("member_routes_password", func(t *testing.T) {
			f := newFixture(t, e)
			m := f.member(t, f.fabrikam, "lee@fabrikam.example")
			r := f.begin(t, f.fabrikam, "LEE@fabrikam.example")
			if r.Method.Name() != signin.MethodPassword || r.User.ID != m.ID || r.Tenant.ID != f.fabrikam.ID {
				t.Fatalf("route = %+v, want MethodPassword for the member", r)
			}
		})
		t.Run("R1_pending_guest_routes_passcode", func(t *testing.T) {
			f := newFixture(t, e)
			g := f.invite(t, f.fabrikam, "kim@contoso.example")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			if r.Method.Name() != signin.MethodPasscode || r.User.ID != g.User.ID {
				t.Fatalf("route = %+v, want MethodPasscode", r)
			}
			if d := r.Decision; d.IdP != directory.IdPMail || !d.Redeeming || d.Step != invitation.StepOTP {
				t.Fatalf("decision = %+v, want a redeeming passcode", d)
			}
		})
		t.Run("S3_pending_guest_member_elsewhere_routes_home_tenant", func(t *testing.T) {
			f := newFixture(t, e)
			f.member(t, f.contoso, "kim@contoso.example")
			f.invite(t, f.fabrikam, "kim@contoso.example")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			d := r.Decision
			if r.Method.Name() != signin.MethodHomeTenant || d.IdP != directory.IdPHomeTenant || !d.Redeeming ||
				d.UpstreamTenantID != f.contoso.ID || d.Issuer != publicURL+"/"+f.contoso.ID+"/v2.0" {
				t.Fatalf("route = %+v, want MethodHomeTenant at Contoso", r)
			}
		})
		t.Run("S3_own_verified_domain_is_no_home_tenant", func(t *testing.T) {
			f := newFixture(t, e)
			f.legacyGuest(t, f.fabrikam, "pat@fabrikam.example")
			r := f.begin(t, f.fabrikam, "pat@fabrikam.example")
			if r.Method.Name() != signin.MethodPasscode || r.Decision.UpstreamTenantID != "" {
				t.Fatalf("route = %+v, want MethodPasscode: the inviting tenant is not its own guest's home", r)
			}
		})
		t.Run("S3_guest_elsewhere_is_no_home_tenant", func(t *testing.T) {
			// Contoso verified the domain, but the address is only Contoso's guest.
			f := newFixture(t, e)
			f.legacyGuest(t, f.contoso, "kim@contoso.example")
			f.invite(t, f.fabrikam, "kim@contoso.example")
			if r := f.begin(t, f.fabrikam, "kim@contoso.example"); r.Method.Name() != signin.MethodPasscode {
				t.Fatalf("route = %+v, want MethodPasscode", r)
			}
		})
		t.Run("disabled_guest_refused", func(t *testing.T) {
			f := newFixture(t, e)
			g := f.invite(t, f.fabrikam, "kim@contoso.example")
			if err := f.members.SetAccountEnabled(ctx, f.fabrikam, g.User.ID, false, audit.CLI, roles.AsOperator()); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Begin(ctx, f.fabrikam, "kim@contoso.example"); !errors.Is(err, signin.ErrAccountDisabled) {
				t.Fatalf("Begin = %v, want ErrAccountDisabled", err)
			}
		})
		t.Run("R12_section5_row3_pending_guest_passcodes_off_creates_unmanaged_account", func(t *testing.T) {
			// Default fallback, passcodes off, no account anywhere: the
			// guest is led to create an unmanaged account (section 5, row 3,
			// OTP disabled); nothing is sent.
			f := newFixture(t, e)
			f.invite(t, f.fabrikam, "kim@contoso.example")
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			if d := r.Decision; r.Method.Name() != signin.MethodHomeTenant || d.IdP != directory.IdPUnmanaged || !d.CreateAccount || d.Step != invitation.StepCreateUnmanaged {
				t.Fatalf("route = %+v, want the creation of an unmanaged account", r)
			}
		})
		t.Run("R9_redeemed_passcode_guest_passcodes_off", func(t *testing.T) {
			f := newFixture(t, e)
			f.redeem(t, f.fabrikam, "kim@contoso.example")
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			if _, err := f.svc.Begin(ctx, f.fabrikam, "kim@contoso.example"); !errors.Is(err, invitation.ErrOTPDisabled) {
				t.Fatalf("Begin = %v, want invitation.ErrOTPDisabled", err)
			}
		})
		t.Run("R7_redeemed_passcode_guest_keeps_passcode_after_home_tenant", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			f.member(t, f.contoso, "kim@contoso.example")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			if r.Method.Name() != signin.MethodPasscode || r.Decision.Redeeming || r.Decision.Step != invitation.StepRedeemed {
				t.Fatalf("route = %+v, want MethodPasscode from step 0", r)
			}
			res, err := f.svc.VerifyCode(ctx, r, f.send(t, r), signin.Continuation{})
			if err != nil || res.Consent != nil || res.Session.UserID != g.ID {
				t.Fatalf("VerifyCode = %+v, %v; want a session at once", res, err)
			}
			if u := f.user(t, f.fabrikam, g.ID); u.IdP != directory.IdPMail || u.IdPIssuer != "mail" {
				t.Fatalf("guest = %+v, want IdP mail kept", u)
			}
		})
	})
}

func TestPasscodeRedemption(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("R2_first_redemption_consent_then_accept", func(t *testing.T) {
			f := newFixture(t, e)
			inv := f.invite(t, f.fabrikam, "kim@contoso.example")
			guest := inv.User.ID
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			code := f.send(t, r)
			next := signin.Continuation{AuthRequestID: "ar-1"}
			res, err := f.svc.VerifyCode(ctx, r, code, next)
			if err != nil {
				t.Fatal(err)
			}
			if res.Consent == nil || res.Token != "" || res.Session.UserID != "" {
				t.Fatalf("VerifyCode = %+v, want only a consent proof", res)
			}
			if res.Consent.Tenant.ID != f.fabrikam.ID || !res.Consent.Expires.Equal(f.clock.Now().Add(10*time.Minute)) {
				t.Fatalf("consent = %+v, want Fabrikam's, for 10 minutes", res.Consent)
			}
			if u := f.user(t, f.fabrikam, guest); u.ExternalUserState != directory.StatePendingAcceptance || u.IdP != directory.IdPNone {
				t.Fatalf("guest before consent = %+v, want PendingAcceptance", u)
			}
			if ss := f.userSessions(t, f.fabrikam, guest); len(ss) != 0 {
				t.Fatalf("sessions before consent = %d, want 0", len(ss))
			}
			if err := f.codeUsable(f.fabrikam, "kim@contoso.example", code); !errors.Is(err, otp.ErrUsed) {
				t.Fatalf("code after verification = %v, want ErrUsed (R3)", err)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 0 {
				t.Fatalf("the app's request completed before consent: %+v", completed)
			}
			id, err := f.svc.ConsentProof(f.fabrikam, res.Consent.Proof)
			if err != nil || id.UserID != guest || id.IdP != directory.IdPMail || id.Issuer != "mail" {
				t.Fatalf("ConsentProof = %+v, %v", id, err)
			}

			acc, err := f.svc.Accept(ctx, f.fabrikam, res.Consent.Proof)
			if err != nil {
				t.Fatalf("Accept = %v", err)
			}
			u := f.user(t, f.fabrikam, guest)
			if u.ExternalUserState != directory.StateAccepted || u.IdP != directory.IdPMail || u.IdPIssuer != "mail" ||
				!u.ExternalUserStateChangedAt.Equal(f.clock.Now()) {
				t.Fatalf("guest after Accept = %+v, want Accepted with IdP mail", u)
			}
			if got, err := f.db.GetInvitation(ctx, f.fabrikam.ID, inv.Invitation.ID); err != nil || got.Status != invitation.StatusCompleted {
				t.Fatalf("invitation = %+v, %v; want Completed", got, err)
			}
			sess, err := f.sessions.Lookup(ctx, f.fabrikam.ID, acc.Token)
			if err != nil || sess.UserID != guest || sess.IdP != "mail" || strings.Join(sess.AMR, ",") != "otp" {
				t.Fatalf("session = %+v, %v; want the guest's passcode session", sess, err)
			}
			completed, _ := f.bridge.calls()
			if len(completed) != 1 || completed[0] != (bridgeCall{TenantID: f.fabrikam.ID, ID: "ar-1", UserID: guest, InTx: true}) {
				t.Fatalf("bridge completions = %+v, want ar-1 for the guest, in the transaction", completed)
			}
			if acc.Next != "https://app.example/callback?code=for-ar-1" {
				t.Fatalf("Next = %q, want the bridge's URL", acc.Next)
			}

			// The same proof again (a replayed or double-submitted form):
			// the decision still names mail, so the guest is not redeemed
			// again; another session starts and the request completes again.
			f.clock.Advance(time.Minute)
			again, err := f.svc.Accept(ctx, f.fabrikam, res.Consent.Proof)
			if err != nil || again.Token == "" || again.Token == acc.Token {
				t.Fatalf("second Accept = %+v, %v; want a new session", again, err)
			}
			// Only the sign-in's own record moves (signInActivity); the
			// redemption is not made again.
			u2 := f.user(t, f.fabrikam, guest)
			if !u2.SignInActivity.LastSuccessfulSignIn.Equal(f.clock.Now()) {
				t.Fatalf("signInActivity after second Accept = %+v, want the second sign-in", u2.SignInActivity)
			}
			u2.SignInActivity = u.SignInActivity
			if !reflect.DeepEqual(u2, u) {
				t.Fatalf("guest after second Accept = %+v, want unchanged %+v", u2, u)
			}
			if ss := f.userSessions(t, f.fabrikam, guest); len(ss) != 2 {
				t.Fatalf("sessions = %d, want 2", len(ss))
			}
		})
		t.Run("R2_redeem_link_redirect_and_my_apps", func(t *testing.T) {
			f := newFixture(t, e)
			f.invite(t, f.fabrikam, "kim@contoso.example")
			f.invite(t, f.fabrikam, "lou@contoso.example")
			toApp := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{RedirectURL: "https://apps.fabrikam.example/"})
			toMyApps := f.consent(t, f.fabrikam, "lou@contoso.example", signin.Continuation{})
			if res, err := f.svc.Accept(ctx, f.fabrikam, toApp.Proof); err != nil || res.Next != "https://apps.fabrikam.example/" {
				t.Fatalf("Accept = %+v, %v; want the invitation's redirect", res, err)
			}
			if res, err := f.svc.Accept(ctx, f.fabrikam, toMyApps.Proof); err != nil || res.Next != "/"+f.fabrikam.ID+"/" {
				t.Fatalf("Accept = %+v, %v; want My Apps", res, err)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 0 {
				t.Fatalf("bridge completions = %+v, want none without an app request", completed)
			}
		})
		t.Run("S3_decision_again_at_accept_passcodes_off", func(t *testing.T) {
			// Fallback emailOneTimePasscode: passcodes off leave no way in.
			f := newFixture(t, e)
			fallback := policy.FallbackEmailOTP
			if _, err := f.policies.UpdateRedemption(ctx, f.fabrikam, policy.RedemptionPatch{Fallback: &fallback}, audit.CLI); err != nil {
				t.Fatal(err)
			}
			g := f.invite(t, f.fabrikam, "kim@contoso.example")
			c := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{AuthRequestID: "ar-1"})
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			if _, err := f.svc.Accept(ctx, f.fabrikam, c.Proof); !errors.Is(err, invitation.ErrOTPDisabled) {
				t.Fatalf("Accept = %v, want invitation.ErrOTPDisabled", err)
			}
			f.assertNotRedeemed(t, g.User.ID)
		})
		t.Run("S3_decision_again_at_accept_passcodes_off_default_fallback", func(t *testing.T) {
			// Default fallback: passcodes off, the decision moves on to
			// creating an unmanaged account (section 3 step 2, section 5
			// row 3): Accept refuses the passcode proof and nothing is
			// redeemed; starting again leads to the sign-up.
			f := newFixture(t, e)
			g := f.invite(t, f.fabrikam, "kim@contoso.example")
			c := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{AuthRequestID: "ar-1"})
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			if _, err := f.svc.Accept(ctx, f.fabrikam, c.Proof); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("Accept = %v, want ErrDecisionChanged", err)
			}
			f.assertNotRedeemed(t, g.User.ID)
			if r := f.begin(t, f.fabrikam, "kim@contoso.example"); r.Method.Name() != signin.MethodHomeTenant || !r.Decision.CreateAccount || r.Decision.IdP != directory.IdPUnmanaged {
				t.Fatalf("Begin again = %+v, want the creation of an unmanaged account", r)
			}
		})
		t.Run("S3_decision_again_at_accept_home_tenant_appeared", func(t *testing.T) {
			f := newFixture(t, e)
			g := f.invite(t, f.fabrikam, "kim@contoso.example")
			c := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{AuthRequestID: "ar-1"})
			f.member(t, f.contoso, "kim@contoso.example")
			if _, err := f.svc.Accept(ctx, f.fabrikam, c.Proof); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("Accept = %v, want ErrDecisionChanged", err)
			}
			f.assertNotRedeemed(t, g.User.ID)
			// Starting again, the guest is sent to the home tenant.
			if r := f.begin(t, f.fabrikam, "kim@contoso.example"); r.Method.Name() != signin.MethodHomeTenant {
				t.Fatalf("route after the change = %+v, want MethodHomeTenant", r)
			}
		})
		t.Run("disabled_between_code_and_accept", func(t *testing.T) {
			f := newFixture(t, e)
			g := f.invite(t, f.fabrikam, "kim@contoso.example")
			c := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{})
			if err := f.members.SetAccountEnabled(ctx, f.fabrikam, g.User.ID, false, audit.CLI, roles.AsOperator()); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.Accept(ctx, f.fabrikam, c.Proof); !errors.Is(err, signin.ErrAccountDisabled) {
				t.Fatalf("Accept = %v, want ErrAccountDisabled", err)
			}
			f.assertNotRedeemed(t, g.User.ID)
		})
		t.Run("R3_wrong_code_no_consent", func(t *testing.T) {
			f := newFixture(t, e)
			f.invite(t, f.fabrikam, "kim@contoso.example")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			code := f.send(t, r)
			wrong := "00000000"
			if wrong == code {
				wrong = "11111111"
			}
			if res, err := f.svc.VerifyCode(ctx, r, wrong, signin.Continuation{}); !errors.Is(err, otp.ErrWrongCode) || res.Consent != nil {
				t.Fatalf("wrong code = %+v, %v; want otp.ErrWrongCode", res, err)
			}
		})
		t.Run("passcode_refused_on_other_routes", func(t *testing.T) {
			f := newFixture(t, e)
			f.member(t, f.fabrikam, "lee@fabrikam.example")
			r := f.begin(t, f.fabrikam, "lee@fabrikam.example")
			if err := f.svc.SendCode(ctx, r, "en"); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("SendCode for a member = %v, want ErrDecisionChanged", err)
			}
			if _, err := f.svc.VerifyCode(ctx, r, "12345678", signin.Continuation{}); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("VerifyCode for a member = %v, want ErrDecisionChanged", err)
			}
		})
	})
}

// assertNotRedeemed checks that a Fabrikam guest is still pending, with no
// session, and that no app request completed.
func (f *fixture) assertNotRedeemed(t *testing.T, guestID string) {
	t.Helper()
	if u := f.user(t, f.fabrikam, guestID); u.ExternalUserState != directory.StatePendingAcceptance || u.IdP != directory.IdPNone {
		t.Fatalf("guest = %+v, want still PendingAcceptance", u)
	}
	if ss := f.userSessions(t, f.fabrikam, guestID); len(ss) != 0 {
		t.Fatalf("sessions = %d, want 0", len(ss))
	}
	if completed, _ := f.bridge.calls(); len(completed) != 0 {
		t.Fatalf("bridge completions = %+v, want none", completed)
	}
}

func TestPasscodeSignIn(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("R4_later_sign_in_starts_session_at_once", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			code := f.send(t, r)
			res, err := f.svc.VerifyCode(ctx, r, code, signin.Continuation{AuthRequestID: "ar-2"})
			if err != nil || res.Consent != nil {
				t.Fatalf("VerifyCode = %+v, %v; want a session, no consent", res, err)
			}
			if sess, err := f.sessions.Lookup(ctx, f.fabrikam.ID, res.Token); err != nil || sess.UserID != g.ID {
				t.Fatalf("session = %+v, %v", sess, err)
			}
			completed, _ := f.bridge.calls()
			if len(completed) != 1 || completed[0].ID != "ar-2" || !completed[0].InTx || res.Next != "https://app.example/callback?code=for-ar-2" {
				t.Fatalf("bridge completions = %+v, Next %q; want ar-2 in the transaction", completed, res.Next)
			}
			if err := f.codeUsable(f.fabrikam, "kim@contoso.example", code); !errors.Is(err, otp.ErrUsed) {
				t.Fatalf("code after sign-in = %v, want ErrUsed", err)
			}
		})
		t.Run("R3_bridge_failure_rolls_back_code_and_session", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			before := len(f.userSessions(t, f.fabrikam, g.ID))
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			code := f.send(t, r)
			f.bridge.failCompletes(errBridge)
			if _, err := f.svc.VerifyCode(ctx, r, code, signin.Continuation{AuthRequestID: "ar-2"}); !errors.Is(err, errBridge) {
				t.Fatalf("VerifyCode = %v, want the bridge's error", err)
			}
			if n := len(f.userSessions(t, f.fabrikam, g.ID)); n != before {
				t.Fatalf("sessions = %d after a failed completion, want %d", n, before)
			}
			f.bridge.failCompletes(nil)
			res, err := f.svc.VerifyCode(ctx, r, code, signin.Continuation{AuthRequestID: "ar-2"})
			if err != nil {
				t.Fatalf("the same code again = %v, want accepted (it stayed unused)", err)
			}
			if _, err := f.sessions.Lookup(ctx, f.fabrikam.ID, res.Token); err != nil {
				t.Fatal(err)
			}
		})
		t.Run("R7_reset_between_begin_and_code_still_asks_consent", func(t *testing.T) {
			// The route was decided while the guest was Accepted; an admin
			// resets the redemption before the code is entered. The
			// sign-in is now a redemption, which needs Review permissions.
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			code := f.send(t, r)
			if _, err := f.invitations.ResetRedemption(ctx, f.fabrikam, g.ID, invitation.Request{RedirectURL: "https://apps.fabrikam.example/"}, audit.CLI, roles.AsOperator()); err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.VerifyCode(ctx, r, code, signin.Continuation{AuthRequestID: "ar-2"})
			if !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("VerifyCode = %+v, %v; want ErrDecisionChanged, not a redemption without consent", res, err)
			}
			if u := f.user(t, f.fabrikam, g.ID); u.ExternalUserState != directory.StatePendingAcceptance || u.IdP != directory.IdPNone {
				t.Fatalf("guest = %+v, want still PendingAcceptance", u)
			}
			if ss := f.userSessions(t, f.fabrikam, g.ID); len(ss) != 1 || ss[0].RevokedAt.IsZero() {
				t.Fatalf("sessions = %+v, want only the one the reset ended", ss)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 0 {
				t.Fatalf("bridge completions = %+v, want none", completed)
			}
			// Starting again is a redemption: the same code, then consent.
			r = f.begin(t, f.fabrikam, "kim@contoso.example")
			if res, err = f.svc.VerifyCode(ctx, r, code, signin.Continuation{}); err != nil || res.Consent == nil {
				t.Fatalf("VerifyCode after starting again = %+v, %v; want a consent proof", res, err)
			}
		})
		t.Run("R9_passcodes_off_between_begin_and_code", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			before := len(f.userSessions(t, f.fabrikam, g.ID))
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			code := f.send(t, r)
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			if _, err := f.svc.VerifyCode(ctx, r, code, signin.Continuation{}); !errors.Is(err, invitation.ErrOTPDisabled) {
				t.Fatalf("VerifyCode = %v, want invitation.ErrOTPDisabled", err)
			}
			if n := len(f.userSessions(t, f.fabrikam, g.ID)); n != before {
				t.Fatalf("sessions = %d, want %d", n, before)
			}
			f.setPasscodes(t, f.fabrikam, policy.AllowEnabled)
			if err := f.codeUsable(f.fabrikam, "kim@contoso.example", code); err != nil {
				t.Fatalf("code after the refused sign-in = %v, want still usable", err)
			}
		})
	})
}

func TestHomeTenant(t *testing.T) {
	ctx := context.Background()
	const browser = "csrf-cookie-of-browser-1"
	// setUp makes kim@contoso.example a Contoso member and a pending Fabrikam guest.
	setUp := func(t *testing.T, e testenv.Engine) (*fixture, directory.User, directory.User, signin.Route) {
		f := newFixture(t, e)
		m := f.member(t, f.contoso, "kim@contoso.example")
		g := f.invite(t, f.fabrikam, "kim@contoso.example")
		r := f.begin(t, f.fabrikam, "kim@contoso.example")
		if r.Method.Name() != signin.MethodHomeTenant {
			t.Fatalf("route = %+v, want MethodHomeTenant", r)
		}
		return f, m, g.User, r
	}
	start := func(t *testing.T, f *fixture, r signin.Route, force bool) string {
		t.Helper()
		u, err := f.svc.StartHomeTenant(r, signin.Continuation{AuthRequestID: "ar-1"}, force, browser)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(u, "/"+f.contoso.ID+"/login/home?handoff=") {
			t.Fatalf("hand-off URL = %q, want Contoso's home sign-in", u)
		}
		return handoffToken(t, u)
	}
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("S3_home_password_return_consent_accept", func(t *testing.T) {
			f, m, guest, r := setUp(t, e)
			tok := start(t, f, r, false)
			hs, err := f.svc.OpenHandoff(ctx, f.contoso, tok, browser)
			if err != nil || hs.Address != "kim@contoso.example" || hs.From.ID != f.fabrikam.ID || hs.Home.ID != f.contoso.ID {
				t.Fatalf("OpenHandoff = %+v, %v", hs, err)
			}
			if _, err := f.svc.HomePassword(ctx, hs, "tulip-Quarry-2025", clientAddr); !errors.Is(err, member.ErrWrongPassword) {
				t.Fatalf("wrong password = %v, want member.ErrWrongPassword", err)
			}
			home, err := f.svc.HomePassword(ctx, hs, goodPassword, clientAddr)
			if err != nil {
				t.Fatal(err)
			}
			if home.Next != hs.ReturnURL() || !strings.HasPrefix(home.Next, "/"+f.fabrikam.ID+"/login/home/return?handoff=") {
				t.Fatalf("Next = %q, want the way back to Fabrikam", home.Next)
			}
			hsess, err := f.sessions.Lookup(ctx, f.contoso.ID, home.Token)
			if err != nil || hsess.UserID != m.ID || hsess.IdP != "" {
				t.Fatalf("home session = %+v, %v; want the Contoso member's", hsess, err)
			}
			if !f.svc.SessionAnswers(ctx, hs, hsess) {
				t.Fatal("SessionAnswers = false for the member's fresh home session")
			}
			if _, err := f.svc.HomeReturn(ctx, f.fabrikam, tok, browser, func(string) string { return "" }); !errors.Is(err, signin.ErrHomeSignInRequired) {
				t.Fatalf("HomeReturn without a home session = %v, want ErrHomeSignInRequired", err)
			}
			homeCookie := func(tid string) string {
				if tid == f.contoso.ID {
					return home.Token
				}
				return ""
			}
			if _, err := f.svc.HomeReturn(ctx, f.fabrikam, tok, "csrf-cookie-of-browser-2", homeCookie); !errors.Is(err, signin.ErrExpiredState) {
				t.Fatalf("HomeReturn in another browser = %v, want ErrExpiredState", err)
			}
			if _, err := f.svc.HomeReturn(ctx, f.contoso, tok, browser, homeCookie); !errors.Is(err, signin.ErrExpiredState) {
				t.Fatalf("HomeReturn at another tenant = %v, want ErrExpiredState", err)
			}
			res, err := f.svc.HomeReturn(ctx, f.fabrikam, tok, browser, homeCookie)
			if err != nil || res.Consent == nil || res.Token != "" {
				t.Fatalf("HomeReturn = %+v, %v; want a consent proof for the first redemption", res, err)
			}
			f.assertNotRedeemed(t, guest.ID)

			acc, err := f.svc.Accept(ctx, f.fabrikam, res.Consent.Proof)
			if err != nil {
				t.Fatalf("Accept = %v", err)
			}
			issuer := publicURL + "/" + f.contoso.ID + "/v2.0"
			if u := f.user(t, f.fabrikam, guest.ID); u.ExternalUserState != directory.StateAccepted || u.IdP != directory.IdPHomeTenant || u.IdPIssuer != issuer {
				t.Fatalf("guest = %+v, want Accepted with homeTenant %s", u, issuer)
			}
			sess, err := f.sessions.Lookup(ctx, f.fabrikam.ID, acc.Token)
			if err != nil || sess.UserID != guest.ID || sess.IdP != string(directory.IdPHomeTenant) || strings.Join(sess.AMR, ",") != "pwd" {
				t.Fatalf("guest session = %+v, %v", sess, err)
			}
			completed, _ := f.bridge.calls()
			if len(completed) != 1 || completed[0] != (bridgeCall{TenantID: f.fabrikam.ID, ID: "ar-1", UserID: guest.ID, InTx: true}) {
				t.Fatalf("bridge completions = %+v", completed)
			}

			// Later sign-ins: step 0 keeps the home tenant, no consent.
			r2 := f.begin(t, f.fabrikam, "kim@contoso.example")
			if r2.Method.Name() != signin.MethodHomeTenant || r2.Decision.Redeeming || r2.Decision.UpstreamTenantID != f.contoso.ID {
				t.Fatalf("later route = %+v, want MethodHomeTenant at Contoso from step 0", r2)
			}
			tok2, err := f.svc.StartHomeTenant(r2, signin.Continuation{}, false, browser)
			if err != nil {
				t.Fatal(err)
			}
			later, err := f.svc.HomeReturn(ctx, f.fabrikam, handoffToken(t, tok2), browser, homeCookie)
			if err != nil || later.Consent != nil || later.Next != "/"+f.fabrikam.ID+"/" {
				t.Fatalf("later HomeReturn = %+v, %v; want a session and My Apps", later, err)
			}
		})
		t.Run("handoff_refused_elsewhere", func(t *testing.T) {
			f, _, _, r := setUp(t, e)
			tok := start(t, f, r, false)
			if _, err := f.svc.OpenHandoff(ctx, f.contoso, tok, "csrf-cookie-of-browser-2"); !errors.Is(err, signin.ErrExpiredState) {
				t.Fatalf("another browser = %v, want ErrExpiredState", err)
			}
			if _, err := f.svc.OpenHandoff(ctx, f.contoso, tok, ""); !errors.Is(err, signin.ErrExpiredState) {
				t.Fatalf("no browser value = %v, want ErrExpiredState", err)
			}
			if _, err := f.svc.OpenHandoff(ctx, f.fabrikam, tok, browser); !errors.Is(err, signin.ErrExpiredState) {
				t.Fatalf("another tenant = %v, want ErrExpiredState", err)
			}
			if _, err := f.svc.StartHomeTenant(r, signin.Continuation{}, false, ""); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("StartHomeTenant without a browser value = %v, want refused", err)
			}
		})
		t.Run("handoff_expires_after_15m", func(t *testing.T) {
			f, _, _, r := setUp(t, e)
			tok := start(t, f, r, false)
			f.clock.Advance(15 * time.Minute)
			if _, err := f.svc.OpenHandoff(ctx, f.contoso, tok, browser); err != nil {
				t.Fatalf("at 15 minutes = %v, want open", err)
			}
			f.clock.Advance(time.Second)
			if _, err := f.svc.OpenHandoff(ctx, f.contoso, tok, browser); !errors.Is(err, signin.ErrExpiredState) {
				t.Fatalf("after 15 minutes = %v, want ErrExpiredState", err)
			}
		})
		t.Run("home_session_of_another_member_refused", func(t *testing.T) {
			f, _, guest, r := setUp(t, e)
			f.member(t, f.contoso, "lee@contoso.example")
			lee, err := f.svc.CheckPassword(ctx, f.begin(t, f.contoso, "lee@contoso.example"), goodPassword, clientAddr, signin.Continuation{})
			if err != nil {
				t.Fatal(err)
			}
			tok := start(t, f, r, false)
			_, err = f.svc.HomeReturn(ctx, f.fabrikam, tok, browser, func(string) string { return lee.Token })
			if !errors.Is(err, signin.ErrHomeSignInRequired) {
				t.Fatalf("HomeReturn with another member's home session = %v, want ErrHomeSignInRequired", err)
			}
			f.assertNotRedeemed(t, guest.ID)
		})
		t.Run("forced_sign_in_needs_fresh_home_session", func(t *testing.T) {
			f, _, _, r := setUp(t, e)
			hs, err := f.svc.OpenHandoff(ctx, f.contoso, start(t, f, r, false), browser)
			if err != nil {
				t.Fatal(err)
			}
			old, err := f.svc.HomePassword(ctx, hs, goodPassword, clientAddr)
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(time.Minute)
			tok := start(t, f, r, true)
			forced, err := f.svc.OpenHandoff(ctx, f.contoso, tok, browser)
			if err != nil {
				t.Fatal(err)
			}
			if f.svc.SessionAnswers(ctx, forced, old.Session) {
				t.Fatal("SessionAnswers = true for a home session older than a forced hand-off")
			}
			if _, err := f.svc.HomeReturn(ctx, f.fabrikam, tok, browser, func(string) string { return old.Token }); !errors.Is(err, signin.ErrHomeSignInRequired) {
				t.Fatalf("forced HomeReturn with an old home session = %v, want ErrHomeSignInRequired", err)
			}
			fresh, err := f.svc.HomePassword(ctx, forced, goodPassword, clientAddr)
			if err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.HomeReturn(ctx, f.fabrikam, tok, browser, func(string) string { return fresh.Token })
			if err != nil || res.Consent == nil {
				t.Fatalf("forced HomeReturn after a fresh password = %+v, %v; want consent", res, err)
			}
		})
		t.Run("S3_home_member_removed_before_return", func(t *testing.T) {
			// The decision is made again on the way back: passcodes now.
			f, m, guest, r := setUp(t, e)
			hs, err := f.svc.OpenHandoff(ctx, f.contoso, start(t, f, r, false), browser)
			if err != nil {
				t.Fatal(err)
			}
			home, err := f.svc.HomePassword(ctx, hs, goodPassword, clientAddr)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.db.UpdateUser(ctx, f.contoso.ID, m.ID, func(u *directory.User) error {
				u.Mail = "kim.akers@contoso.example"
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			_, err = f.svc.HomeReturn(ctx, f.fabrikam, handoffToken(t, hs.ReturnURL()), browser, func(string) string { return home.Token })
			if !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("HomeReturn = %v, want ErrDecisionChanged", err)
			}
			f.assertNotRedeemed(t, guest.ID)
		})
	})
}

func TestMemberPassword(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("member_signs_in_without_consent", func(t *testing.T) {
			f := newFixture(t, e)
			m := f.member(t, f.fabrikam, "lee@fabrikam.example")
			r := f.begin(t, f.fabrikam, "lee@fabrikam.example")
			res, err := f.svc.CheckPassword(ctx, r, goodPassword, clientAddr, signin.Continuation{AuthRequestID: "ar-1"})
			if err != nil || res.Consent != nil {
				t.Fatalf("CheckPassword = %+v, %v; want a session, no consent", res, err)
			}
			sess, err := f.sessions.Lookup(ctx, f.fabrikam.ID, res.Token)
			if err != nil || sess.UserID != m.ID || sess.IdP != string(directory.IdPNone) || strings.Join(sess.AMR, ",") != "pwd" {
				t.Fatalf("session = %+v, %v; want the member's, IdP none", sess, err)
			}
			if u := f.user(t, f.fabrikam, m.ID); u.IdP != directory.IdPNone || u.ExternalUserState != "" {
				t.Fatalf("member = %+v, want no redemption state", u)
			}
			completed, _ := f.bridge.calls()
			if len(completed) != 1 || completed[0] != (bridgeCall{TenantID: f.fabrikam.ID, ID: "ar-1", UserID: m.ID, InTx: true}) {
				t.Fatalf("bridge completions = %+v", completed)
			}
		})
		t.Run("member_wrong_password", func(t *testing.T) {
			f := newFixture(t, e)
			m := f.member(t, f.fabrikam, "lee@fabrikam.example")
			r := f.begin(t, f.fabrikam, "lee@fabrikam.example")
			if _, err := f.svc.CheckPassword(ctx, r, "tulip-Quarry-2025", clientAddr, signin.Continuation{}); !errors.Is(err, member.ErrWrongPassword) {
				t.Fatalf("CheckPassword = %v, want member.ErrWrongPassword", err)
			}
			if ss := f.userSessions(t, f.fabrikam, m.ID); len(ss) != 0 {
				t.Fatalf("sessions = %d, want 0", len(ss))
			}
		})
		t.Run("password_refused_on_passcode_route", func(t *testing.T) {
			f := newFixture(t, e)
			f.invite(t, f.fabrikam, "kim@contoso.example")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			if _, err := f.svc.CheckPassword(ctx, r, goodPassword, clientAddr, signin.Continuation{}); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("CheckPassword on a passcode route = %v, want ErrDecisionChanged", err)
			}
		})
	})
}

func TestConsent(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("decline_leaves_guest_pending_and_tells_app", func(t *testing.T) {
			f := newFixture(t, e)
			g := f.invite(t, f.fabrikam, "kim@contoso.example")
			c := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{AuthRequestID: "ar-1"})
			next, err := f.svc.Decline(ctx, f.fabrikam, c.Proof)
			if err != nil || next != "https://app.example/callback?error=access_denied" {
				t.Fatalf("Decline = %q, %v; want the app's error URL", next, err)
			}
			_, failed := f.bridge.calls()
			if len(failed) != 1 || failed[0] != (bridgeCall{TenantID: f.fabrikam.ID, ID: "ar-1", Code: "access_denied"}) {
				t.Fatalf("bridge failures = %+v, want ar-1 access_denied", failed)
			}
			f.assertNotRedeemed(t, g.User.ID)
		})
		t.Run("decline_without_app", func(t *testing.T) {
			f := newFixture(t, e)
			g := f.invite(t, f.fabrikam, "kim@contoso.example")
			c := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{})
			if next, err := f.svc.Decline(ctx, f.fabrikam, c.Proof); err != nil || next != "" {
				t.Fatalf("Decline = %q, %v; want \"\"", next, err)
			}
			if _, failed := f.bridge.calls(); len(failed) != 0 {
				t.Fatalf("bridge failures = %+v, want none", failed)
			}
			f.assertNotRedeemed(t, g.User.ID)
		})
		t.Run("proof_bound_to_its_tenant", func(t *testing.T) {
			f := newFixture(t, e)
			g := f.invite(t, f.fabrikam, "kim@contoso.example")
			c := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{AuthRequestID: "ar-1"})
			if _, err := f.svc.ConsentProof(f.contoso, c.Proof); !errors.Is(err, signin.ErrExpiredState) {
				t.Fatalf("ConsentProof at Contoso = %v, want ErrExpiredState", err)
			}
			if _, err := f.svc.Accept(ctx, f.contoso, c.Proof); !errors.Is(err, signin.ErrExpiredState) {
				t.Fatalf("Accept at Contoso = %v, want ErrExpiredState", err)
			}
			if _, err := f.svc.Decline(ctx, f.contoso, c.Proof); !errors.Is(err, signin.ErrExpiredState) {
				t.Fatalf("Decline at Contoso = %v, want ErrExpiredState", err)
			}
			if _, failed := f.bridge.calls(); len(failed) != 0 {
				t.Fatalf("bridge failures = %+v, want none", failed)
			}
			f.assertNotRedeemed(t, g.User.ID)
		})
		t.Run("proof_expires_after_10m", func(t *testing.T) {
			f := newFixture(t, e)
			g := f.invite(t, f.fabrikam, "kim@contoso.example")
			c := f.consent(t, f.fabrikam, "kim@contoso.example", signin.Continuation{})
			f.clock.Advance(10*time.Minute + time.Second)
			if _, err := f.svc.Accept(ctx, f.fabrikam, c.Proof); !errors.Is(err, signin.ErrExpiredState) {
				t.Fatalf("Accept after 10 minutes = %v, want ErrExpiredState", err)
			}
			f.assertNotRedeemed(t, g.User.ID)
		})
	})
}

func TestContinueSession(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("R4_live_session_completes_request", func(t *testing.T) {
			f := newFixture(t, e)
			g, res := f.redeem(t, f.fabrikam, "kim@contoso.example")
			next, err := f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{AuthRequestID: "ar-9"})
			if err != nil || next != "https://app.example/callback?code=for-ar-9" {
				t.Fatalf("ContinueSession = %q, %v", next, err)
			}
			completed, _ := f.bridge.calls()
			if len(completed) != 1 || completed[0].ID != "ar-9" || completed[0].UserID != g.ID {
				t.Fatalf("bridge completions = %+v", completed)
			}
		})
		t.Run("disabled_user_refused", func(t *testing.T) {
			f := newFixture(t, e)
			g, res := f.redeem(t, f.fabrikam, "kim@contoso.example")
			if err := f.members.SetAccountEnabled(ctx, f.fabrikam, g.ID, false, audit.CLI, roles.AsOperator()); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{AuthRequestID: "ar-9"}); !errors.Is(err, signin.ErrAccountDisabled) {
				t.Fatalf("ContinueSession = %v, want ErrAccountDisabled", err)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 0 {
				t.Fatalf("bridge completions = %+v, want none", completed)
			}
			if _, err := f.sessions.Lookup(ctx, f.fabrikam.ID, res.Token); !errors.Is(err, session.ErrRevoked) {
				t.Fatalf("session of the disabled user = %v, want ErrRevoked", err)
			}
		})
		t.Run("disabled_member_refused", func(t *testing.T) {
			f := newFixture(t, e)
			m := f.member(t, f.fabrikam, "lee@fabrikam.example")
			res, err := f.svc.CheckPassword(ctx, f.begin(t, f.fabrikam, "lee@fabrikam.example"), goodPassword, clientAddr, signin.Continuation{})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.members.SetAccountEnabled(ctx, f.fabrikam, m.ID, false, audit.CLI, roles.AsOperator()); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{}); !errors.Is(err, signin.ErrAccountDisabled) {
				t.Fatalf("ContinueSession = %v, want ErrAccountDisabled", err)
			}
		})
		t.Run("R9_passcode_guest_session_after_passcodes_off", func(t *testing.T) {
			f := newFixture(t, e)
			_, res := f.redeem(t, f.fabrikam, "kim@contoso.example")
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			if _, err := f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{AuthRequestID: "ar-9"}); !errors.Is(err, invitation.ErrOTPDisabled) {
				t.Fatalf("ContinueSession = %v, want invitation.ErrOTPDisabled", err)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 0 {
				t.Fatalf("bridge completions = %+v, want none", completed)
			}
		})
	})
}

// TestSessionSignInLog: every interactive sign-in is recorded (issue 22,
// item 11), those answered from a live session included: a sign-in to an
// app by single sign-on is a success ("Previously satisfied") that commits
// with the app's completed request, and a refusal shown on a live session
// (R9: passcodes turned off) names the request's app. A visit to My Apps
// with a live session is no sign-in. A refusal at the address step names
// the app of the request (BeginFor).
func TestSessionSignInLog(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		newest := func(t *testing.T, f *fixture) (audit.SignIn, int) {
			t.Helper()
			ss, err := f.db.ListSignIns(ctx, f.fabrikam.ID, audit.SignInCursor{}, 0)
			if err != nil || len(ss) == 0 {
				t.Fatalf("sign-ins = %v, %v", ss, err)
			}
			return ss[0], len(ss)
		}
		t.Run("reuse_recorded_with_the_request", func(t *testing.T) {
			f := newFixture(t, e)
			g, res := f.redeem(t, f.fabrikam, "kim@contoso.example")
			_, before := newest(t, f)
			if _, err := f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{}); err != nil {
				t.Fatal(err)
			}
			if _, n := newest(t, f); n != before {
				t.Fatalf("a visit to My Apps with a live session recorded %d sign-ins", n-before)
			}
			if _, err := f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{AuthRequestID: "ar-9"}); err != nil {
				t.Fatal(err)
			}
			got, n := newest(t, f)
			if n != before+1 || got.ErrorCode != 0 || got.UserID != g.ID || got.AppDisplayName != "Woodgrove ar-9" ||
				got.AuthenticationMethod != "Previously satisfied" || got.UserType != audit.SignInGuest || got.IdP != "mail" {
				t.Fatalf("sign-in from a live session (%d new) = %+v", n-before, got)
			}
		})
		t.Run("reuse_not_recorded_when_the_request_fails", func(t *testing.T) {
			f := newFixture(t, e)
			_, res := f.redeem(t, f.fabrikam, "kim@contoso.example")
			_, before := newest(t, f)
			f.bridge.failCompletes(errBridge)
			if _, err := f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{AuthRequestID: "ar-9"}); !errors.Is(err, errBridge) {
				t.Fatalf("ContinueSession = %v, want the bridge's error", err)
			}
			if _, n := newest(t, f); n != before {
				t.Fatalf("a sign-in whose request failed recorded %d sign-ins", n-before)
			}
		})
		t.Run("R9_refusal_on_live_session_recorded_with_app", func(t *testing.T) {
			f := newFixture(t, e)
			g, res := f.redeem(t, f.fabrikam, "kim@contoso.example")
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			if _, err := f.svc.ContinueSession(ctx, f.fabrikam, res.Session, signin.Continuation{AuthRequestID: "ar-9"}); !errors.Is(err, invitation.ErrOTPDisabled) {
				t.Fatalf("ContinueSession = %v, want invitation.ErrOTPDisabled", err)
			}
			got, _ := newest(t, f)
			if got.ErrorCode != 50020 || got.UserID != g.ID || got.AppDisplayName != "Woodgrove ar-9" {
				t.Fatalf("refusal on a live session = %+v", got)
			}
		})
		t.Run("refusal_at_address_names_app", func(t *testing.T) {
			f := newFixture(t, e)
			f.redeem(t, f.fabrikam, "kim@contoso.example")
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			if _, err := f.svc.BeginFor(ctx, f.fabrikam, "kim@contoso.example", signin.Continuation{AuthRequestID: "ar-7"}); !errors.Is(err, invitation.ErrOTPDisabled) {
				t.Fatal("BeginFor with passcodes off signed in a passcode guest")
			}
			got, _ := newest(t, f)
			if got.ErrorCode != 50020 || got.AppDisplayName != "Woodgrove ar-7" {
				t.Fatalf("refusal at the address = %+v", got)
			}
		})
		t.Run("unknown_address_send_names_app", func(t *testing.T) {
			f := newFixture(t, e)
			r, err := f.svc.BeginFor(ctx, f.fabrikam, "nobody@contoso.example", signin.Continuation{AuthRequestID: "ar-8"})
			if err != nil {
				t.Fatal(err)
			}
			if err := f.svc.SendCode(ctx, r, "en"); err != nil {
				t.Fatal(err)
			}
			got, _ := newest(t, f)
			if got.ErrorCode != 50034 || got.AppDisplayName != "Woodgrove ar-8" {
				t.Fatalf("send to an unknown address = %+v", got)
			}
		})
	})
}

// TestAllowed: what an app's tokens may still do. A passcode guest is
// allowed until passcodes are turned off (R9) or the account is disabled;
// a member is allowed while enabled; an unknown user is not.
func TestAllowed(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("R9_passcode_guest_refused_after_passcodes_off", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			if err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, ""); err != nil {
				t.Fatalf("Allowed before = %v", err)
			}
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, "")
			if !errors.Is(err, invitation.ErrOTPDisabled) || !signin.IsRefusal(err) {
				t.Fatalf("Allowed after passcodes off = %v, want invitation.ErrOTPDisabled (a refusal)", err)
			}
			f.setPasscodes(t, f.fabrikam, policy.AllowEnabled)
			if err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, ""); err != nil {
				t.Fatalf("Allowed after passcodes on again = %v", err)
			}
		})
		t.Run("disabled_and_unknown_refused", func(t *testing.T) {
			f := newFixture(t, e)
			g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
			if err := f.members.SetAccountEnabled(ctx, f.fabrikam, g.ID, false, audit.CLI, roles.AsOperator()); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.Allowed(ctx, f.fabrikam.ID, g.ID, ""); !errors.Is(err, signin.ErrAccountDisabled) {
				t.Fatalf("Allowed for a disabled guest = %v, want ErrAccountDisabled", err)
			}
			if err := f.svc.Allowed(ctx, f.fabrikam.ID, "00000000-0000-0000-0000-000000000000", ""); !errors.Is(err, signin.ErrNotMember) {
				t.Fatalf("Allowed for an unknown user = %v, want ErrNotMember", err)
			}
			if err := f.svc.Allowed(ctx, f.contoso.ID, g.ID, ""); !errors.Is(err, signin.ErrNotMember) {
				t.Fatalf("Allowed for Fabrikam's guest at Contoso = %v, want ErrNotMember", err)
			}
		})
		t.Run("member_allowed_with_passcodes_off", func(t *testing.T) {
			f := newFixture(t, e)
			m := f.member(t, f.fabrikam, "lee@fabrikam.example")
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			if err := f.svc.Allowed(ctx, f.fabrikam.ID, m.ID, ""); err != nil {
				t.Fatalf("Allowed for a member = %v", err)
			}
		})
	})
}
