package storetest

import (
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
)

// testUserProperties: a user's further Graph properties and signInActivity
// (migration 0021) are kept through updates, deletion and restore, and a
// recorded sign-in moves the activity in the same transaction.
func testUserProperties(t *testing.T, open Open) {
	t.Run("properties_round_trip_through_delete_and_restore", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "teri@gmail.example")
		props := map[string]any{
			"department": "Sales", "showInAddressList": false, "businessPhones": []string{"+81 3 1234 5678"},
			"employeeOrgData": map[string]string{"division": "Sales", "costCenter": "CC1"},
		}
		must(t, "update", s.UpdateUser(t.Context(), tn.ID, u.ID, func(x *directory.User) error {
			x.Properties = props
			return nil
		}))
		got, err := s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get", err)
		wantEqual(t, "properties", got.Properties, props)
		must(t, "delete", s.DeleteUser(t.Context(), tn.ID, u.ID, at(time.Hour)))
		d, err := s.GetDeletedUser(t.Context(), tn.ID, u.ID)
		must(t, "get deleted", err)
		wantEqual(t, "deleted user's properties", d.User.Properties, props)
		back, err := s.RestoreUser(t.Context(), tn.ID, u.ID)
		must(t, "restore", err)
		wantEqual(t, "restored user's properties", back.Properties, props)
		must(t, "clear", s.UpdateUser(t.Context(), tn.ID, u.ID, func(x *directory.User) error {
			x.Properties = nil
			return nil
		}))
		got, err = s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get cleared", err)
		if got.Properties != nil {
			t.Fatalf("cleared properties = %v", got.Properties)
		}
	})
	t.Run("sign_in_moves_activity_forward", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		u := seedGuest(t, s, tn, "teri@gmail.example")
		other := seedGuest(t, s, tn, "ana@gmail.example")
		ok := sampleSignIn(tn.ID, time.Hour)
		ok.UserID = u.ID
		failed := sampleSignIn(tn.ID, 2*time.Hour)
		failed.UserID, failed.ErrorCode = u.ID, 50181
		older := sampleSignIn(tn.ID, time.Minute)
		older.UserID = u.ID
		for _, r := range []audit.SignIn{ok, failed, older} {
			must(t, "append", s.AppendSignIn(t.Context(), r))
		}
		got, err := s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get", err)
		wantEqual(t, "activity", got.SignInActivity, directory.SignInActivity{
			LastSignIn: at(2 * time.Hour), LastSignInRequestID: failed.ID,
			LastSuccessfulSignIn: at(time.Hour), LastSuccessfulSignInRequestID: ok.ID,
		})
		// An update of the user leaves the activity alone.
		must(t, "update", s.UpdateUser(t.Context(), tn.ID, u.ID, func(x *directory.User) error {
			x.SignInActivity = directory.SignInActivity{}
			x.DisplayName = "Teri"
			return nil
		}))
		got, err = s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get after update", err)
		wantEqual(t, "activity after update", got.SignInActivity.LastSignIn, at(2*time.Hour))

		// Stale users: signed in before a time; never signed in is not matched.
		q := func(f directory.UserFilter) []string {
			page, err := s.QueryUsers(t.Context(), tn.ID, directory.UserQuery{Filter: f})
			must(t, "query", err)
			var ids []string
			for _, x := range page.Users {
				ids = append(ids, x.ID)
			}
			return ids
		}
		stamp := func(d time.Duration) string { return at(d).Format(time.RFC3339Nano) }
		le := directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchLe, Value: stamp(3 * time.Hour)}
		wantEqual(t, "le", q(le), []string{u.ID})
		wantEqual(t, "lt the instant", q(directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchLt, Value: stamp(2 * time.Hour)}), []string(nil))
		wantEqual(t, "ge", q(directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchGe, Value: stamp(2 * time.Hour)}), []string{u.ID})
		wantEqual(t, "gt", q(directory.Match{Field: directory.FieldLastSuccessfulSignIn, Op: directory.MatchGt, Value: stamp(time.Hour)}), []string(nil))
		wantEqual(t, "eq", q(directory.Match{Field: directory.FieldLastSuccessfulSignIn, Op: directory.MatchEq, Value: stamp(time.Hour)}), []string{u.ID})
		wantEqual(t, "eq null", q(directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchEq}), []string{other.ID})
	})
	t.Run("stale_users_paged_in_time_order", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		var want []string
		for i, d := range []time.Duration{3 * time.Hour, time.Hour, 2 * time.Hour, time.Hour, 9 * time.Hour} {
			u := seedGuest(t, s, tn, "g"+string(rune('a'+i))+"@gmail.example")
			r := sampleSignIn(tn.ID, d)
			r.UserID = u.ID
			must(t, "append", s.AppendSignIn(t.Context(), r))
			if d < 9*time.Hour {
				want = append(want, u.ID)
			}
		}
		seedGuest(t, s, tn, "never@gmail.example")
		f := directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchLe, Value: at(4 * time.Hour).Format(time.RFC3339Nano)}
		var got []string
		after := ""
		for range 10 {
			page, err := s.QueryUsers(t.Context(), tn.ID, directory.UserQuery{Filter: f, Limit: 1, After: after})
			must(t, "query", err)
			for _, u := range page.Users {
				got = append(got, u.ID)
			}
			if after = page.Next; after == "" {
				break
			}
		}
		if len(got) != len(want) {
			t.Fatalf("paged %d users, want %d", len(got), len(want))
		}
		seen := map[string]bool{}
		for _, id := range got {
			seen[id] = true
		}
		for _, id := range want {
			if !seen[id] {
				t.Fatalf("user %s missing from the pages %v", id, got)
			}
		}
	})
}
