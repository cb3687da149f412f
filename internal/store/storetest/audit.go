package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/store"
)

// sampleAudit returns a policy-change record in tenant tenantID with one
// modified property from old to new.
func sampleAudit(tenantID, old, new string) audit.Record {
	return audit.Record{
		TenantID: tenantID, ID: "Directory_" + uuid.NewString(), Category: audit.CategoryApplicationManagement,
		CorrelationID: uuid.NewString(), Result: audit.ResultSuccess, Activity: "Authentication Methods Policy Update",
		ActivityAt: at(time.Minute), LoggedByService: "Authentication Methods", OperationType: audit.OperationUpdate,
		InitiatedBy: audit.Actor{AppID: uuid.NewString(), AppName: "Admin bot"},
		Targets: []audit.Target{{ID: "Email", DisplayName: "Email", Type: "Policy",
			Modified: []audit.Change{{Property: "allowExternalIdToUseEmailOtp", Old: old, New: new}}}},
	}
}

func testAudit(t *testing.T, open Open) {
	t.Run("R10_append_list_round_trip", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		want := sampleAudit(tn.ID, `"default"`, `"enabled"`)
		want.ResultReason = "OK"
		want.AdditionalDetails = []audit.KeyValue{{Key: "invitationId", Value: "x"}}
		want.InitiatedBy = audit.Actor{UserID: uuid.NewString(), UserName: "Admin", UserPrincipalName: "admin@contoso.example"}
		want.Targets = append(want.Targets, audit.Target{ID: uuid.NewString(), Type: "User", UserPrincipalName: "a_b#EXT#@contoso.guestgate.local"})
		seq, err := s.AppendAudit(t.Context(), want)
		must(t, "append", err)
		want.Seq = seq
		got, err := s.ListAudits(t.Context(), tn.ID, 0, 0)
		must(t, "list", err)
		wantEqual(t, "records", got, []audit.Record{want})
	})
	t.Run("R10_newest_first_paged_per_tenant", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		var seqs []int64
		for i := range 5 {
			seq, err := s.AppendAudit(t.Context(), sampleAudit(tn.ID, "", string(rune('a'+i))))
			must(t, "append", err)
			seqs = append(seqs, seq)
		}
		_, err := s.AppendAudit(t.Context(), sampleAudit(other.ID, "", "other"))
		must(t, "append other tenant", err)
		for i := 1; i < len(seqs); i++ {
			if seqs[i] != seqs[i-1]+1 {
				t.Fatalf("sequence numbers %v are not consecutive", seqs)
			}
		}
		page1, err := s.ListAudits(t.Context(), tn.ID, 0, 2)
		must(t, "page 1", err)
		page2, err := s.ListAudits(t.Context(), tn.ID, page1[len(page1)-1].Seq, 2)
		must(t, "page 2", err)
		page3, err := s.ListAudits(t.Context(), tn.ID, page2[len(page2)-1].Seq, 2)
		must(t, "page 3", err)
		var got []string
		for _, p := range [][]audit.Record{page1, page2, page3} {
			for _, r := range p {
				got = append(got, r.Targets[0].Modified[0].New)
			}
		}
		wantEqual(t, "new values newest first", got, []string{"e", "d", "c", "b", "a"})
		o, err := s.ListAudits(t.Context(), other.ID, 0, 0)
		must(t, "list other tenant", err)
		wantEqual(t, "other tenant's records", len(o), 1)
	})
	t.Run("R10_record_rolls_back_with_its_change", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			_, err := s.AppendAudit(ctx, sampleAudit(tn.ID, "", "x"))
			must(t, "append in tx", err)
			return errRollback
		})
		wantErr(t, "tx", err, errRollback)
		got, err := s.ListAudits(t.Context(), tn.ID, 0, 0)
		must(t, "list", err)
		wantEqual(t, "records after rollback", len(got), 0)
	})
	t.Run("get_by_id_per_tenant", func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		want := sampleAudit(tn.ID, "", "x")
		seq, err := s.AppendAudit(t.Context(), want)
		must(t, "append", err)
		want.Seq = seq
		got, err := s.GetAudit(t.Context(), tn.ID, want.ID)
		must(t, "get", err)
		wantEqual(t, "record", got, want)
		_, err = s.GetAudit(t.Context(), other.ID, want.ID)
		wantErr(t, "get with another tenant's id", err, store.ErrNotFound)
		_, err = s.GetAudit(t.Context(), tn.ID, "Directory_"+uuid.NewString())
		wantErr(t, "get an unknown id", err, store.ErrNotFound)
	})
	t.Run("R10_query_filters_order_pages", testAuditQuery(open))
	t.Run("R10_duplicate_id_refused", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		r := sampleAudit(tn.ID, "", "x")
		_, err := s.AppendAudit(t.Context(), r)
		must(t, "append", err)
		_, err = s.AppendAudit(t.Context(), r)
		wantErr(t, "append the same id again", err, store.ErrAlreadyExists)
	})
}

func testAuditQuery(open Open) func(t *testing.T) {
	return func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		user := uuid.NewString()
		var all []audit.Record
		for i := range 4 {
			r := sampleAudit(tn.ID, "", string(rune('a'+i)))
			r.ActivityAt = at(time.Duration(i) * time.Hour)
			if i%2 == 1 {
				r.Category, r.Activity = audit.CategoryUserManagement, "Add user"
				r.Targets = []audit.Target{{ID: user, Type: "User", UserPrincipalName: "x"}}
				r.InitiatedBy = audit.Actor{AppName: "Provisioning bot"}
			}
			seq, err := s.AppendAudit(t.Context(), r)
			must(t, "append", err)
			r.Seq = seq
			all = append(all, r)
		}
		_, err := s.AppendAudit(t.Context(), sampleAudit(other.ID, "", "other"))
		must(t, "append other tenant", err)
		seqs := func(rs []audit.Record) []int64 {
			var out []int64
			for _, r := range rs {
				out = append(out, r.Seq)
			}
			return out
		}
		cases := []struct {
			name string
			q    audit.Query
			want []audit.Record
		}{
			{"all_newest_first", audit.Query{}, []audit.Record{all[3], all[2], all[1], all[0]}},
			{"ascending", audit.Query{Ascending: true}, all},
			{"time_range", audit.Query{Conditions: []audit.Condition{
				{Field: audit.FieldActivityDateTime, Op: audit.OpGe, Time: at(time.Hour)},
				{Field: audit.FieldActivityDateTime, Op: audit.OpLt, Time: at(3 * time.Hour)}}}, []audit.Record{all[2], all[1]}},
			{"category_and_activity", audit.Query{Conditions: []audit.Condition{
				{Field: audit.FieldCategory, Op: audit.OpEq, Value: audit.CategoryUserManagement},
				{Field: audit.FieldActivity, Op: audit.OpStartsWith, Value: "Add"}}}, []audit.Record{all[3], all[1]}},
			{"initiated_by_app", audit.Query{Conditions: []audit.Condition{{Field: audit.FieldInitiatedByAppName, Op: audit.OpEq, Value: "Provisioning bot"}}}, []audit.Record{all[3], all[1]}},
			{"target_id", audit.Query{Conditions: []audit.Condition{{Field: audit.FieldTargetID, Op: audit.OpEq, Value: user}}}, []audit.Record{all[3], all[1]}},
			{"target_id_wildcard_is_literal", audit.Query{Conditions: []audit.Condition{{Field: audit.FieldTargetID, Op: audit.OpStartsWith, Value: "%"}}}, nil},
			{"page_after", audit.Query{After: all[2].Seq, Limit: 1}, []audit.Record{all[1]}},
			{"page_after_ascending", audit.Query{Ascending: true, After: all[1].Seq, Limit: 5}, []audit.Record{all[2], all[3]}},
		}
		for _, c := range cases {
			got, err := s.QueryAudits(t.Context(), tn.ID, c.q)
			must(t, c.name, err)
			wantEqual(t, c.name, seqs(got), seqs(c.want))
		}
		got, err := s.QueryAudits(t.Context(), tn.ID, audit.Query{Conditions: []audit.Condition{{Field: audit.FieldActivity, Op: audit.OpEq, Value: "Add user"}}, Limit: 1})
		must(t, "query", err)
		wantEqual(t, "record round trip", got, []audit.Record{all[3]})
	}
}
