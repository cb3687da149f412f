package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactive"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/store"
)

// testInactivePolicy: the inactive-guest policy (migration 0026) is off
// until set, per tenant, and remembers who set it (0028); runs are due, leased to one runner at a time and
// rescheduled; candidates are the enabled inactive guests with their
// warnings, which a purge of the user removes.
func testInactivePolicy(t *testing.T, open Open) {
	day := 24 * time.Hour
	now := at(400 * day)
	t.Run("off_until_set_and_tenant_scoped", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		got, err := s.GetInactivePolicy(t.Context(), tn.ID)
		must(t, "get unset", err)
		wantEqual(t, "unset policy", got, inactivepolicy.Policy{TenantID: tn.ID})
		p := inactivepolicy.Policy{TenantID: tn.ID, Days: 90, WarnDays: 14, UpdatedAt: now, SetBy: "a-member"}
		must(t, "put", s.PutInactivePolicy(t.Context(), p))
		got, err = s.GetInactivePolicy(t.Context(), tn.ID)
		must(t, "get", err)
		wantEqual(t, "policy read back", got, p)
		got, err = s.GetInactivePolicy(t.Context(), other.ID)
		must(t, "get other", err)
		wantEqual(t, "other tenant still off", got.On(), false)
		// The operator turns it off: the setter is the operator ("") now.
		off := inactivepolicy.Policy{TenantID: tn.ID, UpdatedAt: now.Add(time.Hour)}
		must(t, "turn off", s.PutInactivePolicy(t.Context(), off))
		got, err = s.GetInactivePolicy(t.Context(), tn.ID)
		must(t, "get off", err)
		wantEqual(t, "policy off", got, off)
	})
	t.Run("due_leased_once_and_rescheduled", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		offTenant := seedTenant(t, s, "fabrikam")
		must(t, "put", s.PutInactivePolicy(t.Context(), inactivepolicy.Policy{TenantID: tn.ID, Days: 90, UpdatedAt: now}))
		must(t, "put off", s.PutInactivePolicy(t.Context(), inactivepolicy.Policy{TenantID: offTenant.ID, UpdatedAt: now}))
		due, err := s.DueInactivePolicies(t.Context(), now, 10)
		must(t, "due", err)
		wantEqual(t, "due policies", len(due), 1)
		wantEqual(t, "due tenant", due[0].TenantID, tn.ID)
		must(t, "lease a", s.LeaseInactivePolicy(t.Context(), tn.ID, "a", now, now.Add(time.Minute)))
		wantErr(t, "lease b while a holds it", s.LeaseInactivePolicy(t.Context(), tn.ID, "b", now, now.Add(time.Minute)), store.ErrConflict)
		must(t, "renew a", s.LeaseInactivePolicy(t.Context(), tn.ID, "a", now, now.Add(2*time.Minute)))
		due, err = s.DueInactivePolicies(t.Context(), now, 10)
		must(t, "due while leased", err)
		wantEqual(t, "leased policy not due", len(due), 0)
		wantErr(t, "b cannot finish a's run", s.FinishInactivePolicyRun(t.Context(), tn.ID, "b", now.Add(time.Hour)), store.ErrConflict)
		must(t, "lease b after a's lease ran out", s.LeaseInactivePolicy(t.Context(), tn.ID, "b", now.Add(3*time.Minute), now.Add(4*time.Minute)))
		wantErr(t, "a lost its lease", s.LeaseInactivePolicy(t.Context(), tn.ID, "a", now.Add(3*time.Minute), now.Add(5*time.Minute)), store.ErrConflict)
		must(t, "finish b", s.FinishInactivePolicyRun(t.Context(), tn.ID, "b", now.Add(time.Hour)))
		due, err = s.DueInactivePolicies(t.Context(), now.Add(59*time.Minute), 10)
		must(t, "due before next run", err)
		wantEqual(t, "not due before the next run", len(due), 0)
		due, err = s.DueInactivePolicies(t.Context(), now.Add(time.Hour), 10)
		must(t, "due at next run", err)
		wantEqual(t, "due at the next run", len(due), 1)
		must(t, "put again", s.PutInactivePolicy(t.Context(), inactivepolicy.Policy{TenantID: tn.ID, Days: 30, UpdatedAt: now}))
		due, err = s.DueInactivePolicies(t.Context(), now, 10)
		must(t, "due after a change", err)
		wantEqual(t, "a changed policy is due at once", len(due), 1)
		wantErr(t, "an off policy is not leased", s.LeaseInactivePolicy(t.Context(), offTenant.ID, "a", now, now.Add(time.Minute)), store.ErrConflict)
	})
	t.Run("candidates_enabled_with_warnings", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		seed := func(tn directory.Tenant, mail string, lastOK time.Time, enabled bool) directory.User {
			u := sampleGuest(tn, mail)
			u.CreatedAt, u.AccountEnabled = at(0), enabled
			u.SignInActivity.LastSuccessfulSignIn = lastOK
			must(t, "create "+mail, s.CreateUser(t.Context(), u))
			return u
		}
		stale := seed(tn, "stale@gmail.example", now.Add(-120*day), true)
		warned := seed(tn, "warned@gmail.example", now.Add(-100*day), true)
		seed(tn, "off@gmail.example", now.Add(-200*day), false)
		seed(tn, "recent@gmail.example", now.Add(-day), true)
		elsewhere := seed(other, "elsewhere@gmail.example", now.Add(-300*day), true)
		must(t, "warn", s.RecordInactiveWarning(t.Context(), tn.ID, warned.ID, now.Add(-2*day)))
		must(t, "warn again", s.RecordInactiveWarning(t.Context(), tn.ID, warned.ID, now.Add(-day)))
		must(t, "warn elsewhere", s.RecordInactiveWarning(t.Context(), other.ID, elsewhere.ID, now))
		got, err := s.ListInactiveCandidates(t.Context(), tn.ID, inactive.Cutoff(now, 90), inactive.Cursor{}, 0)
		must(t, "list", err)
		wantEqual(t, "candidates", len(got), 2)
		wantEqual(t, "oldest first", got[0].User.ID, stale.ID)
		wantEqual(t, "never warned", got[0].WarnedAt, time.Time{})
		wantEqual(t, "warned guest", got[1].User.ID, warned.ID)
		wantEqual(t, "latest warning", got[1].WarnedAt, now.Add(-day))
		page, err := s.ListInactiveCandidates(t.Context(), tn.ID, inactive.Cutoff(now, 90), inactive.Next(got[0].Guest), 1)
		must(t, "page", err)
		wantEqual(t, "second page", len(page), 1)
		wantEqual(t, "second page guest", page[0].User.ID, warned.ID)
		must(t, "clear", s.ClearInactiveWarning(t.Context(), tn.ID, warned.ID))
		must(t, "clear none", s.ClearInactiveWarning(t.Context(), tn.ID, stale.ID))
		got, err = s.ListInactiveCandidates(t.Context(), tn.ID, inactive.Cutoff(now, 90), inactive.Cursor{}, 0)
		must(t, "list after clear", err)
		wantEqual(t, "warning cleared", got[1].WarnedAt, time.Time{})
	})
	t.Run("purge_removes_the_warning", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := sampleGuest(tn, "gone@gmail.example")
		u.CreatedAt, u.AccountEnabled = at(0), true
		must(t, "create", s.CreateUser(t.Context(), u))
		must(t, "warn", s.RecordInactiveWarning(t.Context(), tn.ID, u.ID, now))
		ctx := context.Background()
		must(t, "delete", s.DeleteUser(ctx, tn.ID, u.ID, now))
		must(t, "purge", s.PurgeDeletedUser(ctx, tn.ID, u.ID))
		// A new user with the same id (a restore is impossible after a
		// purge; ids are never reused, so this only probes the table).
		must(t, "recreate", s.CreateUser(ctx, u))
		got, err := s.ListInactiveCandidates(ctx, tn.ID, inactive.Cutoff(now, 90), inactive.Cursor{}, 0)
		must(t, "list", err)
		wantEqual(t, "candidates", len(got), 1)
		wantEqual(t, "the purged user's warning is gone", got[0].WarnedAt, time.Time{})
	})
}
