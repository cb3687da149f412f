package session_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestServiceEndsAndLists (R4; issue 21, tests for the wiring): at the
// service, on each engine: without a configured lifetime a session lives
// the default 24 h; sign-out (End) ends exactly the session its token
// names, which Lookup then calls revoked while the user's other session
// lives on; a token is no session at another tenant; ListUserSessions
// says which sessions are live, revoked or expired; End of an unknown
// token is no error.
func TestServiceEndsAndLists(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t)
			c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
			var tenants []directory.Tenant
			for _, name := range []string{"Fabrikam", "Contoso"} {
				tn, err := directory.NewTenant(directory.NewTenantRequest{Name: name}, "guestgate.local", c.Now())
				if err != nil {
					t.Fatal(err)
				}
				if err := db.CreateTenant(ctx, tn); err != nil {
					t.Fatal(err)
				}
				tenants = append(tenants, tn)
			}
			fabrikam, contoso := tenants[0], tenants[1]
			const user = "0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b"
			svc := session.NewService(db, c, 0)
			if svc.Lifetime() != session.DefaultLifetime {
				t.Fatalf("Lifetime() without one configured = %s, want %s", svc.Lifetime(), session.DefaultLifetime)
			}
			start := c.Now()
			first, firstToken, err := svc.Create(ctx, fabrikam.ID, user, string(directory.IdPMail), []string{"otp"})
			if err != nil {
				t.Fatal(err)
			}
			if !first.ExpiresAt.Equal(start.Add(session.DefaultLifetime)) {
				t.Fatalf("R4_default_lifetime: expires %s, want %s", first.ExpiresAt, start.Add(session.DefaultLifetime))
			}
			c.Advance(time.Hour)
			_, secondToken, err := svc.Create(ctx, fabrikam.ID, user, string(directory.IdPMail), []string{"otp"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Lookup(ctx, contoso.ID, firstToken); !errors.Is(err, session.ErrNoSession) {
				t.Fatalf("R4_one_tenant: the token at another tenant = %v, want ErrNoSession", err)
			}
			if err := svc.End(ctx, fabrikam.ID, firstToken); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.Lookup(ctx, fabrikam.ID, firstToken); !errors.Is(err, session.ErrRevoked) {
				t.Fatalf("R4_signed_out: Lookup = %v, want ErrRevoked", err)
			}
			if s, err := svc.Lookup(ctx, fabrikam.ID, secondToken); err != nil || s.UserID != user {
				t.Fatalf("R4_other_session_lives: Lookup = %+v, %v", s, err)
			}
			if err := svc.End(ctx, fabrikam.ID, "not-a-token"); err != nil {
				t.Fatalf("End of an unknown token = %v, want nil", err)
			}
			states := func() map[bool]error {
				t.Helper()
				ls, err := svc.ListUserSessions(ctx, fabrikam.ID, user)
				if err != nil || len(ls) != 2 {
					t.Fatalf("ListUserSessions = %d sessions, %v; want 2", len(ls), err)
				}
				out := map[bool]error{}
				for _, l := range ls {
					out[l.AuthTime.Equal(start)] = l.Err
				}
				return out
			}
			if st := states(); !errors.Is(st[true], session.ErrRevoked) || st[false] != nil {
				t.Fatalf("R4_listed: first %v, second %v; want revoked and live", st[true], st[false])
			}
			c.Advance(session.DefaultLifetime)
			if st := states(); !errors.Is(st[false], session.ErrExpired) {
				t.Fatalf("R4_listed_expired: the second session after its lifetime = %v, want ErrExpired", st[false])
			}
			if _, err := svc.Lookup(ctx, fabrikam.ID, secondToken); !errors.Is(err, session.ErrExpired) {
				t.Fatalf("R4_expired: Lookup = %v, want ErrExpired", err)
			}
		})
	}
}
