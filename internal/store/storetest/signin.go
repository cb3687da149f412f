package storetest

import (
	"context"
	"slices"
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
