package signin_test

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/signin"
	"github.com/guestgate/guestgate/internal/testenv"
)

// magicLink is a sign-in method that exists only in this test: it mails
// (here: keeps) a one-time link token instead of a passcode and ends in
// the service's one finish path. It is added through the registry alone,
// as a new method would be: nothing else in the package knows it.
type magicLink struct {
	svc *signin.Service
	mu  sync.Mutex
	// links holds the token sent to each address.
	links map[string]string
}

var _ signin.CodeMethod = (*magicLink)(nil)

func (*magicLink) Name() string { return "magicLink" }

func (m *magicLink) SendCode(_ context.Context, r signin.Route, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.links[r.User.Mail] = uuid.NewString()
	return nil
}

func (m *magicLink) VerifyCode(ctx context.Context, r signin.Route, token string, next signin.Continuation) (signin.Result, error) {
	m.mu.Lock()
	want, ok := m.links[r.User.Mail]
	delete(m.links, r.User.Mail)
	m.mu.Unlock()
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(token)) != 1 {
		return signin.Result{}, otp.ErrWrongCode
	}
	id := signin.Identity{TenantID: r.Tenant.ID, UserID: r.User.ID, IdP: directory.IdPMail, Issuer: string(directory.IdPMail), AMR: []string{"otp"}}
	return m.svc.Finish(ctx, r, id, next)
}

func (m *magicLink) CodeState(context.Context, signin.Route) (otp.State, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return otp.State{Live: len(m.links) > 0}, nil
}

func (m *magicLink) link(t *testing.T, addr string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	tok, ok := m.links[addr]
	if !ok {
		t.Fatalf("no link was sent to %s", addr)
	}
	return tok
}

// withMethods is f's sign-in service again, over the same stores, with
// the methods of reg.
func withMethods(t *testing.T, f *fixture, reg *signin.Registry) *signin.Service {
	t.Helper()
	return withDeps(t, f, func(d *signin.Deps) { d.Methods = reg })
}

// withDeps is f's sign-in service again, over the same stores, with the
// dependencies edit changes.
func withDeps(t *testing.T, f *fixture, edit func(*signin.Deps)) *signin.Service {
	t.Helper()
	d := signin.Deps{
		Directory: f.db, Invitations: f.invitations, OTP: f.otp, Sessions: f.sessions,
		Policies: f.policies, Members: f.members, Accounts: f.members, SignUps: f.signUps, Federations: f.feds,
		ComposePasscode: f.composePasscode, Outbox: f.db, SignInLog: f.db,
		Login: f.bridge, Assignments: f.assignments, Tx: f.db, Clock: f.clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	edit(&d)
	svc, err := signin.New(signin.Config{PublicURL: publicURL + "/", Key: []byte("signin-key-0123456789abcdef-0123456789")}, d)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// TestRegistry shows that a sign-in method plugs in through the registry
// alone: registered for the email identity, a magic link replaces the
// passcode on every route that decision names, and runs through Begin,
// its proof and the one finish path (Review permissions on the first
// redemption, then a session at once), with no other change.
func TestRegistry(t *testing.T) {
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		f := newFixture(t, e)
		ctx := context.Background()
		ml := &magicLink{links: map[string]string{}}
		reg := signin.Builtin()
		reg.Register(directory.IdPMail, func(s *signin.Service) signin.Method { ml.svc = s; return ml })
		svc := withMethods(t, f, reg)
		const addr = "ann@adatum.example"
		inv := f.invite(t, f.fabrikam, addr)

		t.Run("registered_method_runs_the_route", func(t *testing.T) {
			r, err := svc.Begin(ctx, f.fabrikam, addr)
			if err != nil || r.Method.Name() != "magicLink" {
				t.Fatalf("Begin = %+v, %v; want the magic link", r, err)
			}
			if err := svc.SendCode(ctx, r, "en"); err != nil {
				t.Fatalf("SendCode = %v", err)
			}
			f.mu.Lock()
			_, mailed := f.codes[f.fabrikam.ID+"/"+addr]
			f.mu.Unlock()
			if mailed {
				t.Fatal("a passcode was mailed; want only the magic link")
			}
			if _, err := svc.VerifyCode(ctx, r, "not-the-link", signin.Continuation{}); !errors.Is(err, otp.ErrWrongCode) {
				t.Fatalf("VerifyCode(wrong link) = %v, want otp.ErrWrongCode", err)
			}
			if err := svc.SendCode(ctx, r, "en"); err != nil {
				t.Fatal(err)
			}
			res, err := svc.VerifyCode(ctx, r, ml.link(t, addr), signin.Continuation{})
			if err != nil || res.Consent == nil || res.Token != "" {
				t.Fatalf("first redemption = %+v, %v; want Review permissions, no session yet", res, err)
			}
			acc, err := svc.Accept(ctx, f.fabrikam, res.Consent.Proof)
			if err != nil || acc.Token == "" || acc.Session.UserID != inv.User.ID {
				t.Fatalf("Accept = %+v, %v; want the guest's session", acc, err)
			}
			if u := f.user(t, f.fabrikam, inv.User.ID); u.ExternalUserState != directory.StateAccepted || u.IdP != directory.IdPMail {
				t.Fatalf("guest = %+v, want Accepted with the email identity", u)
			}
		})

		t.Run("later_sign_in_finishes_at_once", func(t *testing.T) {
			r, err := svc.Begin(ctx, f.fabrikam, addr)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.SendCode(ctx, r, "en"); err != nil {
				t.Fatal(err)
			}
			res, err := svc.VerifyCode(ctx, r, ml.link(t, addr), signin.Continuation{})
			if err != nil || res.Consent != nil || res.Token == "" || res.Next != "/"+f.fabrikam.ID+"/" {
				t.Fatalf("later sign-in = %+v, %v; want a session and My Apps", res, err)
			}
		})

		t.Run("unknown_address_never_finishes", func(t *testing.T) {
			r, err := svc.Begin(ctx, f.fabrikam, "nobody@adatum.example")
			if err != nil || r.Method.Name() != "magicLink" {
				t.Fatalf("Begin(unknown) = %+v, %v; want the same method as a guest's", r, err)
			}
			if err := svc.SendCode(ctx, r, "en"); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.VerifyCode(ctx, r, ml.link(t, "nobody@adatum.example"), signin.Continuation{}); !errors.Is(err, signin.ErrNotMember) {
				t.Fatalf("VerifyCode(unknown) = %v, want ErrNotMember", err)
			}
		})

		t.Run("other_capabilities_refused", func(t *testing.T) {
			r, err := svc.Begin(ctx, f.fabrikam, addr)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CheckPassword(ctx, r, goodPassword, clientAddr, signin.Continuation{}); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("CheckPassword on a magic-link route = %v, want ErrDecisionChanged", err)
			}
			if _, err := svc.StartRedirect(ctx, r, signin.Continuation{}, "browser"); !errors.Is(err, signin.ErrDecisionChanged) {
				t.Fatalf("StartRedirect on a magic-link route = %v, want ErrDecisionChanged", err)
			}
		})
	})
}

// TestBuiltinRegistry: each decision is run by the built-in method named
// for it, and a decision no method is registered for is unavailable.
func TestBuiltinRegistry(t *testing.T) {
	forEngines(t, func(t *testing.T, e testenv.Engine) {
		f := newFixture(t, e)
		f.member(t, f.fabrikam, "kim@fabrikam.example")
		f.member(t, f.contoso, "lee@contoso.example")
		f.invite(t, f.fabrikam, "ann@adatum.example")
		f.invite(t, f.fabrikam, "lee@contoso.example")
		for _, c := range []struct {
			rule, addr, method string
			can                func(signin.Method) bool
		}{
			{"member_password", "kim@fabrikam.example", signin.MethodPassword, isA[signin.PasswordMethod]},
			{"guest_passcode", "ann@adatum.example", signin.MethodPasscode, isA[signin.CodeMethod]},
			{"guest_home_tenant", "lee@contoso.example", signin.MethodHomeTenant, isA[signin.RedirectMethod]},
		} {
			t.Run(c.rule, func(t *testing.T) {
				r := f.begin(t, f.fabrikam, c.addr)
				if r.Method.Name() != c.method || !c.can(r.Method) {
					t.Fatalf("route of %s = %s (%T), want %s", c.addr, r.Method.Name(), r.Method, c.method)
				}
			})
		}
		t.Run("no_method_for_the_decision_is_unavailable", func(t *testing.T) {
			// Only members have a method: a guest's decision finds none,
			// and is not run as a member's.
			reg := signin.NewRegistry()
			reg.Register(signin.Member, func(*signin.Service) signin.Method { return &magicLink{links: map[string]string{}} })
			svc := withMethods(t, f, reg)
			_, err := svc.Begin(context.Background(), f.fabrikam, "ann@adatum.example")
			var ue *signin.UnavailableError
			if !errors.As(err, &ue) {
				t.Fatalf("Begin with no method for the guest's decision = %v, want *UnavailableError", err)
			}
			if r, err := svc.Begin(context.Background(), f.fabrikam, "kim@fabrikam.example"); err != nil || r.Method.Name() != "magicLink" {
				t.Fatalf("Begin(member) = %+v, %v; want the method registered for members", r, err)
			}
		})
	})
}

func isA[C any](m signin.Method) bool {
	_, ok := m.(C)
	return ok
}
