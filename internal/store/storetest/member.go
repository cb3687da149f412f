package storetest

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/store"
)

// seedMember creates a member of tenant with the given address.
func seedMember(t *testing.T, s Store, tenant directory.Tenant, mail string) directory.User {
	t.Helper()
	u := directory.User{
		TenantID: tenant.ID, ID: uuid.NewString(), UserType: directory.UserTypeMember,
		DisplayName: "Member " + mail, Mail: mail, UserPrincipalName: mail, AccountEnabled: true,
		CreatedAt: at(0),
	}
	must(t, "create member "+mail, s.CreateUser(t.Context(), u))
	return u
}

// window is the throttle window the suite's counters use.
const window = 15 * time.Minute

// addFailure counts one failure for key at now with the suite's window.
func addFailure(t *testing.T, s Store, tenantID, key string, now time.Time) member.Failures {
	t.Helper()
	f, err := s.AddPasswordFailure(t.Context(), tenantID, key, now, now.Add(-window))
	must(t, "add password failure", err)
	return f
}

func testMember(t *testing.T, open Open) {
	t.Run("password_set_get_replace", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedMember(t, s, tn, "alice@contoso.example")
		_, err := s.GetPassword(t.Context(), tn.ID, u.ID)
		wantErr(t, "get password before any", err, store.ErrNotFound)
		must(t, "set password", s.SetPassword(t.Context(), tn.ID, u.ID, "$argon2id$first", at(0)))
		got, err := s.GetPassword(t.Context(), tn.ID, u.ID)
		must(t, "get password", err)
		wantEqual(t, "hash", got, "$argon2id$first")
		must(t, "replace password", s.SetPassword(t.Context(), tn.ID, u.ID, "$argon2id$second", at(time.Minute)))
		got, err = s.GetPassword(t.Context(), tn.ID, u.ID)
		must(t, "get replaced password", err)
		wantEqual(t, "replaced hash", got, "$argon2id$second")
	})
	t.Run("password_of_unknown_user_not_found", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		err := s.SetPassword(t.Context(), tn.ID, uuid.NewString(), "$argon2id$x", at(0))
		wantErr(t, "set password of an unknown user", err, store.ErrNotFound)
	})
	t.Run("isolation_password_not_found_in_other_tenant", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		u := seedMember(t, s, a, "alice@contoso.example")
		must(t, "set password", s.SetPassword(t.Context(), a.ID, u.ID, "$argon2id$a", at(0)))
		_, err := s.GetPassword(t.Context(), b.ID, u.ID)
		wantErr(t, "get A's password with B's id", err, store.ErrNotFound)
		err = s.SetPassword(t.Context(), b.ID, u.ID, "$argon2id$b", at(0))
		wantErr(t, "set A's password with B's id", err, store.ErrNotFound)
	})
	t.Run("throttle_failures_counted_in_window", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		fs, err := s.GetPasswordFailures(t.Context(), tn.ID, []string{"account:a", "client:1"})
		must(t, "get failures before any", err)
		wantEqual(t, "failures before any", len(fs), 0)
		for i := 1; i <= 3; i++ {
			f := addFailure(t, s, tn.ID, "account:a", at(time.Duration(i)*time.Minute))
			wantEqual(t, "counter", f, member.Failures{WindowStart: at(time.Minute), Count: i})
		}
		addFailure(t, s, tn.ID, "client:1", at(2*time.Minute))
		fs, err = s.GetPasswordFailures(t.Context(), tn.ID, []string{"account:a", "client:1", "client:2"})
		must(t, "get failures", err)
		wantEqual(t, "failures", fs, map[string]member.Failures{
			"account:a": {WindowStart: at(time.Minute), Count: 3},
			"client:1":  {WindowStart: at(2 * time.Minute), Count: 1},
		})
	})
	t.Run("throttle_window_restarts_after_it_ends", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		addFailure(t, s, tn.ID, "account:a", at(0))
		addFailure(t, s, tn.ID, "account:a", at(window-time.Microsecond))
		f := addFailure(t, s, tn.ID, "account:a", at(window))
		wantEqual(t, "counter at the window's end", f, member.Failures{WindowStart: at(window), Count: 1})
	})
	t.Run("throttle_clear", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		addFailure(t, s, tn.ID, "account:a", at(0))
		addFailure(t, s, tn.ID, "client:1", at(0))
		must(t, "clear", s.ClearPasswordFailures(t.Context(), tn.ID, "account:a"))
		must(t, "clear a key without counter", s.ClearPasswordFailures(t.Context(), tn.ID, "account:none"))
		fs, err := s.GetPasswordFailures(t.Context(), tn.ID, []string{"account:a", "client:1"})
		must(t, "get failures", err)
		wantEqual(t, "failures after clear", fs, map[string]member.Failures{"client:1": {WindowStart: at(0), Count: 1}})
	})
	t.Run("isolation_throttle_counters_per_tenant", func(t *testing.T) {
		s := open(t)
		a, b := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		addFailure(t, s, a.ID, "account:a", at(0))
		addFailure(t, s, a.ID, "account:a", at(0))
		f := addFailure(t, s, b.ID, "account:a", at(0))
		wantEqual(t, "B's counter", f.Count, 1)
		must(t, "clear in B", s.ClearPasswordFailures(t.Context(), b.ID, "account:a"))
		fs, err := s.GetPasswordFailures(t.Context(), a.ID, []string{"account:a"})
		must(t, "get A's failures", err)
		wantEqual(t, "A's counter", fs["account:a"].Count, 2)
	})
}

func testMemberConcurrent(t *testing.T, open Open) {
	t.Run("throttle_concurrent_failures_all_counted", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		counts := make([]int, racers)
		ok := race(t, nil, func(i int) error {
			// As member.Service records a failure: account and client in one transaction.
			return s.InTx(t.Context(), func(ctx context.Context) error {
				f, err := s.AddPasswordFailure(ctx, tn.ID, "account:a", at(time.Second), at(time.Second-window))
				if err != nil {
					return err
				}
				counts[i] = f.Count
				_, err = s.AddPasswordFailure(ctx, tn.ID, "client:1", at(time.Second), at(time.Second-window))
				return err
			})
		})
		wantEqual(t, "recorded failures", ok, racers)
		sort.Ints(counts)
		for i, n := range counts {
			if n != i+1 {
				t.Fatalf("counts returned %v, want 1…%d each once", counts, racers)
			}
		}
		fs, err := s.GetPasswordFailures(t.Context(), tn.ID, []string{"account:a", "client:1"})
		must(t, "get failures", err)
		wantEqual(t, "account counter", fs["account:a"], member.Failures{WindowStart: at(time.Second), Count: racers})
		wantEqual(t, "client counter", fs["client:1"], member.Failures{WindowStart: at(time.Second), Count: racers})
	})
	t.Run("throttle_concurrent_first_failures_one_row", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		ok := race(t, nil, func(i int) error {
			_, err := s.AddPasswordFailure(t.Context(), tn.ID, "client:new", at(time.Duration(i)*time.Millisecond), at(-window))
			return err
		})
		wantEqual(t, "recorded first failures", ok, racers)
		fs, err := s.GetPasswordFailures(t.Context(), tn.ID, []string{"client:new"})
		must(t, "get failures", err)
		wantEqual(t, "counter of concurrent first failures", fs["client:new"].Count, racers)
	})
}
