package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/store"
)

// sampleSignIn returns a guest's successful passcode sign-in at tenantID, d after the epoch of at.
func sampleSignIn(tenantID string, d time.Duration) audit.SignIn {
	return audit.SignIn{
		TenantID: tenantID, ID: uuid.NewString(), CreatedAt: at(d),
		UserID: uuid.NewString(), UserPrincipalName: "teri_gmail.example#EXT#@contoso.guestgate.local",
		UserDisplayName: "Teri", UserType: audit.SignInGuest, AppID: uuid.NewString(), AppDisplayName: "Wiki",
		IPAddress: "192.0.2.7", UserAgent: "Mozilla/5.0", ClientAppUsed: audit.SignInBrowser,
		CorrelationID: uuid.NewString(), IdP: "mail", AuthenticationMethod: "Email OTP",
		CrossTenantAccessType: audit.SignInB2BCollaboration,
	}
}

func testSignIns(t *testing.T, open Open) {
	t.Run("append_get_round_trip", func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		ok := sampleSignIn(tn.ID, time.Minute)
		failed := sampleSignIn(tn.ID, 2*time.Minute)
		failed.UserID, failed.UserDisplayName, failed.AppID, failed.IdP, failed.AuthenticationMethod = "", "", "", "", ""
		failed.ErrorCode, failed.FailureReason, failed.AdditionalDetails = 50034, "The user account does not exist in the directory.", "detail"
		for _, r := range []audit.SignIn{ok, failed} {
			must(t, "append", s.AppendSignIn(t.Context(), r))
			got, err := s.GetSignIn(t.Context(), tn.ID, r.ID)
			must(t, "get", err)
			wantEqual(t, "sign-in", got, r)
		}
		_, err := s.GetSignIn(t.Context(), other.ID, ok.ID)
		wantErr(t, "get with another tenant's id", err, store.ErrNotFound)
		wantErr(t, "append the same id again", s.AppendSignIn(t.Context(), ok), store.ErrAlreadyExists)
	})
	t.Run("newest_first_paged_per_tenant_ties_by_id", func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		var want []string
		for i := range 5 {
			// Two sign-ins share each instant: the id orders them.
			r := sampleSignIn(tn.ID, time.Duration(i/2)*time.Second)
			must(t, "append", s.AppendSignIn(t.Context(), r))
			want = append(want, r.ID)
		}
		must(t, "append other tenant", s.AppendSignIn(t.Context(), sampleSignIn(other.ID, time.Hour)))
		all, err := s.ListSignIns(t.Context(), tn.ID, audit.SignInCursor{}, 0)
		must(t, "list", err)
		var got []string
		for _, r := range all {
			got = append(got, r.ID)
		}
		slices.Sort(got)
		slices.Sort(want)
		wantEqual(t, "the tenant's sign-ins, only", got, want)
		for i := 1; i < len(all); i++ {
			a, b := all[i-1], all[i]
			if a.CreatedAt.Before(b.CreatedAt) || a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID {
				t.Fatalf("not newest first: %v %s before %v %s", a.CreatedAt, a.ID, b.CreatedAt, b.ID)
			}
		}
		var paged []audit.SignIn
		cur := audit.SignInCursor{}
		for range 3 {
			page, err := s.ListSignIns(t.Context(), tn.ID, cur, 2)
			must(t, "page", err)
			paged = append(paged, page...)
			if len(page) == 0 {
				break
			}
			last := page[len(page)-1]
			cur = audit.SignInCursor{CreatedAt: last.CreatedAt, ID: last.ID}
		}
		wantEqual(t, "pages walk every sign-in once", paged, all)
	})
	t.Run("query_filters_order_pages", testSignInQuery(open))
	t.Run("query_escapes_and_binds_values", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		r := sampleSignIn(tn.ID, 0)
		must(t, "append", s.AppendSignIn(t.Context(), r))
		for _, v := range []string{"%", "_", `\`, "' OR '1'='1", "teri_gmail.example#EXT#@contoso.guestgate.local' --"} {
			for _, op := range []audit.Op{audit.OpEq, audit.OpStartsWith} {
				got, err := s.QuerySignIns(t.Context(), tn.ID, audit.SignInQuery{Conditions: []audit.SignInCondition{
					{Field: audit.SignInFieldUserPrincipalName, Op: op, Value: v}}})
				must(t, "query "+v, err)
				wantEqual(t, "sign-ins matching "+string(op)+" "+v, len(got), 0)
			}
		}
		got, err := s.QuerySignIns(t.Context(), tn.ID, audit.SignInQuery{Conditions: []audit.SignInCondition{
			{Field: audit.SignInFieldUserPrincipalName, Op: audit.OpStartsWith, Value: "teri_"}}})
		must(t, "query a prefix with '_'", err)
		wantEqual(t, "a prefix with '_' matches itself", len(got), 1)
	})
	t.Run("success_rolls_back_with_its_session", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			must(t, "append in tx", s.AppendSignIn(ctx, sampleSignIn(tn.ID, 0)))
			return errRollback
		})
		wantErr(t, "tx", err, errRollback)
		got, err := s.ListSignIns(t.Context(), tn.ID, audit.SignInCursor{}, 0)
		must(t, "list", err)
		wantEqual(t, "sign-ins after rollback", len(got), 0)
	})
}

func testSignInQuery(open Open) func(t *testing.T) {
	return func(t *testing.T) {
		s := open(t)
		tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
		var all []audit.SignIn // oldest first
		for i := range 6 {
			r := sampleSignIn(tn.ID, time.Duration(i)*time.Hour)
			switch i % 3 {
			case 1: // a member at the tenant's own pages
				r.UserPrincipalName, r.UserType, r.CrossTenantAccessType = "Ana@Contoso.example", audit.SignInMember, audit.SignInNoCrossTenant
				r.AppID, r.AppDisplayName, r.IPAddress = "", "My Apps", "198.51.100.4"
				r.UserDisplayName = "Ana Ruiz"
			case 2: // a refused attempt of an address that is no user
				r.UserID, r.UserPrincipalName, r.ErrorCode = "", "nobody@partner.example", 50034
			}
			must(t, "append", s.AppendSignIn(t.Context(), r))
			all = append(all, r)
		}
		must(t, "append other tenant", s.AppendSignIn(t.Context(), sampleSignIn(other.ID, 0)))
		cond := func(f audit.SignInField, op audit.Op, v string) audit.SignInCondition {
			return audit.SignInCondition{Field: f, Op: op, Value: v}
		}
		newest := func(idx ...int) []string {
			var out []string
			for _, i := range idx {
				out = append(out, all[i].ID)
			}
			return out
		}
		cases := []struct {
			name string
			q    audit.SignInQuery
			want []string
		}{
			{"all_newest_first", audit.SignInQuery{}, newest(5, 4, 3, 2, 1, 0)},
			{"ascending", audit.SignInQuery{Ascending: true}, newest(0, 1, 2, 3, 4, 5)},
			{"time_range", audit.SignInQuery{Conditions: []audit.SignInCondition{
				{Field: audit.SignInFieldCreatedDateTime, Op: audit.OpGe, Time: at(time.Hour)},
				{Field: audit.SignInFieldCreatedDateTime, Op: audit.OpLt, Time: at(3 * time.Hour)}}}, newest(2, 1)},
			{"time_gt_le", audit.SignInQuery{Conditions: []audit.SignInCondition{
				{Field: audit.SignInFieldCreatedDateTime, Op: audit.OpGt, Time: at(3 * time.Hour)},
				{Field: audit.SignInFieldCreatedDateTime, Op: audit.OpLe, Time: at(4 * time.Hour)}}}, newest(4)},
			{"time_eq", audit.SignInQuery{Conditions: []audit.SignInCondition{
				{Field: audit.SignInFieldCreatedDateTime, Op: audit.OpEq, Time: at(2 * time.Hour)}}}, newest(2)},
			{"upn_in_any_case", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldUserPrincipalName, audit.OpEq, "ana@contoso.EXAMPLE")}}, newest(4, 1)},
			{"upn_starts_with_in_any_case", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldUserPrincipalName, audit.OpStartsWith, "NOBODY@")}}, newest(5, 2)},
			{"user_id", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldUserID, audit.OpEq, all[3].UserID)}}, newest(3)},
			{"user_id_exact_case", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldUserID, audit.OpEq, strings.ToUpper(all[3].UserID))}}, nil},
			{"app_id", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldAppID, audit.OpEq, all[0].AppID)}}, newest(0)},
			{"app_display_name_in_any_case", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldAppDisplayName, audit.OpEq, "my apps")}}, newest(4, 1)},
			{"app_display_name_starts_with", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldAppDisplayName, audit.OpStartsWith, "wi")}}, newest(5, 3, 2, 0)},
			{"ip_address", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldIPAddress, audit.OpEq, "198.51.100.4")}}, newest(4, 1)},
			{"ip_address_starts_with", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldIPAddress, audit.OpStartsWith, "192.0.2.")}}, newest(5, 3, 2, 0)},
			{"correlation_id", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldCorrelationID, audit.OpEq, all[2].CorrelationID)}}, newest(2)},
			{"error_code", audit.SignInQuery{Conditions: []audit.SignInCondition{
				{Field: audit.SignInFieldErrorCode, Op: audit.OpEq, Number: 50034}}}, newest(5, 2)},
			{"error_code_success", audit.SignInQuery{Conditions: []audit.SignInCondition{
				{Field: audit.SignInFieldErrorCode, Op: audit.OpEq, Number: 0}}}, newest(4, 3, 1, 0)},
			{"user_type_and_cross_tenant", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldUserType, audit.OpEq, audit.SignInGuest),
				cond(audit.SignInFieldCrossTenantAccessType, audit.OpEq, audit.SignInB2BCollaboration)}}, newest(5, 3, 2, 0)},
			{"cross_tenant_none", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldCrossTenantAccessType, audit.OpEq, audit.SignInNoCrossTenant)}}, newest(4, 1)},
			{"filter_and_page_after", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldUserType, audit.OpEq, audit.SignInGuest)},
				After: audit.SignInCursor{CreatedAt: all[3].CreatedAt, ID: all[3].ID}, Limit: 1}, newest(2)},
			{"user_display_name_in_any_case", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldUserDisplayName, audit.OpEq, "ana RUIZ")}}, newest(4, 1)},
			{"user_display_name_starts_with", audit.SignInQuery{Conditions: []audit.SignInCondition{
				cond(audit.SignInFieldUserDisplayName, audit.OpStartsWith, "TER")}}, newest(5, 3, 2, 0)},
			{"any_of", audit.SignInQuery{AnyOf: [][]audit.SignInCondition{{
				cond(audit.SignInFieldUserPrincipalName, audit.OpEq, "ana@contoso.example"),
				{Field: audit.SignInFieldErrorCode, Op: audit.OpEq, Number: 50034}}}}, newest(5, 4, 2, 1)},
			{"any_of_and_condition", audit.SignInQuery{
				Conditions: []audit.SignInCondition{cond(audit.SignInFieldUserType, audit.OpEq, audit.SignInGuest)},
				AnyOf: [][]audit.SignInCondition{{
					{Field: audit.SignInFieldErrorCode, Op: audit.OpEq, Number: 50034},
					cond(audit.SignInFieldAppDisplayName, audit.OpEq, "my apps")}}}, newest(5, 2)},
			{"two_any_of_groups", audit.SignInQuery{AnyOf: [][]audit.SignInCondition{
				{cond(audit.SignInFieldAppDisplayName, audit.OpEq, "my apps"), cond(audit.SignInFieldUserDisplayName, audit.OpEq, "teri")},
				{{Field: audit.SignInFieldErrorCode, Op: audit.OpEq, Number: 0}}}}, newest(4, 3, 1, 0)},
			{"page_after_ascending", audit.SignInQuery{Ascending: true,
				After: audit.SignInCursor{CreatedAt: all[3].CreatedAt, ID: all[3].ID}}, newest(4, 5)},
		}
		for _, c := range cases {
			got, err := s.QuerySignIns(t.Context(), tn.ID, c.q)
			must(t, c.name, err)
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			wantEqual(t, c.name, ids, c.want)
		}
		got, err := s.QuerySignIns(t.Context(), tn.ID, audit.SignInQuery{Conditions: []audit.SignInCondition{
			cond(audit.SignInFieldUserID, audit.OpEq, all[3].UserID)}})
		must(t, "query", err)
		wantEqual(t, "sign-in round trip", got, []audit.SignIn{all[3]})
		_, err = s.QuerySignIns(t.Context(), tn.ID, audit.SignInQuery{Conditions: []audit.SignInCondition{
			cond(audit.SignInFieldUserID, audit.OpStartsWith, "x")}})
		if err == nil {
			t.Fatal("startsWith on userId: no error; the store must refuse what Graph does not support")
		}

		// Keyset pages in both orders, ties at one instant by id, walk every match once.
		for _, asc := range []bool{false, true} {
			tie := sampleSignIn(tn.ID, 5*time.Hour)
			must(t, "append a tie", s.AppendSignIn(t.Context(), tie))
			q := audit.SignInQuery{Ascending: asc, Limit: 2, Conditions: []audit.SignInCondition{
				{Field: audit.SignInFieldCreatedDateTime, Op: audit.OpGe, Time: at(3 * time.Hour)}}}
			want, err := s.QuerySignIns(t.Context(), tn.ID, audit.SignInQuery{Ascending: asc, Conditions: q.Conditions})
			must(t, "query all", err)
			var paged []audit.SignIn
			for range len(want) + 1 {
				page, err := s.QuerySignIns(t.Context(), tn.ID, q)
				must(t, "page", err)
				paged = append(paged, page...)
				if len(page) < q.Limit {
					break
				}
				last := page[len(page)-1]
				q.After = audit.SignInCursor{CreatedAt: last.CreatedAt, ID: last.ID}
			}
			wantEqual(t, fmt.Sprintf("pages (ascending %v) walk every match once", asc), paged, want)
		}
	}
}
