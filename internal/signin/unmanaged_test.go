package signin_test

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/testenv"
)

// consumersFixture is a fixture with the consumers directory.
func consumersFixture(t *testing.T, e testenv.Engine) (*fixture, directory.Tenant) {
	t.Helper()
	f := newFixture(t, e)
	consumers := directory.ConsumersTenant("guestgate.local", f.clock.Now())
	if err := signin.EnsureConsumers(context.Background(), f.db, consumers); err != nil {
		t.Fatal(err)
	}
	return f, consumers
}

// openSignUpAt opens the sign-up a Start… URL (/{consumers}/signup?state=…) names.
func openSignUpAt(t *testing.T, f *fixture, raw, browser string) signin.SignUp {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil || u.Path != signin.SignUpPath() {
		t.Fatalf("%q is no sign-up URL (%v)", raw, err)
	}
	su, err := f.svc.OpenSignUp(context.Background(), u.Query().Get("state"), browser)
	if err != nil {
		t.Fatalf("OpenSignUp = %v", err)
	}
	return su
}

// signUpThere runs Begin at tn for addr (passcodes off, so the decision
// says to create an account), follows the route to the sign-up, sends its
// code and completes it with a password.
func signUpThere(t *testing.T, f *fixture, consumers, tn directory.Tenant, addr, browser string) (signin.Route, signin.SignUp, signin.SignUpResult, error) {
	t.Helper()
	ctx := context.Background()
	r := f.begin(t, tn, addr)
	if r.Method.Name() != signin.MethodHomeTenant || !r.Decision.CreateAccount {
		t.Fatalf("route for %s = %v %+v, want an account to create", addr, r.Method, r.Decision)
	}
	raw, err := f.svc.StartHomeTenant(r, signin.Continuation{AuthRequestID: "ar-1"}, false, browser)
	if err != nil {
		t.Fatal(err)
	}
	su := openSignUpAt(t, f, raw, browser)
	if err := f.svc.SendSignUpCode(ctx, su, "en"); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.CompleteSignUp(ctx, su, f.code(t, consumers, addr), "", "Lantern-orchid-7-river")
	return r, su, res, err
}

// noTenantFor fails unless no tenant has domain.
func noTenantFor(t *testing.T, f *fixture, domain, rule string) {
	t.Helper()
	if tn, err := f.db.GetTenantByDomain(context.Background(), domain); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("%s: a tenant has %s: %+v, %v", rule, domain, tn, err)
	}
}

// TestUnmanagedDirectories (R15; security round 2, finding 2).
func TestUnmanagedDirectories(t *testing.T) {
	ctx := context.Background()
	const browser = "csrf-cookie-of-browser-1"
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("R15_public_mail_domain_takes_personal_path_no_directory", func(t *testing.T) {
			f, consumers := consumersFixture(t, e)
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			const addr = "mallory@gmail.com"
			inv := f.invite(t, f.fabrikam, addr)
			r, su, res, err := signUpThere(t, f, consumers, f.fabrikam, addr, browser)
			if r.Decision.IdP != directory.IdPPersonal || su.Unmanaged || err != nil {
				t.Fatalf("decision %+v, unmanaged sign-up %v, CompleteSignUp %v; want a personal account", r.Decision, su.Unmanaged, err)
			}
			noTenantFor(t, f, "gmail.com", "R15_no_directory_for_gmail")
			if res.Home.ID != directory.ConsumersTenantID {
				t.Fatalf("account made in %s, want the consumers directory", res.Home.ID)
			}
			// Back at Fabrikam: Review permissions, then the guest is
			// redeemed with the personal account.
			u, err := url.Parse(res.Next)
			if err != nil {
				t.Fatal(err)
			}
			back, err := f.svc.HomeReturn(ctx, f.fabrikam, u.Query().Get("handoff"), browser, func(tid string) string {
				if tid == consumers.ID {
					return res.Token
				}
				return ""
			})
			if err != nil || back.Consent == nil {
				t.Fatalf("HomeReturn = %+v, %v; want Review permissions", back, err)
			}
			if _, err := f.svc.Accept(ctx, f.fabrikam, back.Consent.Proof); err != nil {
				t.Fatal(err)
			}
			if g := f.user(t, f.fabrikam, inv.User.ID); g.ExternalUserState != directory.StateAccepted || g.IdP != directory.IdPPersonal {
				t.Fatalf("guest after redemption = %+v, want Accepted with a personal account", g)
			}
		})

		t.Run("R15_stale_unmanaged_sign_up_for_public_domain_refused", func(t *testing.T) {
			// An invitation to an organisation's domain leads to an
			// unmanaged sign-up; the same state cannot make one for gmail.com.
			f, consumers := consumersFixture(t, e)
			f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
			f.invite(t, f.fabrikam, "lee@northwind.example")
			_, su, _, err := signUpThere(t, f, consumers, f.fabrikam, "lee@northwind.example", browser)
			if err != nil || !su.Unmanaged {
				t.Fatalf("R12_organisation_domain_still_unmanaged: unmanaged %v, %v", su.Unmanaged, err)
			}
			if tn, err := f.db.GetTenantByDomain(ctx, "northwind.example"); err != nil || tn.Managed {
				t.Fatalf("R12_organisation_domain_still_unmanaged: %+v, %v", tn, err)
			}
		})

		for _, c := range []struct{ rule, addr, domain string }{
			{"R15_uninvited_unmanaged_sign_up_refused_before_creation", "lee@northwind.example", "northwind.example"},
			{"R15_uninvited_personal_sign_up_refused_before_creation", "mallory@gmail.com", "gmail.com"},
		} {
			t.Run(c.rule, func(t *testing.T) {
				// A direct app link, passcodes off, no invitation: the pages
				// are an invited guest's (Enumeration), the code proves the
				// mailbox, and then the truth: nothing is created.
				f, consumers := consumersFixture(t, e)
				f.setPasscodes(t, f.fabrikam, policy.AllowDisabled)
				_, su, res, err := signUpThere(t, f, consumers, f.fabrikam, c.addr, browser)
				if !errors.Is(err, signin.ErrNotInvited) || res.Token != "" {
					t.Fatalf("CompleteSignUp = %+v, %v; want ErrNotInvited", res, err)
				}
				if !signin.IsRefusal(err) {
					t.Fatal("ErrNotInvited is not recorded as a refusal")
				}
				noTenantFor(t, f, c.domain, c.rule)
				if us, err := f.db.ListUsers(ctx, consumers.ID, "", 0); err != nil || len(us) != 0 {
					t.Fatalf("%s: %d accounts in the consumers directory, %v", c.rule, len(us), err)
				}
				if _, err := f.db.GetUserByMail(ctx, f.fabrikam.ID, c.addr); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("%s: a Fabrikam user for %s: %v", c.rule, c.addr, err)
				}
				if su.Token == "" {
					t.Fatal("no sign-up state")
				}
			})
		}

		t.Run("F10_consumers_sign_in_same_route_for_unknown_address", func(t *testing.T) {
			f, consumers := consumersFixture(t, e)
			acct, err := f.members.PrepareSelfService("pia@outlook.example", "", "Lantern-orchid-7-river")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.members.CreateSelfService(ctx, consumers, acct); err != nil {
				t.Fatal(err)
			}
			f.takeCalls()
			type step struct {
				route  signin.Route
				reads  []string
				writes int64
				err    error
			}
			run := func(addr string) (begin, pw step) {
				w0 := f.db.WriteTxCount()
				begin.route, begin.err = f.svc.Begin(ctx, consumers, addr)
				begin.reads, begin.writes = f.takeCalls(), f.db.WriteTxCount()-w0
				w0 = f.db.WriteTxCount()
				_, pw.err = f.svc.CheckPassword(ctx, begin.route, "Wrong-guess-0-stone", clientAddr, signin.Continuation{})
				pw.reads, pw.writes = f.takeCalls(), f.db.WriteTxCount()-w0
				return begin, pw
			}
			knownBegin, knownPw := run("pia@outlook.example")
			unknownBegin, unknownPw := run("nobody@outlook.example")
			if knownBegin.err != nil || unknownBegin.err != nil || knownBegin.route.Method.Name() != signin.MethodPassword || unknownBegin.route.Method.Name() != signin.MethodPassword {
				t.Fatalf("routes: known %v %v, unknown %v %v; want a password for both", knownBegin.route.Method, knownBegin.err, unknownBegin.route.Method, unknownBegin.err)
			}
			if !reflect.DeepEqual(knownBegin.reads, unknownBegin.reads) || knownBegin.writes != unknownBegin.writes {
				t.Fatalf("Begin: known %v (%d writes), unknown %v (%d writes)", knownBegin.reads, knownBegin.writes, unknownBegin.reads, unknownBegin.writes)
			}
			if !errors.Is(knownPw.err, member.ErrWrongPassword) || !errors.Is(unknownPw.err, member.ErrWrongPassword) || knownPw.writes != unknownPw.writes {
				t.Fatalf("wrong password: known %v (%d writes), unknown %v (%d writes)", knownPw.err, knownPw.writes, unknownPw.err, unknownPw.writes)
			}
		})

		t.Run("F10_consumers_sign_up_same_until_proved", func(t *testing.T) {
			f, consumers := consumersFixture(t, e)
			acct, err := f.members.PrepareSelfService("pia@outlook.example", "", "Lantern-orchid-7-river")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.members.CreateSelfService(ctx, consumers, acct); err != nil {
				t.Fatal(err)
			}
			for _, addr := range []string{"pia@outlook.example", "nobody@outlook.example"} {
				su := openSignUp(t, f, addr, browser)
				if su.SignInURL != "" || su.Unmanaged {
					t.Fatalf("sign-up for %s = %+v; want the page every address gets", addr, su)
				}
				if err := f.svc.SendSignUpCode(ctx, su, "en"); err != nil {
					t.Fatalf("Send code for %s = %v", addr, err)
				}
				wrong := "00000000"
				if f.code(t, consumers, addr) == wrong {
					wrong = "11111111"
				}
				if _, err := f.svc.CompleteSignUp(ctx, su, wrong, "", "Lantern-orchid-7-river"); !errors.Is(err, otp.ErrWrongCode) {
					t.Fatalf("a wrong code for %s = %v, want otp.ErrWrongCode", addr, err)
				}
			}
		})
	})
}
