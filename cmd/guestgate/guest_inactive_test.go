package main

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

type inactivePageJSON struct {
	Days  int
	Value []inactiveGuestJSON
}

// seedInactive writes the users of TestGuestInactiveCommand straight into
// the store, with sign-in activity in the past: a sponsor (member), a guest
// last seen 100 days ago invited by the sponsor, a guest invited 200 days
// ago who never signed in, a guest seen yesterday, and a member who never
// signed in. It returns their ids by name.
func seedInactive(t *testing.T, dsn, tenantID, domain string) map[string]string {
	t.Helper()
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now, day := time.Now().UTC(), 24*time.Hour
	ids := map[string]string{}
	add := func(name string, typ directory.UserType, created, lastOK time.Time) directory.User {
		mail := name + "@partner.example"
		upn := mail
		if typ == directory.UserTypeGuest {
			upn = directory.GuestUserPrincipalName(mail, domain)
		}
		u := directory.User{TenantID: tenantID, ID: uuid.NewString(), UserType: typ, DisplayName: name, Mail: mail,
			UserPrincipalName: upn, CreationType: directory.CreationInvitation, AccountEnabled: true, CreatedAt: created,
			SignInActivity: directory.SignInActivity{LastSuccessfulSignIn: lastOK}}
		if typ == directory.UserTypeMember {
			u.CreationType = ""
		}
		if err := s.CreateUser(ctx, u); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		ids[name] = u.ID
		return u
	}
	sponsor := add("sponsor", directory.UserTypeMember, now.Add(-400*day), now)
	stale := add("stale", directory.UserTypeGuest, now.Add(-300*day), now.Add(-100*day))
	add("never", directory.UserTypeGuest, now.Add(-200*day), time.Time{})
	add("recent", directory.UserTypeGuest, now.Add(-300*day), now.Add(-day))
	add("idle-member", directory.UserTypeMember, now.Add(-300*day), time.Time{})
	h := sha256.Sum256([]byte("ticket"))
	if err := s.CreateInvitation(ctx, invitation.Invitation{TenantID: tenantID, ID: uuid.NewString(), UserID: stale.ID,
		Email: stale.Mail, RedirectURL: "https://apps.fabrikam.example", Sponsors: []string{sponsor.ID},
		InvitedBy: "Sponsor", TicketHash: h[:], Status: invitation.StatusPendingAcceptance, CreatedAt: stale.CreatedAt}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestGuestInactiveCommand: guest inactive lists the guests not seen for
// N days (never-signed-in first) with their sponsors, never a member nor
// a recent guest; --disable and --delete act through the lifecycle service
// with an audit record each as the CLI; bad flags are refused.
func TestGuestInactiveCommand(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			db := "--database-url=" + dsn
			var tn struct{ ID, InitialDomain string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
			ids := seedInactive(t, dsn, tn.ID, "fabrikam.guestgate.local")

			var page inactivePageJSON
			runJSON(t, &page, "guest", "inactive", db, "--tenant", "fabrikam.example", "--days", "90", "--output", "json")
			if page.Days != 90 || len(page.Value) != 2 || page.Value[0].ID != ids["never"] || page.Value[1].ID != ids["stale"] {
				t.Fatalf("list: never first, then stale; no member, no recent guest: %+v", page)
			}
			never, stale := page.Value[0], page.Value[1]
			if never.Reason != "neverSignedIn" || never.LastSuccessfulSignInDateTime != nil || len(never.Sponsors) != 0 ||
				stale.Reason != "noRecentSignIn" || stale.LastSuccessfulSignInDateTime == nil || stale.InvitedBy != "Sponsor" ||
				len(stale.Sponsors) != 1 || stale.Sponsors[0].ID != ids["sponsor"] || stale.Sponsors[0].UserPrincipalName != "sponsor@partner.example" {
				t.Fatalf("reasons and sponsors: %+v", page.Value)
			}
			runJSON(t, &page, "guest", "inactive", db, "--tenant", tn.ID, "--days", "150", "--output", "json")
			if len(page.Value) != 1 || page.Value[0].ID != ids["never"] {
				t.Fatalf("--days 150 lists the guest invited 200 days ago only: %+v", page)
			}
			out, err := run(t, "guest", "inactive", db, "--tenant", tn.ID)
			if err != nil || !strings.Contains(out, "never") || !strings.Contains(out, "sponsor@partner.example") {
				t.Fatalf("text output: %v\n%s", err, out)
			}

			runJSON(t, &page, "guest", "inactive", db, "--tenant", tn.ID, "--days", "150", "--disable", "--output", "json")
			if len(page.Value) != 1 || page.Value[0].Action != "disabled" {
				t.Fatalf("--disable: %+v", page)
			}
			runJSON(t, &page, "guest", "inactive", db, "--tenant", tn.ID, "--days", "90", "--disable", "--output", "json")
			if len(page.Value) != 2 || page.Value[0].AccountEnabled || page.Value[0].Action != "skipped" || page.Value[1].Action != "disabled" {
				t.Fatalf("disabled guest listed, marked and skipped; the other disabled: %+v", page)
			}
			var u userJSON
			runJSON(t, &u, "user", "show", db, "--tenant", tn.ID, "--user", ids["stale"], "--output", "json")
			if u.AccountEnabled {
				t.Fatalf("stale guest still enabled: %+v", u)
			}
			runJSON(t, &u, "user", "show", db, "--tenant", tn.ID, "--user", ids["recent"], "--output", "json")
			if !u.AccountEnabled {
				t.Fatalf("recent guest disabled: %+v", u)
			}

			runJSON(t, &page, "guest", "inactive", db, "--tenant", tn.ID, "--days", "90", "--delete", "--output", "json")
			if len(page.Value) != 2 || page.Value[0].Action != "deleted" || page.Value[1].Action != "deleted" {
				t.Fatalf("--delete: %+v", page)
			}
			var users userPageJSON
			runJSON(t, &users, "user", "list", db, "--tenant", tn.ID, "--deleted", "--output", "json")
			if len(users.Value) != 2 {
				t.Fatalf("deleted users: %+v", users)
			}

			s, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			recs, err := s.ListAudits(context.Background(), tn.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, r := range recs {
				if r.InitiatedBy.AppName != "guestgate CLI" {
					t.Fatalf("audit record not by the CLI: %+v", r)
				}
				count[r.Activity]++
			}
			if count[lifecycle.ActivityUpdateUser] != 2 || count[lifecycle.ActivityDeleteUser] != 2 {
				t.Fatalf("audit records: %v", count)
			}

			for _, bad := range []struct {
				rule string
				args []string
				want string
			}{
				{"disable_or_delete_not_both", []string{"--disable", "--delete"}, "choose one"},
				{"days_at_least_one", []string{"--days", "0"}, "days"},
				{"days_at_most_ten_years", []string{"--days", "4000"}, "days"},
			} {
				args := append([]string{"guest", "inactive", db, "--tenant", tn.ID}, bad.args...)
				if out, err := run(t, args...); err == nil || !strings.Contains(err.Error(), bad.want) {
					t.Errorf("%s: %v\n%s", bad.rule, err, out)
				}
			}
		})
	}
}
