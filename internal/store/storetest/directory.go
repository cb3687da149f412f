package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// suiteEpoch is the suite's "now": whole microseconds, UTC, so values read
// back from a store compare equal with reflect.DeepEqual.
var suiteEpoch = time.Date(2030, time.March, 4, 5, 6, 7, 8000, time.UTC)

// at returns suiteEpoch moved by d.
func at(d time.Duration) time.Time { return suiteEpoch.Add(d) }

// wantEqual fails the test unless got and want are deeply equal.
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// wantErr fails the test unless err matches target (errors.Is).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

// must fails the test on a non-nil error.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// sampleTenant returns a tenant with a fresh id and two domains derived
// from name (lower case, initial domain first).
func sampleTenant(name string) directory.Tenant {
	initial := name + ".guestgate.local"
	return directory.Tenant{
		ID:            uuid.NewString(),
		DisplayName:   strings.ToUpper(name[:1]) + name[1:],
		InitialDomain: initial,
		Domains:       []string{initial, name + ".example"},
		Cloud:         directory.CloudPublic,
		Managed:       true,
		CreatedAt:     at(0),
	}
}

// seedTenant creates sampleTenant(name) in s; most records need a tenant
// (foreign keys).
func seedTenant(t *testing.T, s Store, name string) directory.Tenant {
	t.Helper()
	tn := sampleTenant(name)
	must(t, "create tenant "+name, s.CreateTenant(t.Context(), tn))
	return tn
}

// sampleGuest returns a pending guest of tenant with the given address.
func sampleGuest(tenant directory.Tenant, mail string) directory.User {
	return directory.User{
		TenantID: tenant.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest,
		DisplayName: mail[:strings.IndexByte(mail, '@')], Mail: mail,
		UserPrincipalName: directory.GuestUserPrincipalName(mail, tenant.InitialDomain),
		CreationType:      "Invitation", PreferredLanguage: "ja", AccountEnabled: true,
		ExternalUserState: directory.StatePendingAcceptance, ExternalUserStateChangedAt: at(time.Second),
		CreatedAt: at(time.Second),
	}
}

// seedGuest creates sampleGuest(tenant, mail) in s.
func seedGuest(t *testing.T, s Store, tenant directory.Tenant, mail string) directory.User {
	t.Helper()
	u := sampleGuest(tenant, mail)
	must(t, "create user "+mail, s.CreateUser(t.Context(), u))
	return u
}

func testDirectory(t *testing.T, open Open) {
	t.Run("tenant_create_get", func(t *testing.T) {
		s := open(t)
		want := sampleTenant("fabrikam")
		want.Cloud, want.PreviewOptIn, want.NotificationLanguage = directory.CloudUSGov, true, "ja"
		must(t, "create tenant", s.CreateTenant(t.Context(), want))
		got, err := s.GetTenant(t.Context(), want.ID)
		must(t, "get tenant", err)
		wantEqual(t, "tenant", got, want)
	})
	t.Run("tenant_unmanaged_round_trip", func(t *testing.T) {
		s := open(t)
		want := sampleTenant("selfservice")
		want.Managed = false
		must(t, "create tenant", s.CreateTenant(t.Context(), want))
		got, err := s.GetTenant(t.Context(), want.ID)
		must(t, "get tenant", err)
		wantEqual(t, "tenant", got, want)
	})
	t.Run("tenant_not_found", func(t *testing.T) {
		s := open(t)
		_, err := s.GetTenant(t.Context(), uuid.NewString())
		wantErr(t, "get unknown tenant", err, store.ErrNotFound)
		_, err = s.GetTenantByDomain(t.Context(), "nobody.example")
		wantErr(t, "get tenant by unknown domain", err, store.ErrNotFound)
	})
	t.Run("R5_tenant_by_domain_any_case", testTenantByDomain(open))
	t.Run("tenant_domain_taken_by_other_tenant", testDomainTaken(open))
	t.Run("tenant_duplicate_id", func(t *testing.T) {
		s := open(t)
		a := seedTenant(t, s, "contoso")
		b := sampleTenant("other")
		b.ID = a.ID
		wantErr(t, "create tenant with a taken id", s.CreateTenant(t.Context(), b), store.ErrAlreadyExists)
		_, err := s.GetTenantByDomain(t.Context(), "other.example")
		wantErr(t, "domain of the refused tenant", err, store.ErrNotFound)
	})
	t.Run("tenant_list_pagination", testListTenants(open))
	testUsers(t, open)
}

func testTenantByDomain(open Open) func(t *testing.T) {
	return func(t *testing.T) {
		s := open(t)
		want := seedTenant(t, s, "contoso")
		seedTenant(t, s, "fabrikam")
		for _, d := range []string{"contoso.example", "CONTOSO.Example", "Contoso.GuestGate.Local"} {
			got, err := s.GetTenantByDomain(t.Context(), d)
			must(t, "get tenant by "+d, err)
			wantEqual(t, "tenant by "+d, got, want)
		}
		// Domains given in any case are stored lower case.
		mixed := sampleTenant("tailspin")
		mixed.Domains = append(mixed.Domains, "TailSpin.TEST")
		must(t, "create tenant", s.CreateTenant(t.Context(), mixed))
		got, err := s.GetTenantByDomain(t.Context(), "tailspin.test")
		must(t, "get tenant by lower-cased domain", err)
		wantEqual(t, "domains", got.Domains, []string{mixed.Domains[0], mixed.Domains[1], "tailspin.test"})
	}
}

func testDomainTaken(open Open) func(t *testing.T) {
	return func(t *testing.T) {
		s := open(t)
		owner := seedTenant(t, s, "contoso")
		thief := sampleTenant("thief")
		thief.Domains = append(thief.Domains, "CONTOSO.example")
		wantErr(t, "create tenant with a taken domain", s.CreateTenant(t.Context(), thief), store.ErrAlreadyExists)
		// Nothing of the refused tenant was written.
		_, err := s.GetTenant(t.Context(), thief.ID)
		wantErr(t, "get refused tenant", err, store.ErrNotFound)
		_, err = s.GetTenantByDomain(t.Context(), "thief.example")
		wantErr(t, "get refused tenant by its own domain", err, store.ErrNotFound)
		got, err := s.GetTenantByDomain(t.Context(), "contoso.example")
		must(t, "get owner by domain", err)
		wantEqual(t, "owner", got.ID, owner.ID)
	}
}

func testListTenants(open Open) func(t *testing.T) {
	return func(t *testing.T) {
		s := open(t)
		var ids []string
		for i := range 5 {
			ids = append(ids, seedTenant(t, s, fmt.Sprintf("tenant%d", i)).ID)
		}
		sort.Strings(ids)
		all, err := s.ListTenants(t.Context(), "", 0)
		must(t, "list all tenants", err)
		wantEqual(t, "all tenant ids", tenantIDs(all), ids)
		if len(all[0].Domains) != 2 {
			t.Fatalf("listed tenant has domains %v, want 2", all[0].Domains)
		}
		var paged []string
		after := ""
		for page := 0; page < 10; page++ {
			ts, err := s.ListTenants(t.Context(), after, 2)
			must(t, "list tenants", err)
			if len(ts) > 2 {
				t.Fatalf("page of %d tenants, limit 2", len(ts))
			}
			if len(ts) == 0 {
				break
			}
			paged = append(paged, tenantIDs(ts)...)
			after = ts[len(ts)-1].ID
		}
		wantEqual(t, "paged tenant ids", paged, ids)
		rest, err := s.ListTenants(t.Context(), ids[4], 10)
		must(t, "list after the last tenant", err)
		if len(rest) != 0 {
			t.Fatalf("list after the last tenant: %d tenants", len(rest))
		}
	}
}

func tenantIDs(ts []directory.Tenant) []string {
	out := make([]string, len(ts))
	for i, tn := range ts {
		out[i] = tn.ID
	}
	return out
}

func testUsers(t *testing.T, open Open) {
	t.Run("user_create_get", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		want := seedGuest(t, s, tn, "Alice.Smith@Example.com")
		got, err := s.GetUser(t.Context(), tn.ID, want.ID)
		must(t, "get user", err)
		wantEqual(t, "user", got, want)
		got, err = s.GetUserByMail(t.Context(), tn.ID, "alice.smith@EXAMPLE.COM")
		must(t, "get user by mail in another case", err)
		wantEqual(t, "user by mail", got, want)
		_, err = s.GetUser(t.Context(), tn.ID, uuid.NewString())
		wantErr(t, "get unknown user", err, store.ErrNotFound)
		_, err = s.GetUserByMail(t.Context(), tn.ID, "bob@example.com")
		wantErr(t, "get user by unknown mail", err, store.ErrNotFound)
	})
	t.Run("user_mail_unique_per_tenant_any_case", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		seedGuest(t, s, tn, "alice@example.com")
		dup := sampleGuest(tn, "ALICE@example.com")
		wantErr(t, "create user with a taken mail", s.CreateUser(t.Context(), dup), store.ErrAlreadyExists)
		again := sampleGuest(tn, "other@example.com")
		again.ID = dup.ID
		must(t, "create user after a refused one", s.CreateUser(t.Context(), again))
		sameID := sampleGuest(tn, "third@example.com")
		sameID.ID = again.ID
		wantErr(t, "create user with a taken id", s.CreateUser(t.Context(), sameID), store.ErrAlreadyExists)
	})
	t.Run("user_same_mail_in_two_tenants", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		ua := seedGuest(t, s, a, "alice@example.com")
		ub := seedGuest(t, s, b, "Alice@Example.com")
		got, err := s.GetUserByMail(t.Context(), b.ID, "alice@example.com")
		must(t, "get user by mail in tenant B", err)
		wantEqual(t, "tenant B's user", got.ID, ub.ID)
		got, err = s.GetUserByMail(t.Context(), a.ID, "alice@example.com")
		must(t, "get user by mail in tenant A", err)
		wantEqual(t, "tenant A's user", got.ID, ua.ID)
	})
	t.Run("isolation_user_not_found_in_other_tenant", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		u := seedGuest(t, s, a, "alice@example.com")
		_, err := s.GetUser(t.Context(), b.ID, u.ID)
		wantErr(t, "get A's user with B's id", err, store.ErrNotFound)
		_, err = s.GetUserByMail(t.Context(), b.ID, u.Mail)
		wantErr(t, "get A's user by mail with B's id", err, store.ErrNotFound)
		users, err := s.ListUsers(t.Context(), b.ID, "", 0)
		must(t, "list B's users", err)
		if len(users) != 0 {
			t.Fatalf("tenant B lists %d users of tenant A", len(users))
		}
		err = s.UpdateUser(t.Context(), b.ID, u.ID, func(*directory.User) error { return nil })
		wantErr(t, "update A's user with B's id", err, store.ErrNotFound)
	})
	t.Run("user_account_enabled_round_trip", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		want := sampleGuest(tn, "alice@example.com")
		want.AccountEnabled = false
		must(t, "create disabled user", s.CreateUser(t.Context(), want))
		got, err := s.GetUser(t.Context(), tn.ID, want.ID)
		must(t, "get user", err)
		wantEqual(t, "disabled user", got, want)
		must(t, "enable user", s.UpdateUser(t.Context(), tn.ID, want.ID, func(u *directory.User) error {
			u.AccountEnabled = true
			return nil
		}))
		got, err = s.GetUserByMail(t.Context(), tn.ID, want.Mail)
		must(t, "get user by mail", err)
		wantEqual(t, "accountEnabled after update", got.AccountEnabled, true)
	})
	t.Run("list_users_pagination", testListUsers(open))
	testUpdateUser(t, open)
}

func testListUsers(open Open) func(t *testing.T) {
	return func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		var ids []string
		for i := range 5 {
			ids = append(ids, seedGuest(t, s, tn, fmt.Sprintf("guest%d@example.com", i)).ID)
		}
		seedGuest(t, s, other, "guest0@example.com")
		sort.Strings(ids)
		var paged []string
		after := ""
		for page := 0; page < 10; page++ {
			us, err := s.ListUsers(t.Context(), tn.ID, after, 2)
			must(t, "list users", err)
			if len(us) > 2 {
				t.Fatalf("page of %d users, limit 2", len(us))
			}
			if len(us) == 0 {
				break
			}
			for _, u := range us {
				paged = append(paged, u.ID)
			}
			after = us[len(us)-1].ID
		}
		wantEqual(t, "paged user ids", paged, ids)
		all, err := s.ListUsers(t.Context(), tn.ID, "", 0)
		must(t, "list all users", err)
		if len(all) != 5 {
			t.Fatalf("list all users: %d, want 5", len(all))
		}
	}
}

func testUpdateUser(t *testing.T, open Open) {
	t.Run("R7_update_user_redeems_and_keeps_id", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "alice@example.com")
		err := s.UpdateUser(t.Context(), tn.ID, u.ID, func(u *directory.User) error {
			u.ExternalUserState = directory.StateAccepted
			u.ExternalUserStateChangedAt = at(time.Hour)
			u.IdP, u.IdPIssuer = directory.IdPMail, "mail"
			u.Mail = "Alice@New.Example"
			return nil
		})
		must(t, "update user", err)
		want := u
		want.ExternalUserState, want.ExternalUserStateChangedAt = directory.StateAccepted, at(time.Hour)
		want.IdP, want.IdPIssuer, want.Mail = directory.IdPMail, "mail", "Alice@New.Example"
		got, err := s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get user", err)
		wantEqual(t, "updated user", got, want)
		_, err = s.GetUserByMail(t.Context(), tn.ID, "alice@new.example")
		must(t, "get user by its new mail", err)
		_, err = s.GetUserByMail(t.Context(), tn.ID, "alice@example.com")
		wantErr(t, "get user by its old mail", err, store.ErrNotFound)
	})
	t.Run("update_user_fn_error_writes_nothing", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "alice@example.com")
		boom := errors.New("boom")
		err := s.UpdateUser(t.Context(), tn.ID, u.ID, func(u *directory.User) error {
			u.DisplayName = "changed"
			return boom
		})
		wantErr(t, "update user failing in fn", err, boom)
		got, err := s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get user", err)
		wantEqual(t, "user after a failed update", got, u)
	})
	t.Run("update_user_not_found", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		called := false
		err := s.UpdateUser(t.Context(), tn.ID, uuid.NewString(), func(*directory.User) error {
			called = true
			return nil
		})
		wantErr(t, "update unknown user", err, store.ErrNotFound)
		if called {
			t.Fatal("fn was called for an unknown user")
		}
	})
	t.Run("update_user_mail_taken", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		seedGuest(t, s, tn, "alice@example.com")
		bob := seedGuest(t, s, tn, "bob@example.com")
		err := s.UpdateUser(t.Context(), tn.ID, bob.ID, func(u *directory.User) error {
			u.Mail = "ALICE@example.com"
			return nil
		})
		wantErr(t, "update user to a taken mail", err, store.ErrAlreadyExists)
	})
	t.Run("update_user_refuses_key_change", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "alice@example.com")
		err := s.UpdateUser(t.Context(), tn.ID, u.ID, func(u *directory.User) error {
			u.ID = uuid.NewString()
			return nil
		})
		if err == nil {
			t.Fatal("update user changing its id: no error")
		}
		_, err = s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get user under its old id", err)
	})
	t.Run("update_user_joins_caller_tx", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "alice@example.com")
		rollback := errors.New("rollback")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			err := s.UpdateUser(ctx, tn.ID, u.ID, func(u *directory.User) error {
				u.DisplayName = "changed"
				return nil
			})
			must(t, "update user in tx", err)
			got, err := s.GetUser(ctx, tn.ID, u.ID)
			must(t, "get user in tx", err)
			wantEqual(t, "display name seen in tx", got.DisplayName, "changed")
			return rollback
		})
		wantErr(t, "tx", err, rollback)
		got, err := s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get user", err)
		wantEqual(t, "user after the caller's rollback", got, u)
	})
}
