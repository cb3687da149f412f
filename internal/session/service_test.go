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

// TestServiceLifetime (R4; security round 2, tests a mutation showed
// missing): a session Create starts lives exactly the service's lifetime
// from its sign-in, on both engines: stored with that expiry, found one
// second before it ends, expired when it does. The lifetime is the
// configured one (here 2 h), not the default 24 h.
func TestServiceLifetime(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t)
			c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
			tn, err := directory.NewTenant(directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, "guestgate.local", c.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := db.CreateTenant(ctx, tn); err != nil {
				t.Fatal(err)
			}
			const lifetime = 2 * time.Hour
			svc := session.NewService(db, c, lifetime)
			if svc.Lifetime() != lifetime {
				t.Fatalf("Lifetime() = %s, want %s", svc.Lifetime(), lifetime)
			}
			start := c.Now()
			sess, token, err := svc.Create(ctx, tn.ID, "0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b", string(directory.IdPMail), []string{"otp"})
			if err != nil {
				t.Fatal(err)
			}
			if !sess.AuthTime.Equal(start) || !sess.ExpiresAt.Equal(start.Add(lifetime)) {
				t.Fatalf("R4_created: auth %s, expires %s; want %s and %s", sess.AuthTime, sess.ExpiresAt, start, start.Add(lifetime))
			}
			stored, err := svc.Lookup(ctx, tn.ID, token)
			if err != nil || !stored.ExpiresAt.Equal(start.Add(lifetime)) {
				t.Fatalf("R4_stored: %+v, %v; want expiry %s", stored, err, start.Add(lifetime))
			}
			c.Advance(lifetime - time.Second)
			if _, err := svc.Lookup(ctx, tn.ID, token); err != nil {
				t.Fatalf("R4_live_1s_before_the_end: %v", err)
			}
			c.Advance(time.Second)
			if _, err := svc.Lookup(ctx, tn.ID, token); !errors.Is(err, session.ErrExpired) {
				t.Fatalf("R4_expired_at_the_lifetime: %v, want ErrExpired", err)
			}
		})
	}
}
