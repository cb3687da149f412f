package signin_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestAppSignUp (R13; security round 2, finding 8): sign-up to an app
// follows the decision a redemption follows, and a new self-service
// guest reviews permissions like every first redemption: Accept creates
// the guest, Cancel creates nothing, and the decision is made again at
// Accept.
func TestAppSignUp(t *testing.T) {
	ctx := context.Background()
	const browser = "csrf-cookie-of-browser-1"
	offer := func(t *testing.T, f *fixture, addr string) *signin.AppSignUpOffer {
		t.Helper()
		r := f.begin(t, f.fabrikam, addr)
		o, err := f.svc.OfferAppSignUp(ctx, r, "ar-1", browser)
		if err != nil || o == nil {
			t.Fatalf("OfferAppSignUp(%s) = %+v, %v; want an offer", addr, o, err)
		}
		return o
	}
	noUser := func(t *testing.T, f *fixture, addr, rule string) {
		t.Helper()
		if u, err := f.db.GetUserByMail(ctx, f.fabrikam.ID, addr); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("%s: a Fabrikam user for %s: %+v, %v", rule, addr, u, err)
		}
	}
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("F8_home_tenant_member_signs_up_at_home_only", func(t *testing.T) {
			f := newFixture(t, e)
			f.signUps.enable()
			f.setPasscodes(t, f.fabrikam, policy.AllowEnabled)
			const addr = "ana@contoso.example"
			f.member(t, f.contoso, addr)
			o := offer(t, f, addr)
			if o.Home == nil || o.Home.ID != f.contoso.ID || o.Passcode || o.Personal || o.Partner != "" {
				t.Fatalf("offer = %+v; want Contoso and nothing else", o)
			}
			if err := f.svc.SendAppSignUpCode(ctx, *o, "en"); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("F8_no_passcode_for_home_member: SendAppSignUpCode = %v", err)
			}
			if _, err := f.svc.StartAppSignUpElsewhere(ctx, *o, signin.SignUpWithPersonal, browser); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("F8_no_personal_account_for_home_member: %v", err)
			}
			raw, err := f.svc.StartAppSignUpElsewhere(ctx, *o, signin.SignUpWithHomeTenant, browser)
			if err != nil {
				t.Fatal(err)
			}
			hs, err := f.svc.OpenHandoff(ctx, f.contoso, handoffToken(t, raw.URL), browser)
			if err != nil {
				t.Fatal(err)
			}
			home, err := f.svc.HomePassword(ctx, hs, goodPassword, clientAddr)
			if err != nil {
				t.Fatal(err)
			}
			back, err := f.svc.HomeReturn(ctx, f.fabrikam, handoffToken(t, home.Next), browser, func(tid string) string {
				if tid == f.contoso.ID {
					return home.Token
				}
				return ""
			})
			if err != nil || back.Consent == nil || back.Token != "" {
				t.Fatalf("F8_sign_up_reviews_permissions: HomeReturn = %+v, %v", back, err)
			}
			noUser(t, f, addr, "F8_no_guest_before_accept")
			done, err := f.svc.Accept(ctx, f.fabrikam, back.Consent.Proof)
			if err != nil || done.Token == "" {
				t.Fatalf("Accept = %+v, %v", done, err)
			}
			u := f.user(t, f.fabrikam, done.Session.UserID)
			if u.IdP != directory.IdPHomeTenant || u.IdPIssuer != f.svc.Issuer(f.contoso.ID) || u.CreationType != invitation.CreationSelfServiceSignUp || u.ExternalUserState != directory.StateAccepted {
				t.Fatalf("guest after sign-up = %+v", u)
			}
		})

		t.Run("F8_federated_domain_offered_the_partner_only", func(t *testing.T) {
			f := newFixture(t, e)
			f.signUps.enable()
			f.setPasscodes(t, f.fabrikam, policy.AllowEnabled)
			if _, err := f.feds.Create(ctx, f.fabrikam, federation.Draft{
				Federation: federation.Federation{Kind: federation.KindOIDC, DisplayName: "Partner OIDC",
					Issuer: "https://idp.partner-oidc.example", Domains: []string{"partner-oidc.example"},
					Settings: federation.Settings{ClientID: "fabrikam-guests"}},
				ClientSecret: "partner-secret",
			}, audit.CLI); err != nil {
				t.Fatal(err)
			}
			const addr = "nina@partner-oidc.example"
			o := offer(t, f, addr)
			if o.Partner != "Partner OIDC" || o.Passcode || o.Personal || o.Home != nil {
				t.Fatalf("offer = %+v; want the partner and nothing else", o)
			}
			if err := f.svc.SendAppSignUpCode(ctx, *o, "en"); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("F8_no_passcode_for_federated_domain: SendAppSignUpCode = %v", err)
			}
			if _, err := f.svc.StartAppSignUpElsewhere(ctx, *o, signin.SignUpWithPersonal, browser); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("F8_no_personal_account_for_federated_domain: %v", err)
			}
			if _, err := f.svc.StartAppSignUpElsewhere(ctx, *o, signin.SignUpWithHomeTenant, browser); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("F8_no_home_tenant_for_federated_domain: %v", err)
			}
			noUser(t, f, addr, "F8_nothing_created")
		})

		t.Run("R13_personal_account_made_on_the_way_then_review_permissions", func(t *testing.T) {
			f, consumers := consumersFixture(t, e)
			f.signUps.enable()
			const addr = "kai@tailspin.example"
			o := offer(t, f, addr)
			if !o.Personal || o.HasPersonal {
				t.Fatalf("offer = %+v; want a personal account to create", o)
			}
			raw, err := f.svc.StartAppSignUpElsewhere(ctx, *o, signin.SignUpWithPersonal, browser)
			if err != nil {
				t.Fatal(err)
			}
			su := openSignUpAt(t, f, raw.URL, browser)
			if err := f.svc.SendSignUpCode(ctx, su, "en"); err != nil {
				t.Fatal(err)
			}
			made, err := f.svc.CompleteSignUp(ctx, su, f.code(t, consumers, addr), "", "Lantern-orchid-7-river")
			if err != nil || made.Home.ID != consumers.ID {
				t.Fatalf("CompleteSignUp = %+v, %v", made, err)
			}
			back, err := f.svc.HomeReturn(ctx, f.fabrikam, handoffToken(t, made.Next), browser, func(tid string) string {
				if tid == consumers.ID {
					return made.Token
				}
				return ""
			})
			if err != nil || back.Consent == nil {
				t.Fatalf("F8_sign_up_reviews_permissions: HomeReturn = %+v, %v", back, err)
			}
			noUser(t, f, addr, "F8_no_guest_before_accept")
			done, err := f.svc.Accept(ctx, f.fabrikam, back.Consent.Proof)
			if err != nil {
				t.Fatal(err)
			}
			if u := f.user(t, f.fabrikam, done.Session.UserID); u.IdP != directory.IdPPersonal || u.IdPIssuer != f.svc.ConsumersIssuer() || u.CreationType != invitation.CreationSelfServiceSignUp {
				t.Fatalf("guest after sign-up = %+v", u)
			}
		})

		t.Run("F8_passcode_sign_up_reviews_permissions", func(t *testing.T) {
			f := newFixture(t, e)
			f.signUps.enable()
			f.setPasscodes(t, f.fabrikam, policy.AllowEnabled)
			const addr = "ivy@tailspin.example"
			o := offer(t, f, addr)
			if !o.Passcode || !o.Personal || o.Home != nil || o.Partner != "" {
				t.Fatalf("offer = %+v; want a passcode or a personal account", o)
			}
			proved := func() *signin.Consent {
				t.Helper()
				o, err := f.svc.OpenAppSignUp(ctx, f.fabrikam, o.Token, browser)
				if err != nil {
					t.Fatal(err)
				}
				if err := f.svc.SendAppSignUpCode(ctx, o, "en"); err != nil {
					t.Fatal(err)
				}
				res, err := f.svc.CompleteAppSignUpPasscode(ctx, o, f.code(t, f.fabrikam, addr))
				if err != nil || res.Consent == nil || res.Token != "" {
					t.Fatalf("F8_sign_up_reviews_permissions: CompleteAppSignUpPasscode = %+v, %v", res, err)
				}
				f.clock.Advance(61 * time.Second)
				return res.Consent
			}

			// Cancel: nothing is created, the app hears access_denied.
			c := proved()
			noUser(t, f, addr, "F8_no_guest_before_accept")
			if next, err := f.svc.Decline(ctx, f.fabrikam, c.Proof); err != nil || !strings.Contains(next, "error=access_denied") {
				t.Fatalf("Decline = %q, %v", next, err)
			}
			noUser(t, f, addr, "F8_cancel_creates_nothing")

			// The decision is made again at Accept: passcodes turned off
			// meanwhile, the passcode sign-up no longer completes.
			c = proved()
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			if _, err := f.svc.Accept(ctx, f.fabrikam, c.Proof); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("F8_accept_redecides: Accept = %v, want ErrDecisionChanged", err)
			}
			noUser(t, f, addr, "F8_accept_redecides")
			f.setPasscodes(t, f.fabrikam, policy.AllowEnabled)

			// Accept: the guest is created, Accepted with a passcode, and
			// the app's request completes in that transaction.
			c = proved()
			done, err := f.svc.Accept(ctx, f.fabrikam, c.Proof)
			if err != nil || done.Token == "" {
				t.Fatalf("Accept = %+v, %v", done, err)
			}
			u := f.user(t, f.fabrikam, done.Session.UserID)
			if u.IdP != directory.IdPMail || u.CreationType != invitation.CreationSelfServiceSignUp || u.ExternalUserState != directory.StateAccepted {
				t.Fatalf("guest after sign-up = %+v", u)
			}
			if completed, _ := f.bridge.calls(); len(completed) != 1 || completed[0].UserID != u.ID || !completed[0].InTx {
				t.Fatalf("completed requests = %+v", completed)
			}
			// The proof cannot make a second guest.
			if _, err := f.svc.Accept(ctx, f.fabrikam, c.Proof); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("a second Accept = %v, want ErrDecisionChanged", err)
			}
		})
	})
}
