package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/server"
)

// fixture is what the seeding created: a bench tenant, its app and the
// pool of guests virtual guests sign in with (poolAddress(0) up to
// poolAddress(Pool-1)). guestgate's process seeds it and hands it to the
// load generator.
type fixture struct {
	TenantID    string `json:"tenant_id"`
	AppID       string `json:"app_id"`
	Secret      string `json:"secret"`
	RedirectURI string `json:"redirect_uri,omitempty"`
	Pool        int    `json:"pool,omitempty"`
	// SeededAt is when -users-query seeded its directory (the sign-in times count back from it).
	SeededAt time.Time `json:"seeded_at,omitzero"`
}

const benchRedirect = "https://app.bench.example/callback"

// seed creates the bench tenant and app, pool returning guests (already
// redeemed with a passcode, as on a morning of sign-ins), and padding guests
// spread over tenants of 1 000 so the directory has the requested size.
func seed(ctx context.Context, srv *server.Server, dsn string, pool, padding int, gs groupsShape, idTokenAlg string, logf func(string, ...any)) (fixture, error) {
	var f fixture
	ops, err := srv.Base().Operator()
	if err != nil {
		return f, err
	}
	tn, err := ops.CreateTenant(ctx, directory.NewTenantRequest{Name: benchTenantName(), Domains: []string{"bench-" + uuid.NewString()[:8] + ".example"}})
	if err != nil {
		return f, fmt.Errorf("seed: tenant: %w", err)
	}
	app, secret, err := ops.CreateApp(ctx, tn.ID, "Bench app", []string{roles.UserInviteAll}, []string{benchRedirect}, nil, false)
	if err != nil {
		return f, fmt.Errorf("seed: app: %w", err)
	}
	if idTokenAlg != "" && idTokenAlg != app.IDTokenAlg() {
		apps, err := srv.Base().Apps()
		if err != nil {
			return f, err
		}
		if err := apps.SetAppIDTokenAlg(ctx, tn.ID, app.AppID, idTokenAlg); err != nil {
			return f, fmt.Errorf("seed: app: %w", err)
		}
	}
	f = fixture{TenantID: tn.ID, AppID: app.AppID, Secret: secret, RedirectURI: benchRedirect, Pool: pool}
	start := time.Now()
	addrs := make([]string, pool)
	for i := range addrs {
		addrs[i] = poolAddress(i)
	}
	if err := insertGuests(ctx, srv, tn, addrs); err != nil {
		return f, err
	}
	logf("seeded %d pool guests in %s", pool, time.Since(start).Round(time.Millisecond))
	if gs.n > 0 {
		return f, seedOneTenant(ctx, srv, dsn, tn, app.AppID, pool, padding, gs)
	}
	start = time.Now()
	for done, t := 0, 0; done < padding; t++ {
		n := min(1000, padding-done)
		tn, err := ops.CreateTenant(ctx, directory.NewTenantRequest{Name: fmt.Sprintf("Padding %d", t)})
		if err != nil {
			return f, fmt.Errorf("seed: padding tenant: %w", err)
		}
		addrs := make([]string, n)
		for i := range addrs {
			addrs[i] = fmt.Sprintf("user%07d@pad%d.example", done+i, t)
		}
		if err := insertGuests(ctx, srv, tn, addrs); err != nil {
			return f, err
		}
		done += n
		if t%100 == 99 {
			logf("  padding: %d of %d guests", done, padding)
		}
	}
	if padding > 0 {
		logf("seeded %d padding guests in %s", padding, time.Since(start).Round(time.Millisecond))
	}
	return f, nil
}

// seedOneTenant puts the padding users in the bench tenant itself, then
// its groups (-groups, -guest-groups).
func seedOneTenant(ctx context.Context, srv *server.Server, dsn string, tn directory.Tenant, appID string, pool, padding int, gs groupsShape) error {
	start := time.Now()
	var err error
	if strings.HasPrefix(dsn, "postgres") {
		err = seedDirectorySQL(ctx, dsn, tn, padding, start.UnixMicro())
	} else {
		err = seedDirectory(ctx, srv, tn, padding, start)
	}
	if err != nil {
		return err
	}
	logf("seeded %d padding users in the bench tenant in %s", padding, time.Since(start).Round(time.Millisecond))
	start = time.Now()
	if strings.HasPrefix(dsn, "postgres") {
		err = seedGroupsSQL(ctx, srv, dsn, tn, appID, gs)
	} else {
		err = seedGroups(ctx, srv, tn, appID, pool, gs)
	}
	if err != nil {
		return err
	}
	logf("seeded %d groups (%d members each), each pool guest in %d, in %s", gs.n, membersPerGroup, gs.perGuest, time.Since(start).Round(time.Millisecond))
	return nil
}

// poolAddress is pool guest i's address.
func poolAddress(i int) string { return fmt.Sprintf("guest%07d@partner%d.example", i, i%97) }

// benchTenantName names a bench tenant "Bench tenant " and eight random
// letters: never digits only, so the name can't be taken for a passcode.
func benchTenantName() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return "Bench tenant " + string(b[:])
}

// insertGuests stores redeemed passcode guests, 1 000 per transaction.
func insertGuests(ctx context.Context, srv *server.Server, t directory.Tenant, addrs []string) error {
	db := srv.DB()
	now := time.Now().UTC()
	for len(addrs) > 0 {
		batch := addrs[:min(1000, len(addrs))]
		addrs = addrs[len(batch):]
		err := db.InTx(ctx, func(ctx context.Context) error {
			for _, a := range batch {
				u := directory.User{
					TenantID: t.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest, DisplayName: a, Mail: a,
					UserPrincipalName: directory.GuestUserPrincipalName(a, t.InitialDomain), CreationType: "Invitation",
					AccountEnabled: true, ExternalUserState: directory.StateAccepted, ExternalUserStateChangedAt: now,
					IdP: directory.IdPMail, IdPIssuer: string(directory.IdPMail), CreatedAt: now,
				}
				if err := db.CreateUser(ctx, u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("seed guests: %w", err)
		}
	}
	return nil
}
