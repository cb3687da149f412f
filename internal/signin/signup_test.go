package signin_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestSignUp covers self-service sign-up of a personal account: the
// mailed code proves the address but is scoped to sign-up (never a
// sign-in code), and a second sign-up for an address with an account
// signs in instead, creating no second account.
func TestSignUp(t *testing.T) {
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		ctx := context.Background()
		const addr = "pia@outlook.example"
		const browser = "browser-binding"
		setup := func(t *testing.T) (*fixture, directory.Tenant, signin.SignUp) {
			f := newFixture(t, e)
			consumers := directory.ConsumersTenant("guestgate.local", f.clock.Now())
			if err := signin.EnsureConsumers(ctx, f.db, consumers); err != nil {
				t.Fatal(err)
			}
			su := openSignUp(t, f, addr, browser)
			if err := f.svc.SendSignUpCode(ctx, su, "en"); err != nil {
				t.Fatalf("SendSignUpCode = %v", err)
			}
			return f, consumers, su
		}
		t.Run("sign_up_code_refused_for_sign_in", func(t *testing.T) {
			f, consumers, su := setup(t)
			code := f.code(t, consumers, addr)
			if err := f.codeUsable(consumers, addr, code); !errors.Is(err, otp.ErrNoCode) {
				t.Fatalf("the sign-up code as a sign-in code: %v, want otp.ErrNoCode", err)
			}
			res, err := f.svc.CompleteSignUp(ctx, su, code, "Pia", "Lantern-orchid-7-river")
			if err != nil || res.Home.ID != directory.ConsumersTenantID || res.Token == "" {
				t.Fatalf("CompleteSignUp = %+v, %v", res, err)
			}
			u := f.user(t, consumers, res.Session.UserID)
			if u.Mail != addr || u.UserType != directory.UserTypeMember || u.CreationType != "SelfServiceSignUp" {
				t.Fatalf("personal account = %+v", u)
			}
		})
		t.Run("weak_password_leaves_code_unused", func(t *testing.T) {
			f, consumers, su := setup(t)
			code := f.code(t, consumers, addr)
			if _, err := f.svc.CompleteSignUp(ctx, su, code, "", "password"); err == nil {
				t.Fatal("a common password was accepted")
			}
			if _, err := f.svc.CompleteSignUp(ctx, su, code, "", "Lantern-orchid-7-river"); err != nil {
				t.Fatalf("CompleteSignUp after a refused password = %v", err)
			}
		})
		t.Run("F10_second_sign_up_signs_in_instead_once_proved", func(t *testing.T) {
			f, consumers, su := setup(t)
			code := f.code(t, consumers, addr)
			if _, err := f.svc.CompleteSignUp(ctx, su, code, "", "Lantern-orchid-7-river"); err != nil {
				t.Fatal(err)
			}
			// Opened again, the sign-up reads as a first one: nothing says
			// the address has an account before its code is proved.
			again := openSignUp(t, f, addr, browser)
			if again.SignInURL != "" {
				t.Fatalf("a second sign-up told the account exists before any proof: %+v", again)
			}
			f.clock.Advance(61 * time.Second)
			if err := f.svc.SendSignUpCode(ctx, again, "en"); err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.CompleteSignUp(ctx, again, f.code(t, consumers, addr), "", "Another-orchid-8-lake")
			if err != nil || res.Token != "" || !strings.HasPrefix(res.Next, "/"+directory.ConsumersTenantID+"/login?login_hint=") {
				t.Fatalf("second sign-up, proved = %+v, %v; want the way to sign in and no session", res, err)
			}
			users, err := f.db.ListUsers(ctx, consumers.ID, "", 0)
			if err != nil || len(users) != 1 {
				t.Fatalf("%d personal accounts, %v; want 1", len(users), err)
			}
			if _, err := f.members.Authenticate(ctx, consumers, addr, "Lantern-orchid-7-river", clientAddr); err != nil {
				t.Fatalf("the first password no longer works: %v", err)
			}
		})
	})
}

// openSignUp starts a personal sign-up for addr with no invitation and opens it.
func openSignUp(t *testing.T, f *fixture, addr, browser string) signin.SignUp {
	t.Helper()
	raw, err := f.svc.StartPersonalSignUp(addr, browser)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	su, err := f.svc.OpenSignUp(context.Background(), u.Query().Get("state"), browser)
	if err != nil {
		t.Fatalf("OpenSignUp = %v", err)
	}
	return su
}
