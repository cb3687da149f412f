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
		t.Run("second_sign_up_signs_in_instead", func(t *testing.T) {
			f, consumers, su := setup(t)
			code := f.code(t, consumers, addr)
			stale := openSignUp(t, f, addr, browser) // opened before the account exists
			if _, err := f.svc.CompleteSignUp(ctx, su, code, "", "Lantern-orchid-7-river"); err != nil {
				t.Fatal(err)
			}
			again := openSignUp(t, f, addr, browser)
			if !strings.HasPrefix(again.SignInURL, "/"+directory.ConsumersTenantID+"/login?") {
				t.Fatalf("second sign-up = %+v, want the way to sign in", again)
			}
			f.clock.Advance(61 * time.Second)
			if err := f.svc.SendSignUpCode(ctx, stale, "en"); err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.CompleteSignUp(ctx, stale, f.code(t, consumers, addr), "", "Lantern-orchid-7-river"); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("a second sign-up completed: %v, want ErrDecisionChanged", err)
			}
			users, err := f.db.ListUsers(ctx, consumers.ID, "", 0)
			if err != nil || len(users) != 1 {
				t.Fatalf("%d personal accounts, %v; want 1", len(users), err)
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
