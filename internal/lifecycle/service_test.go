package lifecycle_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

type fixture struct {
	svc      *lifecycle.Service
	db       *sqlstore.DB
	clock    *clock.Fake
	sessions *session.Service
	tenant   directory.Tenant
	other    directory.Tenant
}

func forEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Parallel() // each engine has a fixture of its own
			fn(t, newFixture(t, e))
		})
	}
}

func newFixture(t *testing.T, e testenv.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	db := e.Open(t)
	c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, clock: c, sessions: session.NewService(db, c, 0)}
	for i, name := range []string{"Fabrikam", "Contoso"} {
		tn, err := directory.CreateTenant(ctx, db, directory.NewTenantRequest{Name: name}, "guestgate.local", c.Now())
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			f.tenant = tn
		} else {
			f.other = tn
		}
	}
	f.svc = lifecycle.NewService(lifecycle.Deps{
		Directory: db, Lifecycle: db, Access: db, Audit: db, Roles: db, Tx: db, Clock: c,
		Log: slog.New(slog.DiscardHandler),
	})
	return f
}

func (f *fixture) guest(t *testing.T, tn directory.Tenant, addr string) directory.User {
	t.Helper()
	u := directory.User{
		TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest, DisplayName: addr, Mail: addr,
		UserPrincipalName: directory.GuestUserPrincipalName(addr, tn.InitialDomain), CreationType: "Invitation",
		AccountEnabled: true, ExternalUserState: directory.StateAccepted, ExternalUserStateChangedAt: f.clock.Now(),
		IdP: directory.IdPMail, IdPIssuer: "mail", CreatedAt: f.clock.Now(),
	}
	if err := f.db.CreateUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// signIn starts a session of u and returns its cookie value.
func (f *fixture) signIn(t *testing.T, u directory.User) string {
	t.Helper()
	_, token, err := f.sessions.Create(context.Background(), u.TenantID, u.ID, "mail", []string{"otp"})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// lastAudit returns the tenant's newest audit record.
func (f *fixture) lastAudit(t *testing.T, tn directory.Tenant) audit.Record {
	t.Helper()
	rs, err := f.db.ListAudits(context.Background(), tn.ID, 0, 0)
	if err != nil || len(rs) == 0 {
		t.Fatalf("audit records: %d, %v", len(rs), err)
	}
	return rs[0]
}

var admin = audit.Actor{AppID: "app-1", AppName: "Provisioning"}

// provisioning is what R14 lets the admin app do: change users, admins
// excepted.
var provisioning = roles.AsApp([]string{roles.UserReadWriteAll})

func TestUpdate(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		u := f.guest(t, f.tenant, "teri@gmail.example")
		taken := f.guest(t, f.tenant, "sam@outlook.example")
		name, mail := "Teri Ng", "teri.ng@outlook.example"
		got, err := f.svc.Update(ctx, f.tenant, u.ID, lifecycle.Patch{DisplayName: &name, Mail: &mail}, admin, provisioning)
		if err != nil {
			t.Fatal(err)
		}
		if got.Mail != mail || got.DisplayName != name || got.UserPrincipalName != u.UserPrincipalName {
			t.Fatalf("updated user %+v: want the new name and mail, the same userPrincipalName", got)
		}
		if _, err := f.db.GetUserByMail(ctx, f.tenant.ID, mail); err != nil {
			t.Fatalf("the new mail does not find the user: %v", err)
		}
		if _, err := f.db.GetUserByMail(ctx, f.tenant.ID, u.Mail); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the old mail still finds a user: %v", err)
		}
		rec := f.lastAudit(t, f.tenant)
		if rec.Activity != "Update user" || rec.Category != audit.CategoryUserManagement || rec.InitiatedBy != admin ||
			len(rec.Targets) != 1 || rec.Targets[0].ID != u.ID || len(rec.Targets[0].Modified) != 2 ||
			rec.Targets[0].Modified[1] != (audit.Change{Property: "Mail", Old: `"teri@gmail.example"`, New: `"teri.ng@outlook.example"`}) {
			t.Fatalf("audit record %+v", rec)
		}

		_, err = f.svc.Update(ctx, f.tenant, u.ID, lifecycle.Patch{Mail: &taken.Mail}, admin, provisioning)
		if !errors.Is(err, lifecycle.ErrAddressTaken) {
			t.Fatalf("a taken mail: %v, want ErrAddressTaken", err)
		}
		if _, err := f.svc.Update(ctx, f.other, u.ID, lifecycle.Patch{DisplayName: &name}, admin, provisioning); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update through another tenant: %v, want ErrNotFound", err)
		}
	})
}

func TestDisableRevokes(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		u := f.guest(t, f.tenant, "teri@gmail.example")
		cookie := f.signIn(t, u)
		f.clock.Advance(time.Minute)
		off := false
		if _, err := f.svc.Update(ctx, f.tenant, u.ID, lifecycle.Patch{AccountEnabled: &off}, admin, provisioning); err != nil {
			t.Fatal(err)
		}
		if _, err := f.sessions.Lookup(ctx, f.tenant.ID, cookie); !errors.Is(err, session.ErrRevoked) {
			t.Fatalf("session after disabling: %v, want ErrRevoked", err)
		}
		got, _ := f.db.GetUser(ctx, f.tenant.ID, u.ID)
		if got.AccountEnabled || !got.TokensValidAfter.Equal(f.clock.Now()) {
			t.Fatalf("disabled user %+v: want accountEnabled false and the instant now", got)
		}
	})
}

func TestRevokeSignInSessions(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		u := f.guest(t, f.tenant, "teri@gmail.example")
		bystander := f.guest(t, f.tenant, "sam@outlook.example")
		cookie, kept := f.signIn(t, u), f.signIn(t, bystander)
		f.clock.Advance(time.Minute)
		if err := f.svc.RevokeSignInSessions(ctx, f.tenant, u.ID, admin, provisioning); err != nil {
			t.Fatal(err)
		}
		if _, err := f.sessions.Lookup(ctx, f.tenant.ID, cookie); !errors.Is(err, session.ErrRevoked) {
			t.Fatalf("session after revoking: %v, want ErrRevoked", err)
		}
		if _, err := f.sessions.Lookup(ctx, f.tenant.ID, kept); err != nil {
			t.Fatalf("another user's session: %v", err)
		}
		got, _ := f.db.GetUser(ctx, f.tenant.ID, u.ID)
		if !got.AccountEnabled || !directory.TokensRevoked(got, f.clock.Now().Add(-time.Second)) || directory.TokensRevoked(got, f.clock.Now()) {
			t.Fatalf("user after revoking %+v: enabled, earlier sign-ins dead, later alive", got)
		}
		fresh := f.signIn(t, u)
		if _, err := f.sessions.Lookup(ctx, f.tenant.ID, fresh); err != nil {
			t.Fatalf("a sign-in after revoking: %v", err)
		}
		if rec := f.lastAudit(t, f.tenant); rec.Activity != lifecycle.ActivityRevokeSessions || rec.Targets[0].ID != u.ID {
			t.Fatalf("audit record %+v", rec)
		}
		if err := f.svc.RevokeSignInSessions(ctx, f.other, u.ID, admin, provisioning); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoke through another tenant: %v, want ErrNotFound", err)
		}
	})
}

func TestDeleteRestore(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		u := f.guest(t, f.tenant, "teri@gmail.example")
		cookie := f.signIn(t, u)
		f.clock.Advance(time.Minute)
		if err := f.svc.Delete(ctx, f.other, u.ID, admin, provisioning); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete through another tenant: %v, want ErrNotFound", err)
		}
		if err := f.svc.Delete(ctx, f.tenant, u.ID, admin, provisioning); err != nil {
			t.Fatal(err)
		}
		if rec := f.lastAudit(t, f.tenant); rec.Activity != "Delete user" || rec.OperationType != "Delete" || rec.Targets[0].ID != u.ID {
			t.Fatalf("audit record %+v", rec)
		}
		if _, err := f.sessions.Lookup(ctx, f.tenant.ID, cookie); !errors.Is(err, session.ErrRevoked) {
			t.Fatalf("session after deleting: %v, want ErrRevoked", err)
		}
		if _, err := f.db.GetUser(ctx, f.tenant.ID, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted user: %v, want ErrNotFound", err)
		}
		d, err := f.svc.GetDeleted(ctx, f.tenant, u.ID)
		if err != nil || !d.DeletedAt.Equal(f.clock.Now()) {
			t.Fatalf("deleted item %+v, %v", d, err)
		}
		if list, _ := f.svc.ListDeleted(ctx, f.other, "", 0); len(list) != 0 {
			t.Fatalf("another tenant lists %d deleted users", len(list))
		}

		back, err := f.svc.Restore(ctx, f.tenant, u.ID, admin, provisioning)
		if err != nil {
			t.Fatal(err)
		}
		if back.ID != u.ID || back.Mail != u.Mail || back.UserPrincipalName != u.UserPrincipalName {
			t.Fatalf("restored %+v, want the same user", back)
		}
		if !directory.TokensRevoked(back, f.clock.Now().Add(-time.Second)) {
			t.Fatal("sign-ins from before the deletion are alive again after the restore")
		}
		if rec := f.lastAudit(t, f.tenant); rec.Activity != "Restore user" || rec.OperationType != "Restore" {
			t.Fatalf("audit record %+v", rec)
		}
		if _, err := f.svc.Restore(ctx, f.tenant, u.ID, admin, provisioning); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("restore a live user: %v, want ErrNotFound", err)
		}

		// Restoring over an address taken meanwhile is refused.
		if err := f.svc.Delete(ctx, f.tenant, u.ID, admin, provisioning); err != nil {
			t.Fatal(err)
		}
		f.guest(t, f.tenant, "Teri@gmail.example")
		if _, err := f.svc.Restore(ctx, f.tenant, u.ID, admin, provisioning); !errors.Is(err, lifecycle.ErrRestoreConflict) {
			t.Fatalf("restore over a taken address: %v, want ErrRestoreConflict", err)
		}
		if _, err := f.svc.GetDeleted(ctx, f.tenant, u.ID); err != nil {
			t.Fatalf("the refused restore lost the deleted user: %v", err)
		}
		if err := f.svc.Purge(ctx, f.tenant, u.ID, admin, provisioning); err != nil {
			t.Fatal(err)
		}
		if rec := f.lastAudit(t, f.tenant); rec.Activity != "Hard delete user" {
			t.Fatalf("audit record %+v", rec)
		}
		if _, err := f.svc.GetDeleted(ctx, f.tenant, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("purged user: %v, want ErrNotFound", err)
		}
	})
}

// TestPurgeExpired: the periodic job purges users deleted 30 days ago or
// more, in every tenant, and keeps younger ones; the clock is moved, not
// slept on.
func TestPurgeExpired(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		old := f.guest(t, f.tenant, "old@example.com")
		other := f.guest(t, f.other, "other@example.com")
		young := f.guest(t, f.tenant, "young@example.com")
		for _, u := range []directory.User{old, other} {
			tn := f.tenant
			if u.TenantID == f.other.ID {
				tn = f.other
			}
			if err := f.svc.Delete(ctx, tn, u.ID, admin, provisioning); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(24 * time.Hour)
		if err := f.svc.Delete(ctx, f.tenant, young.ID, admin, provisioning); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(directory.PurgeAfter - 24*time.Hour - time.Second)
		if n, err := f.svc.PurgeExpired(ctx); err != nil || n != 0 {
			t.Fatalf("PurgeExpired at 30 days minus 1 s = %d, %v; want 0", n, err)
		}
		f.clock.Advance(time.Second)
		if n, err := f.svc.PurgeExpired(ctx); err != nil || n != 2 {
			t.Fatalf("PurgeExpired at 30 days = %d, %v; want 2", n, err)
		}
		if _, err := f.svc.GetDeleted(ctx, f.tenant, old.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old deleted user: %v, want purged", err)
		}
		if _, err := f.svc.GetDeleted(ctx, f.other, other.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("other tenant's old deleted user: %v, want purged", err)
		}
		if _, err := f.svc.GetDeleted(ctx, f.tenant, young.ID); err != nil {
			t.Fatalf("young deleted user: %v, want kept", err)
		}
		if rec := f.lastAudit(t, f.other); rec.Activity != "Hard delete user" || rec.InitiatedBy != lifecycle.Housekeeping {
			t.Fatalf("audit record %+v", rec)
		}
	})
}
