package lifecycle_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// member creates a member of tn at addr holding roleIDs (an invited
// member when invited is set, as the reviewer's target was).
func (f *fixture) member(t *testing.T, tn directory.Tenant, addr string, invited bool, roleIDs ...string) directory.User {
	t.Helper()
	ctx := context.Background()
	u := directory.User{
		TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeMember, DisplayName: addr, Mail: addr,
		UserPrincipalName: addr, AccountEnabled: true, CreatedAt: f.clock.Now(),
	}
	if invited {
		u.UserPrincipalName = directory.GuestUserPrincipalName(addr, tn.InitialDomain)
		u.CreationType, u.ExternalUserState, u.ExternalUserStateChangedAt = "Invitation", directory.StateAccepted, f.clock.Now()
		u.IdP, u.IdPIssuer = directory.IdPMail, "mail"
	}
	if err := f.db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	for _, r := range roleIDs {
		if err := f.db.CreateRoleAssignment(ctx, roles.Assignment{TenantID: tn.ID, ID: uuid.NewString(), PrincipalID: u.ID,
			RoleDefinitionID: r, DirectoryScopeID: "/", CreatedAt: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	return u
}

var (
	ga = roles.GlobalAdministrator.TemplateID
	ua = roles.UserAdministrator.TemplateID

	asUserAdmin   = roles.AsMember([]string{ua})
	asGlobalAdmin = roles.AsMember([]string{ga})
	asRoleApp     = roles.AsApp([]string{roles.UserReadWriteAll, roles.RoleManagementReadWrite})
)

// attempt is one of R14's guarded changes made through the service.
type attempt struct {
	name string
	do   func(ctx context.Context, f *fixture, u directory.User, as roles.Authority) error
}

func attempts() []attempt {
	off := false
	// attacker is an address of the attacker's, one per target.
	attacker := func(u directory.User) string { return "attacker-" + u.ID[:8] + "@evil.example" }
	return []attempt{
		{"change_mail", func(ctx context.Context, f *fixture, u directory.User, as roles.Authority) error {
			mail := attacker(u)
			_, err := f.svc.Update(ctx, f.tenant, u.ID, lifecycle.Patch{Mail: &mail}, admin, as)
			return err
		}},
		{"change_other_mails", func(ctx context.Context, f *fixture, u directory.User, as roles.Authority) error {
			_, err := f.svc.Update(ctx, f.tenant, u.ID, lifecycle.Patch{OtherMails: &[]string{attacker(u)}}, admin, as)
			return err
		}},
		{"disable", func(ctx context.Context, f *fixture, u directory.User, as roles.Authority) error {
			_, err := f.svc.Update(ctx, f.tenant, u.ID, lifecycle.Patch{AccountEnabled: &off}, admin, as)
			return err
		}},
		{"revoke_sessions", func(ctx context.Context, f *fixture, u directory.User, as roles.Authority) error {
			return f.svc.RevokeSignInSessions(ctx, f.tenant, u.ID, admin, as)
		}},
		{"delete", func(ctx context.Context, f *fixture, u directory.User, as roles.Authority) error {
			return f.svc.Delete(ctx, f.tenant, u.ID, admin, as)
		}},
	}
}

// unchanged fails unless u is as it was: same mail and addresses, enabled,
// not deleted, its sign-ins alive, and no audit record since before.
func (f *fixture) unchanged(t *testing.T, u directory.User, cookie string, audits int) {
	t.Helper()
	ctx := context.Background()
	got, err := f.db.GetUser(ctx, f.tenant.ID, u.ID)
	if err != nil {
		t.Fatalf("the user is gone: %v", err)
	}
	if got.Mail != u.Mail || len(got.OtherMails) != 0 || !got.AccountEnabled || !got.TokensValidAfter.IsZero() {
		t.Fatalf("the user changed: %+v", got)
	}
	if _, err := f.sessions.Lookup(ctx, f.tenant.ID, cookie); err != nil {
		t.Fatalf("the user's session ended: %v", err)
	}
	if rs, _ := f.db.ListAudits(ctx, f.tenant.ID, 0, 0); len(rs) != audits {
		t.Fatalf("%d audit records, want %d: a refused change was recorded", len(rs), audits)
	}
}

// TestR14PrivilegedTargets (finding 1): a User Administrator, and an app
// with User.ReadWrite.All, cannot change the mail or otherMails of,
// disable, revoke the sessions of or delete a Global Administrator; the
// user stays as it was. Both may on a plain guest; a Global Administrator
// and an app with RoleManagement.ReadWrite.Directory may on a Global
// Administrator; the operator may.
func TestR14PrivilegedTargets(t *testing.T) {
	for _, a := range attempts() {
		t.Run(a.name, func(t *testing.T) {
			forEngine(t, func(t *testing.T, f *fixture) {
				ctx := context.Background()
				f.member(t, f.tenant, "keeper@fabrikam.example", false, ga) // another GA: the last-GA rule stays out of the way
				target := f.member(t, f.tenant, "root@partner.example", true, ga)
				cookie := f.signIn(t, target)
				audits, _ := f.db.ListAudits(ctx, f.tenant.ID, 0, 0)
				for _, as := range []struct {
					name string
					a    roles.Authority
				}{{"user_administrator", asUserAdmin}, {"app_with_user_readwrite", provisioning}, {"no_authority_given", roles.Authority{}}} {
					if err := a.do(ctx, f, target, as.a); !errors.Is(err, roles.ErrPrivilegedTarget) {
						t.Fatalf("%s on a Global Administrator: %v, want ErrPrivilegedTarget", as.name, err)
					}
				}
				f.unchanged(t, target, cookie, len(audits))

				for i, as := range []roles.Authority{asUserAdmin, provisioning} {
					guest := f.guest(t, f.tenant, []string{"teri@gmail.example", "sam@outlook.example"}[i])
					if err := a.do(ctx, f, guest, as); err != nil {
						t.Fatalf("on a plain guest: %v", err)
					}
				}
				for i, as := range []roles.Authority{asGlobalAdmin, asRoleApp, roles.AsOperator()} {
					other := f.member(t, f.tenant, []string{"a", "b", "c"}[i]+"@partner.example", true, ga)
					if err := a.do(ctx, f, other, as); err != nil {
						t.Fatalf("authority %d on a Global Administrator: %v", i, err)
					}
				}
			})
		})
	}
}

// TestR14UserAdministratorManagesUserAdministrators: Entra's table, a User
// Administrator may act on another User Administrator but not on one who
// also holds Global Administrator.
func TestR14UserAdministratorManagesUserAdministrators(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		peer := f.member(t, f.tenant, "peer@fabrikam.example", false, ua)
		both := f.member(t, f.tenant, "both@fabrikam.example", false, ua, ga)
		f.member(t, f.tenant, "keeper@fabrikam.example", false, ga)
		if err := f.svc.RevokeSignInSessions(ctx, f.tenant, peer.ID, admin, asUserAdmin); err != nil {
			t.Fatalf("User Administrator on a User Administrator: %v", err)
		}
		if err := f.svc.RevokeSignInSessions(ctx, f.tenant, both.ID, admin, asUserAdmin); !errors.Is(err, roles.ErrPrivilegedTarget) {
			t.Fatalf("User Administrator on a User and Global Administrator: %v, want ErrPrivilegedTarget", err)
		}
	})
}

// TestR14DeletedAdmin: a deleted Global Administrator keeps the role, so a
// User Administrator can neither restore nor purge it.
func TestR14DeletedAdmin(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.member(t, f.tenant, "keeper@fabrikam.example", false, ga)
		gone := f.member(t, f.tenant, "gone@fabrikam.example", false, ga)
		if err := f.svc.Delete(ctx, f.tenant, gone.ID, admin, asGlobalAdmin); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Restore(ctx, f.tenant, gone.ID, admin, asUserAdmin); !errors.Is(err, roles.ErrPrivilegedTarget) {
			t.Fatalf("User Administrator restores a Global Administrator: %v, want ErrPrivilegedTarget", err)
		}
		if err := f.svc.Purge(ctx, f.tenant, gone.ID, admin, asUserAdmin); !errors.Is(err, roles.ErrPrivilegedTarget) {
			t.Fatalf("User Administrator purges a Global Administrator: %v, want ErrPrivilegedTarget", err)
		}
		if _, err := f.svc.GetDeleted(ctx, f.tenant, gone.ID); err != nil {
			t.Fatalf("the deleted Global Administrator: %v", err)
		}
		if _, err := f.svc.Restore(ctx, f.tenant, gone.ID, admin, asGlobalAdmin); err != nil {
			t.Fatalf("Global Administrator restores a Global Administrator: %v", err)
		}
	})
}

// TestR14LastGlobalAdmin (finding 1): the last enabled Global Administrator
// of a managed tenant is neither disabled nor deleted through the API or
// console, by a Global Administrator or an app; a disabled or deleted
// Global Administrator does not count; with another one enabled it may
// go; the operator may always.
func TestR14LastGlobalAdmin(t *testing.T) {
	off := false
	disable := func(ctx context.Context, f *fixture, u directory.User, as roles.Authority) error {
		_, err := f.svc.Update(ctx, f.tenant, u.ID, lifecycle.Patch{AccountEnabled: &off}, admin, as)
		return err
	}
	del := func(ctx context.Context, f *fixture, u directory.User, as roles.Authority) error {
		return f.svc.Delete(ctx, f.tenant, u.ID, admin, as)
	}
	for _, a := range []struct {
		name string
		do   func(ctx context.Context, f *fixture, u directory.User, as roles.Authority) error
	}{{"disable", disable}, {"delete", del}} {
		t.Run(a.name, func(t *testing.T) {
			forEngine(t, func(t *testing.T, f *fixture) {
				ctx := context.Background()
				root := f.member(t, f.tenant, "root@fabrikam.example", false, ga)
				for _, as := range []roles.Authority{asGlobalAdmin, asRoleApp} {
					if err := a.do(ctx, f, root, as); !errors.Is(err, roles.ErrLastGlobalAdmin) {
						t.Fatalf("the only Global Administrator: %v, want ErrLastGlobalAdmin", err)
					}
				}
				// A disabled and a deleted Global Administrator do not count.
				idle := f.member(t, f.tenant, "idle@fabrikam.example", false, ga)
				if err := disable(ctx, f, idle, asGlobalAdmin); err != nil {
					t.Fatal(err)
				}
				gone := f.member(t, f.tenant, "gone@fabrikam.example", false, ga)
				if err := del(ctx, f, gone, asGlobalAdmin); err != nil {
					t.Fatal(err)
				}
				if err := a.do(ctx, f, root, asGlobalAdmin); !errors.Is(err, roles.ErrLastGlobalAdmin) {
					t.Fatalf("the only enabled Global Administrator: %v, want ErrLastGlobalAdmin", err)
				}
				if got, err := f.db.GetUser(ctx, f.tenant.ID, root.ID); err != nil || !got.AccountEnabled {
					t.Fatalf("the last Global Administrator after the refusals: %+v, %v", got, err)
				}
				// The operator recovers a tenant: it may, and may give the role again.
				if err := a.do(ctx, f, root, roles.AsOperator()); err != nil {
					t.Fatalf("the operator: %v", err)
				}
			})
		})
	}
	t.Run("another_enabled_global_admin", func(t *testing.T) {
		forEngine(t, func(t *testing.T, f *fixture) {
			ctx := context.Background()
			root := f.member(t, f.tenant, "root@fabrikam.example", false, ga)
			f.member(t, f.tenant, "second@fabrikam.example", false, ga)
			if err := del(ctx, f, root, asGlobalAdmin); err != nil {
				t.Fatalf("a Global Administrator while another remains: %v", err)
			}
		})
	})
}

// TestR14LastGlobalAdminConcurrently: two Global Administrators disabling
// each other at once leave one enabled: the second waits for the first
// and then counts no one else.
func TestR14LastGlobalAdminConcurrently(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		a := f.member(t, f.tenant, "a@fabrikam.example", false, ga)
		b := f.member(t, f.tenant, "b@fabrikam.example", false, ga)
		off := false
		errs := make([]error, 2)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, u := range []directory.User{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = f.svc.Update(ctx, f.tenant, u.ID, lifecycle.Patch{AccountEnabled: &off}, admin, asGlobalAdmin)
			}()
		}
		close(start)
		wg.Wait()
		refused := 0
		for _, err := range errs {
			switch {
			case errors.Is(err, roles.ErrLastGlobalAdmin):
				refused++
			case err != nil:
				t.Fatal(err)
			}
		}
		enabled := 0
		for _, u := range []directory.User{a, b} {
			if got, _ := f.db.GetUser(ctx, f.tenant.ID, u.ID); got.AccountEnabled {
				enabled++
			}
		}
		if refused != 1 || enabled != 1 {
			t.Fatalf("%d refused, %d enabled; want one of each", refused, enabled)
		}
	})
}

// TestR14UnmanagedDirectory: an unmanaged directory has no administrator
// to keep, so the last-admin rule does not hold its accounts.
func TestR14UnmanagedDirectory(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.tenant.Managed = false
		u := f.member(t, f.tenant, "root@fabrikam.example", false, ga)
		if err := f.svc.Delete(ctx, f.tenant, u.ID, admin, asGlobalAdmin); err != nil {
			t.Fatalf("delete in an unmanaged directory: %v", err)
		}
		if _, err := f.db.GetUser(ctx, f.tenant.ID, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted user: %v", err)
		}
	})
}
