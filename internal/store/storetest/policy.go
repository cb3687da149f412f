package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/store"
)

// getPolicy reads the tenant's policy, failing the test on error.
func getPolicy(t *testing.T, s Store, tenantID string) policy.Stored {
	t.Helper()
	st, err := s.GetEmailPolicy(t.Context(), tenantID)
	must(t, "get email policy", err)
	return st
}

// setAllowExternal updates the tenant's allowExternalIdToUseEmailOtp.
func setAllowExternal(ctx context.Context, s Store, tenantID string, v policy.AllowExternal) error {
	return s.UpdateEmailPolicy(ctx, tenantID, func(st *policy.Stored) error {
		st.Config.AllowExternal = v
		return nil
	})
}

func testPolicy(t *testing.T, open Open) {
	t.Run("S4_never_set_is_default", func(t *testing.T) {
		s := open(t)
		tn := sampleTenant("contoso")
		tn.PreviewOptIn = true
		must(t, "create tenant", s.CreateTenant(t.Context(), tn))
		wantEqual(t, "policy of a new tenant", getPolicy(t, s, tn.ID), policy.Stored{Config: policy.DefaultEmailConfig(), PreviewOptIn: true})
	})
	t.Run("S4_unknown_tenant_not_found", func(t *testing.T) {
		s := open(t)
		_, err := s.GetEmailPolicy(t.Context(), uuid.NewString())
		wantErr(t, "get policy of an unknown tenant", err, store.ErrNotFound)
		err = setAllowExternal(t.Context(), s, uuid.NewString(), policy.AllowEnabled)
		wantErr(t, "update policy of an unknown tenant", err, store.ErrNotFound)
	})
	t.Run("S4_update_round_trip", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		want := policy.EmailConfig{
			State: "disabled", AllowExternal: policy.AllowDisabled,
			IncludeTargets: []policy.Target{{TargetType: "group", ID: "g1", IsRegistrationRequired: true}},
			ExcludeTargets: []policy.Target{{TargetType: "group", ID: "g2"}},
			UpdatedAt:      at(time.Hour),
		}
		var seen policy.Stored
		must(t, "update", s.UpdateEmailPolicy(t.Context(), tn.ID, func(st *policy.Stored) error {
			seen = *st
			st.Config = want
			return nil
		}))
		wantEqual(t, "value passed to the first update", seen.Config, policy.DefaultEmailConfig())
		wantEqual(t, "policy after update", getPolicy(t, s, tn.ID).Config, want)
		wantEqual(t, "other tenant's policy", getPolicy(t, s, other.ID).Config, policy.DefaultEmailConfig())
	})
	t.Run("S4_preview_flag_written_with_policy", func(t *testing.T) {
		s := open(t)
		tn := sampleTenant("contoso")
		tn.PreviewOptIn = true
		must(t, "create tenant", s.CreateTenant(t.Context(), tn))
		must(t, "update", s.UpdateEmailPolicy(t.Context(), tn.ID, func(st *policy.Stored) error {
			if !st.PreviewOptIn {
				t.Error("the update must see the preview flag")
			}
			st.PreviewOptIn = false
			return nil
		}))
		got, err := s.GetTenant(t.Context(), tn.ID)
		must(t, "get tenant", err)
		wantEqual(t, "tenant preview flag", got.PreviewOptIn, false)
		wantEqual(t, "policy preview flag", getPolicy(t, s, tn.ID).PreviewOptIn, false)
	})
	t.Run("S4_failed_update_writes_nothing", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		err := s.UpdateEmailPolicy(t.Context(), tn.ID, func(st *policy.Stored) error {
			st.Config.AllowExternal = policy.AllowDisabled
			return errRollback
		})
		wantErr(t, "update", err, errRollback)
		wantEqual(t, "policy", getPolicy(t, s, tn.ID).Config, policy.DefaultEmailConfig())
	})
	t.Run("S4_update_joins_outer_transaction", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			must(t, "update in tx", setAllowExternal(ctx, s, tn.ID, policy.AllowEnabled))
			return errRollback
		})
		wantErr(t, "tx", err, errRollback)
		wantEqual(t, "policy after rollback", getPolicy(t, s, tn.ID).Config.AllowExternal, policy.AllowDefault)
	})
}

// testPolicyConcurrent: concurrent updates of one tenant are serialized,
// each seeing the previous one's result (no lost update), in the first
// update of a tenant (no row yet) as in later ones.
func testPolicyConcurrent(t *testing.T, open Open) {
	t.Run("R10_updates_serialized_none_lost", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		ok := race(t, nil, func(int) error {
			return s.UpdateEmailPolicy(t.Context(), tn.ID, func(st *policy.Stored) error {
				// Count updates in the include targets: a lost update loses one.
				st.Config.IncludeTargets = append(st.Config.IncludeTargets, policy.Target{TargetType: "group", ID: uuid.NewString()})
				return nil
			})
		})
		wantEqual(t, "successful updates", ok, racers)
		wantEqual(t, "targets after all updates", len(getPolicy(t, s, tn.ID).Config.IncludeTargets), 1+racers)
	})
	t.Run("R10_update_and_audit_commit_in_order", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		ok := race(t, nil, func(i int) error {
			return s.InTx(t.Context(), func(ctx context.Context) error {
				var old policy.AllowExternal
				next := []policy.AllowExternal{policy.AllowEnabled, policy.AllowDisabled}[i%2]
				err := s.UpdateEmailPolicy(ctx, tn.ID, func(st *policy.Stored) error {
					old, st.Config.AllowExternal = st.Config.AllowExternal, next
					return nil
				})
				if err != nil {
					return err
				}
				_, err = s.AppendAudit(ctx, sampleAudit(tn.ID, string(old), string(next)))
				return err
			})
		})
		wantEqual(t, "successful updates", ok, racers)
		recs, err := s.ListAudits(t.Context(), tn.ID, 0, 0)
		must(t, "list audits", err)
		wantEqual(t, "audit records", len(recs), racers)
		// Newest first: each record's old value is the next older one's new value.
		for i := 0; i+1 < len(recs); i++ {
			if o, n := recs[i].Targets[0].Modified[0].Old, recs[i+1].Targets[0].Modified[0].New; o != n {
				t.Fatalf("record seq %d old %q != record seq %d new %q", recs[i].Seq, o, recs[i+1].Seq, n)
			}
		}
		if first := recs[len(recs)-1].Targets[0].Modified[0].Old; first != string(policy.AllowDefault) {
			t.Fatalf("the oldest record's old value = %q, want default", first)
		}
		if last := recs[0].Targets[0].Modified[0].New; last != string(getPolicy(t, s, tn.ID).Config.AllowExternal) {
			t.Fatalf("the newest record's new value %q is not the stored value", last)
		}
	})
}
