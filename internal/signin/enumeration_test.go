package signin_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestEnumeration: up to the proof, an address that is no user of the
// tenant is answered as a guest who has not redeemed yet: the same route,
// the same reads, the same write transactions and the same send limits;
// no mail is queued and no code it is given can pass
// (docs/security.md, Enumeration).
func TestEnumeration(t *testing.T) {
	ctx := context.Background()
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("unknown_address_same_route_reads_and_writes_as_pending_guest", func(t *testing.T) {
			f := newFixture(t, e)
			f.invite(t, f.fabrikam, "kim@contoso.example")
			f.takeCalls()

			type step struct {
				route  signin.Route
				reads  []string
				writes int64
				// trips: PostgreSQL's transactions, each step in a request's
				// context as the pages run it (store.WithRequestMemo)
				trips int64
				err   error
			}
			run := func(addr string) (begin, send step) {
				w0, t0 := f.db.WriteTxCount(), f.db.ServerTxCount()
				begin.route, begin.err = f.svc.Begin(store.WithRequestMemo(ctx), f.fabrikam, addr)
				begin.reads, begin.writes, begin.trips = f.takeCalls(), f.db.WriteTxCount()-w0, f.db.ServerTxCount()-t0
				w0, t0 = f.db.WriteTxCount(), f.db.ServerTxCount()
				send.err = f.svc.SendCode(store.WithRequestMemo(ctx), begin.route, "en")
				send.reads, send.writes, send.trips = f.takeCalls(), f.db.WriteTxCount()-w0, f.db.ServerTxCount()-t0
				return begin, send
			}
			guestBegin, guestSend := run("kim@contoso.example")
			unknownBegin, unknownSend := run("nobody@contoso.example")
			if guestBegin.err != nil || unknownBegin.err != nil || guestSend.err != nil || unknownSend.err != nil {
				t.Fatalf("errors: guest %v / %v, unknown %v / %v; want none", guestBegin.err, guestSend.err, unknownBegin.err, unknownSend.err)
			}
			g, u := guestBegin.route, unknownBegin.route
			if u.Method != g.Method || !reflect.DeepEqual(u.Decision, g.Decision) {
				t.Fatalf("unknown route %v %+v, guest route %v %+v; want the same", u.Method, u.Decision, g.Method, g.Decision)
			}
			for _, c := range []struct {
				what          string
				guest, unknow step
			}{{"Begin", guestBegin, unknownBegin}, {"SendCode", guestSend, unknownSend}} {
				if !reflect.DeepEqual(c.guest.reads, c.unknow.reads) || c.guest.writes != c.unknow.writes || c.guest.trips != c.unknow.trips {
					t.Errorf("%s: guest read %v and wrote %d transactions (%d on the server); unknown read %v and wrote %d (%d)",
						c.what, c.guest.reads, c.guest.writes, c.guest.trips, c.unknow.reads, c.unknow.writes, c.unknow.trips)
				}
			}
			mails, err := f.db.ListMail(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(mails) != 1 || len(mails[0].To) != 1 || mails[0].To[0] != "kim@contoso.example" {
				t.Fatalf("mail queued = %+v, want only the guest's", mails)
			}
			// The send limits (R3) answer alike, so a second Send code tells nothing.
			var gte, ute *otp.ThrottledError
			if err := f.svc.SendCode(ctx, g, "en"); !errors.As(err, &gte) {
				t.Fatalf("guest's second send = %v, want throttled", err)
			}
			if err := f.svc.SendCode(ctx, u, "en"); !errors.As(err, &ute) || !ute.RetryAt.Equal(gte.RetryAt) {
				t.Fatalf("unknown's second send = %v, want throttled like the guest's (%v)", err, gte)
			}
			// No code ever passes, not even the one composed and dropped.
			for _, code := range []string{"00000000", f.code(t, f.fabrikam, "nobody@contoso.example")} {
				res, err := f.svc.VerifyCode(ctx, u, code, signin.Continuation{})
				if !errors.Is(err, otp.ErrWrongCode) || res.Consent != nil || res.Token != "" {
					t.Fatalf("VerifyCode(unknown) = %+v, %v; want otp.ErrWrongCode", res, err)
				}
			}
			// The sign-in log says what happened: an unknown account.
			ss, err := f.db.ListSignIns(ctx, f.fabrikam.ID, audit.SignInCursor{}, 10)
			if err != nil {
				t.Fatal(err)
			}
			unknown := 0
			for _, s := range ss {
				if s.UserPrincipalName == "nobody@contoso.example" {
					if s.ErrorCode != 50034 || s.UserID != "" {
						t.Fatalf("unknown address recorded as %+v, want 50034 without a user", s)
					}
					unknown++
				}
			}
			if unknown == 0 {
				t.Fatal("the unknown address's attempts are not in the sign-in log")
			}
		})
		t.Run("unknown_address_in_own_domain_asked_for_password_never_passes", func(t *testing.T) {
			f := newFixture(t, e)
			f.member(t, f.fabrikam, "lee@fabrikam.example")
			m := f.begin(t, f.fabrikam, "lee@fabrikam.example")
			u := f.begin(t, f.fabrikam, "nobody@fabrikam.example")
			if u.Method.Name() != signin.MethodPassword || m.Method.Name() != signin.MethodPassword {
				t.Fatalf("routes %v and %v, want passwords for both", u.Method, m.Method)
			}
			if _, err := f.svc.CheckPassword(ctx, u, goodPassword, clientAddr, signin.Continuation{}); !errors.Is(err, member.ErrWrongPassword) {
				t.Fatalf("CheckPassword(unknown) = %v, want ErrWrongPassword", err)
			}
			if _, err := f.svc.CheckPassword(ctx, m, "not-"+goodPassword, clientAddr, signin.Continuation{}); !errors.Is(err, member.ErrWrongPassword) {
				t.Fatalf("CheckPassword(member, wrong) = %v, want ErrWrongPassword", err)
			}
		})
		t.Run("unknown_address_member_elsewhere_goes_home_like_a_pending_guest", func(t *testing.T) {
			f := newFixture(t, e)
			f.member(t, f.contoso, "kim@contoso.example")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			if r.Method.Name() != signin.MethodHomeTenant || r.Decision.UpstreamTenantID != f.contoso.ID {
				t.Fatalf("route = %+v, want the home tenant, as an invited guest gets", r)
			}
		})
	})
}

// TestAbuseLimits: sends and refused codes count per client address and
// per tenant; past a limit the attempt is a *ratelimit.LimitedError; an
// attacker's failures never keep a guest out for longer than the window.
func TestAbuseLimits(t *testing.T) {
	w := 15 * time.Minute
	limits := ratelimit.Limits{
		Send:   ratelimit.Scope{Action: "send", PerClient: ratelimit.Rule{Limit: 2, Window: w}, PerTenant: ratelimit.Rule{Limit: 100, Window: w}},
		Verify: ratelimit.Scope{Action: "verify", PerClient: ratelimit.Rule{Limit: 3, Window: w}, PerTenant: ratelimit.Rule{Limit: 5, Window: w}},
	}
	from := func(client string) context.Context {
		return httpx.WithClient(context.Background(), httpx.Client{Addr: client})
	}
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		t.Run("sends_per_client_address", func(t *testing.T) {
			f := newFixture(t, e, limits)
			for i, addr := range []string{"a@contoso.example", "b@contoso.example", "c@contoso.example"} {
				f.invite(t, f.fabrikam, addr)
				err := f.svc.SendCode(from("198.51.100.1"), f.begin(t, f.fabrikam, addr), "en")
				var le *ratelimit.LimitedError
				switch {
				case i < 2 && err != nil:
					t.Fatalf("send %d = %v", i, err)
				case i == 2 && !errors.As(err, &le):
					t.Fatalf("third send from one address = %v, want *ratelimit.LimitedError", err)
				}
			}
			if err := f.svc.SendCode(from("192.0.2.9"), f.begin(t, f.fabrikam, "c@contoso.example"), "en"); err != nil {
				t.Fatalf("a send from another address = %v", err)
			}
		})
		t.Run("attacker_wrong_codes_never_lock_guest_out_beyond_window", func(t *testing.T) {
			f := newFixture(t, e, limits)
			f.invite(t, f.fabrikam, "kim@contoso.example")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			code := f.send(t, r)
			// An attacker from several addresses guesses codes of other
			// addresses until the tenant's limit of refused codes is reached.
			for i := 0; i < 8; i++ {
				victim := f.begin(t, f.fabrikam, "nobody@contoso.example")
				_, _ = f.svc.VerifyCode(from("198.51.100."+string(rune('1'+i%3))), victim, "12345678", signin.Continuation{})
			}
			var le *ratelimit.LimitedError
			if _, err := f.svc.VerifyCode(from("198.51.100.1"), r, code, signin.Continuation{}); !errors.As(err, &le) {
				t.Fatalf("the attacker's address = %v, want *ratelimit.LimitedError", err)
			}
			if wait := le.RetryAt.Sub(f.clock.Now()); wait <= 0 || wait > w {
				t.Fatalf("refused for %s, want at most the window %s", wait, w)
			}
			// The guest, from a clean address, is let in at once.
			res, err := f.svc.VerifyCode(from("203.0.113.5"), r, code, signin.Continuation{})
			if err != nil || res.Consent == nil {
				t.Fatalf("the guest from a clean address = %+v, %v; want signed in", res, err)
			}
		})
		t.Run("guest_sharing_attackers_address_waits_one_window_at_most", func(t *testing.T) {
			f := newFixture(t, e, limits)
			f.invite(t, f.fabrikam, "kim@contoso.example")
			r := f.begin(t, f.fabrikam, "kim@contoso.example")
			code := f.send(t, r)
			for i := 0; i < 3; i++ {
				_, _ = f.svc.VerifyCode(from("198.51.100.1"), f.begin(t, f.fabrikam, "nobody@contoso.example"), "12345678", signin.Continuation{})
			}
			var le *ratelimit.LimitedError
			if _, err := f.svc.VerifyCode(from("198.51.100.1"), r, code, signin.Continuation{}); !errors.As(err, &le) {
				t.Fatalf("after three refused codes from the address = %v, want *ratelimit.LimitedError", err)
			}
			f.clock.Set(le.RetryAt)
			if wait := le.RetryAt.Sub(f.clock.Now()); wait > w {
				t.Fatalf("refused for %s", wait)
			}
			if res, err := f.svc.VerifyCode(from("198.51.100.1"), r, code, signin.Continuation{}); err != nil || res.Consent == nil {
				t.Fatalf("at the window's end = %+v, %v; want signed in (the code lives 30 minutes)", res, err)
			}
		})
	})
}
