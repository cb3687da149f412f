package signin_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/testenv"
)

// Addresses of the lockout tests: the attacker's client and the real
// user's, each with its own browser.
const (
	attackerAddr = "198.51.100.7"
	victimAddr   = "203.0.113.5"
)

// client is a request's context from a client address and a browser (the
// pages give every request its browser's id).
func client(addr, browser string) context.Context {
	return httpx.WithClient(context.Background(), httpx.Client{Addr: addr, Browser: browser})
}

// TestLockout is the reviewer's attack of issue 20, finding 5: a third
// party who repeats its failures every window, from another client
// address, locks nobody out.
func TestLockout(t *testing.T) {
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("finding5_guest_attacker_sends_and_wrong_codes_never_keep_guest_out", func(t *testing.T) {
			f := newFixture(t, e, ratelimit.DefaultLimits)
			f.invite(t, f.fabrikam, "kim@contoso.example")
			attacker, victim := client(attackerAddr, "attacker-browser"), client(victimAddr, "kims-browser")
			// The attacker's hour: Send code as often as the limits let it
			// (R3: once a minute, ten an hour) and five wrong codes after each.
			attack := func(sends int) {
				t.Helper()
				for range sends {
					r := f.begin(t, f.fabrikam, "kim@contoso.example")
					_ = f.svc.SendCode(attacker, r, "en")
					for range 5 {
						_, _ = f.svc.VerifyCode(attacker, r, "00000000", signin.Continuation{})
					}
					f.clock.Advance(61 * time.Second)
				}
			}
			for hour := range 3 { // the attacker repeats every hour
				start := f.clock.Now()
				attack(11)
				r := f.begin(t, f.fabrikam, "kim@contoso.example")
				// The real guest gets a code at once ...
				if err := f.svc.SendCode(victim, r, "en"); err != nil {
					t.Fatalf("hour %d: the guest's Send code = %v, want a code now", hour, err)
				}
				code := f.code(t, f.fabrikam, "kim@contoso.example")
				// The code page tells each requester the truth: the guest may
				// send again in a minute (R3), the attacker when its own hour ends.
				st, err := f.svc.CodeState(victim, r)
				if err != nil || !st.Live || st.AttemptsLeft != otp.DefaultLimits.MaxAttempts || !st.ResendAt.Equal(f.clock.Now().Add(time.Minute)) {
					t.Fatalf("hour %d: the guest's code page = %+v, %v; want a live code with every attempt left, a new one in a minute", hour, st, err)
				}
				if st, err := f.svc.CodeState(attacker, r); err != nil || st.Live || !st.ResendAt.Equal(start.Add(time.Hour)) {
					t.Fatalf("hour %d: the attacker's code page = %+v, %v; want its void code and a new one when its hour ends", hour, st, err)
				}
				// ... which the attacker's further sends and wrong codes do not void.
				attack(3)
				res, err := f.svc.VerifyCode(victim, r, code, signin.Continuation{})
				if err != nil {
					t.Fatalf("hour %d: the guest's code = %v, want signed in", hour, err)
				}
				if res.Consent != nil {
					if _, err := f.svc.Accept(victim, f.fabrikam, res.Consent.Proof); err != nil {
						t.Fatalf("hour %d: Accept = %v", hour, err)
					}
				}
				f.clock.Set(start.Add(time.Hour))
			}
		})
		t.Run("finding5_guest_attacker_code_requests_void_only_its_own_codes", func(t *testing.T) {
			f := newFixture(t, e, ratelimit.DefaultLimits)
			f.invite(t, f.fabrikam, "kim@contoso.example")
			victim := client(victimAddr, "kims-browser")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			if err := f.svc.SendCode(victim, r, "en"); err != nil {
				t.Fatal(err)
			}
			code := f.code(t, f.fabrikam, "kim@contoso.example")
			// Another browser on the guest's own address asks for a code too.
			if err := f.svc.SendCode(client(victimAddr, "other-browser"), r, "en"); err == nil {
				t.Fatal("a second send from the same client address within 60 s was not throttled (R3)")
			}
			f.clock.Advance(61 * time.Second)
			if err := f.svc.SendCode(client(attackerAddr, "attacker-browser"), r, "en"); err != nil {
				t.Fatalf("attacker's send = %v", err)
			}
			// The guest's own code is still the guest's: good in the guest's browser only.
			if _, err := f.svc.VerifyCode(client(attackerAddr, "attacker-browser"), r, code, signin.Continuation{}); !errors.Is(err, otp.ErrWrongCode) {
				t.Fatalf("the guest's code in the attacker's browser = %v, want ErrWrongCode", err)
			}
			if res, err := f.svc.VerifyCode(victim, r, code, signin.Continuation{}); err != nil || res.Consent == nil {
				t.Fatalf("the guest's code in the guest's browser = %+v, %v; want the consent step", res, err)
			}
		})
		t.Run("finding5_member_attacker_wrong_passwords_never_keep_member_out", func(t *testing.T) {
			f := newFixture(t, e, ratelimit.DefaultLimits)
			f.member(t, f.fabrikam, "lee@fabrikam.example")
			w := f.members.Limits().Window
			for window := range 4 { // the attacker repeats every window
				start := f.clock.Now()
				r := f.begin(t, f.fabrikam, "lee@fabrikam.example")
				for i := range 8 {
					_, err := f.svc.CheckPassword(context.Background(), r, "not-"+goodPassword, attackerAddr, signin.Continuation{})
					var te *member.ThrottledError
					if i >= 5 && !errors.As(err, &te) {
						t.Fatalf("window %d: the attacker's wrong password %d = %v, want throttled", window, i+1, err)
					}
				}
				f.clock.Advance(time.Minute)
				if _, err := f.svc.CheckPassword(context.Background(), r, goodPassword, victimAddr, signin.Continuation{}); err != nil {
					t.Fatalf("window %d: the right password from a clean address = %v, want signed in", window, err)
				}
				// The attacker's own refusal ends with its window.
				var te *member.ThrottledError
				if _, err := f.svc.CheckPassword(context.Background(), r, goodPassword, attackerAddr, signin.Continuation{}); !errors.As(err, &te) || !te.RetryAt.Equal(start.Add(w)) {
					t.Fatalf("window %d: from the attacker's address = %v, want refused until its window ends", window, err)
				}
				f.clock.Set(start.Add(w))
			}
		})
		t.Run("finding5_member_guesses_from_many_addresses_never_keep_member_out", func(t *testing.T) {
			f := newFixture(t, e, ratelimit.DefaultLimits)
			f.member(t, f.fabrikam, "lee@fabrikam.example")
			l := f.members.Limits()
			attackers := l.AccountCeiling/l.AccountFailures + 2 // past the account's ceiling
			for window := range 3 {
				start := f.clock.Now()
				r := f.begin(t, f.fabrikam, "lee@fabrikam.example")
				for a := range attackers {
					from := "198.51.100." + strconv.Itoa(10+a)
					for range l.AccountFailures + 1 {
						_, _ = f.svc.CheckPassword(context.Background(), r, "not-"+goodPassword, from, signin.Continuation{})
					}
				}
				if _, err := f.svc.CheckPassword(context.Background(), r, goodPassword, victimAddr, signin.Continuation{}); err != nil {
					t.Fatalf("window %d: the right password from a clean address past the account's ceiling = %v, want signed in", window, err)
				}
				f.clock.Set(start.Add(l.Window))
			}
		})
	})
}
