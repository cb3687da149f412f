package signin_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestVerifyCodeAt (R2, R3): the enter-code page's Sign in reads the
// address's route in the transaction that checks the code and starts the
// session, and answers as BeginFor and VerifyCode did one after the
// other: a wrong code is refused with the route for the page, the right
// one signs in, an unknown address never passes, and a refused route (a
// disabled guest) is a *BeginError recorded in the sign-in log as
// BeginFor records it. On PostgreSQL the whole step is one transaction.
func TestVerifyCodeAt(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		f := newFixture(t, e)
		g, _ := f.redeem(t, f.fabrikam, "kim@contoso.example")
		f.clock.Advance(61 * time.Second) // one send a minute (R3)
		code := f.send(t, f.begin(t, f.fabrikam, "kim@contoso.example"))

		r, _, err := f.svc.VerifyCodeAt(ctx, f.fabrikam, "kim@contoso.example", wrongCode(code), signin.Continuation{})
		if !errors.Is(err, otp.ErrWrongCode) || r.User.ID != g.ID {
			t.Fatalf("a wrong code = %v for route user %q, want otp.ErrWrongCode for %s", err, r.User.ID, g.ID)
		}

		var (
			mu     sync.Mutex
			opened int
		)
		stop := f.db.ObserveStatements(func(_ string, opens bool) {
			mu.Lock()
			defer mu.Unlock()
			if opens {
				opened++
			}
		})
		r, res, err := f.svc.VerifyCodeAt(ctx, f.fabrikam, "kim@contoso.example", code, signin.Continuation{})
		stop()
		if err != nil || res.Session.UserID != g.ID || r.User.ID != g.ID {
			t.Fatalf("the right code = %+v, %v; want a session of %s", res.Session, err, g.ID)
		}
		mu.Lock()
		if e.Name == "postgres" && opened != 1 {
			t.Errorf("the step opened %d PostgreSQL transactions, want 1 (the route read in the sign-in's)", opened)
		}
		mu.Unlock()

		// An unknown address is refused as a code, never as its route.
		if _, _, err := f.svc.VerifyCodeAt(ctx, f.fabrikam, "nobody@contoso.example", code, signin.Continuation{}); !errors.Is(err, otp.ErrNoCode) {
			t.Fatalf("an unknown address = %v, want otp.ErrNoCode", err)
		}

		if err := f.db.UpdateUser(ctx, f.fabrikam.ID, g.ID, func(u *directory.User) error {
			u.AccountEnabled = false
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute) // the log lists the newest first
		_, _, err = f.svc.VerifyCodeAt(ctx, f.fabrikam, "kim@contoso.example", code, signin.Continuation{})
		var begun *signin.BeginError
		if !errors.As(err, &begun) || !errors.Is(err, signin.ErrAccountDisabled) {
			t.Fatalf("a disabled guest = %v, want a *BeginError wrapping ErrAccountDisabled", err)
		}
		if got, _ := f.newestSignIn(t, f.fabrikam); got.UserID != g.ID || got.ErrorCode != signin.ErrorCode(signin.ErrAccountDisabled) {
			t.Fatalf("recorded = %+v, want the disabled guest's refusal", got)
		}
	})
}

// wrongCode is a code of the same length that is not code.
func wrongCode(code string) string {
	b := []byte(code)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}
