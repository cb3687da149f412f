package admin

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactive"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// snapshotStore lists the guests it was given, as a listing taken earlier
// would, a page at a time; pages counts the reads.
type snapshotStore struct {
	guests []inactive.Guest
	pages  int
}

func (s *snapshotStore) ListInactiveGuests(_ context.Context, _ string, _ time.Time, after inactive.Cursor, limit int) ([]inactive.Guest, error) {
	s.pages++
	start := 0
	for i, g := range s.guests {
		if after.ID != "" && g.User.ID == after.ID {
			start = i + 1
		}
	}
	return s.guests[start:min(start+limit, len(s.guests))], nil
}

// TestInactiveGuestsRecheck: List reads page after page until a short one
// and decides each guest; Disable and Delete read the guest again and
// leave alone one who signed in since the listing (rule_recheck), and
// Disable skips a guest already disabled. Both engines.
func TestInactiveGuestsRecheck(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db, err := sqlstore.Open(ctx, e.DSN(t), sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			clk := clock.NewFake(now)
			tn := directory.Tenant{ID: uuid.NewString(), DisplayName: "Fabrikam", InitialDomain: "fabrikam.guestgate.local",
				Domains: []string{"fabrikam.guestgate.local"}, Cloud: directory.CloudPublic, Managed: true, CreatedAt: now}
			if err := db.CreateTenant(ctx, tn); err != nil {
				t.Fatal(err)
			}
			day := 24 * time.Hour
			user := func(name string, lastOK time.Time, enabled bool) directory.User {
				u := directory.User{TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest, DisplayName: name,
					Mail: name + "@partner.example", UserPrincipalName: directory.GuestUserPrincipalName(name+"@partner.example", tn.InitialDomain),
					AccountEnabled: enabled, CreatedAt: now.Add(-300 * day), SignInActivity: directory.SignInActivity{LastSuccessfulSignIn: lastOK}}
				if err := db.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
				return u
			}
			stale := user("stale", now.Add(-100*day), true)
			back := user("back", now.Add(-time.Hour), true) // signed in since the listing
			off := user("off", now.Add(-100*day), false)
			listedBack := back
			listedBack.SignInActivity.LastSuccessfulSignIn = now.Add(-100 * day)
			snap := &snapshotStore{}
			for _, u := range []directory.User{stale, listedBack, off} {
				snap.guests = append(snap.guests, inactive.Guest{User: u})
			}
			for range inactive.MaxPage { // fill past one page: unknown ids, never in the store
				snap.guests = append(snap.guests, inactive.Guest{User: directory.User{ID: uuid.NewString(), UserType: directory.UserTypeGuest, CreatedAt: now.Add(-300 * day)}})
			}
			dir, err := NewDirectory(db, "guestgate.local", clk)
			if err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.DiscardHandler)
			l := lifecycle.NewService(lifecycle.Deps{Directory: db, Lifecycle: db, Access: db, Audit: db, Roles: db, Tx: db, Clock: clk, Log: log})
			m, err := member.NewService(member.Deps{Directory: db, Store: db, Tx: db, Clock: clk, Audit: db,
				Sessions: directory.AccessEnder{Store: db}, Roles: db, Log: log})
			if err != nil {
				t.Fatal(err)
			}
			users, err := NewUsers(dir, l, m)
			if err != nil {
				t.Fatal(err)
			}
			ops, err := NewInactiveGuests(users, snap, clk)
			if err != nil {
				t.Fatal(err)
			}
			list, err := ops.List(ctx, tn, 90)
			if err != nil || len(list) != len(snap.guests) || snap.pages != 2 {
				t.Fatalf("List = %d guests in %d pages, %v; want %d in 2", len(list), snap.pages, err, len(snap.guests))
			}
			if !list[1].Verdict.Inactive || !list[2].Verdict.Disabled {
				t.Fatalf("verdicts: %+v %+v", list[1].Verdict, list[2].Verdict)
			}
			for _, c := range []struct {
				rule string
				act  func(context.Context, directory.Tenant, string, int) (bool, error)
				id   string
				want bool
			}{
				{"stale_guest_disabled", ops.Disable, stale.ID, true},
				{"rule_recheck_signed_in_since_not_disabled", ops.Disable, back.ID, false},
				{"already_disabled_not_disabled_again", ops.Disable, off.ID, false},
				{"rule_recheck_signed_in_since_not_deleted", ops.Delete, back.ID, false},
				{"disabled_guest_deleted", ops.Delete, off.ID, true},
			} {
				if done, err := c.act(ctx, tn, c.id, 90); err != nil || done != c.want {
					t.Errorf("%s: done %t, %v; want %t", c.rule, done, err, c.want)
				}
			}
			got, err := db.GetUser(ctx, tn.ID, back.ID)
			if err != nil || !got.AccountEnabled {
				t.Fatalf("the guest who came back: %+v %v", got, err)
			}
		})
	}
}
