package console

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// inactiveConsole is the stand-in console over a real store with a
// tenant of guests: stale (seen 100 days ago), recent (yesterday), admin
// (a stale guest holding an admin role) and a member.
type inactiveConsole struct {
	*standIn
	db  *sqlstore.DB
	ids map[string]string
}

func newInactiveConsole(t *testing.T, dsn string) inactiveConsole {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := newStandIn(t)
	now := s.h.d.Clock.Now()
	tn := s.as.Tenant
	tn.InitialDomain, tn.Domains, tn.Cloud, tn.CreatedAt = "fabrikam.guestgate.local", []string{"fabrikam.guestgate.local"}, directory.CloudPublic, now
	if err := db.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	s.as.Tenant = tn
	day := 24 * time.Hour
	ids := map[string]string{}
	add := func(name string, typ directory.UserType, lastOK time.Time) {
		mail := name + "@partner.example"
		u := directory.User{TenantID: tn.ID, ID: uuid.NewString(), UserType: typ, DisplayName: name, Mail: mail,
			UserPrincipalName: directory.GuestUserPrincipalName(mail, tn.InitialDomain), AccountEnabled: true,
			CreatedAt: now.Add(-300 * day), SignInActivity: directory.SignInActivity{LastSuccessfulSignIn: lastOK}}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		ids[name] = u.ID
	}
	add("stale", directory.UserTypeGuest, now.Add(-100*day))
	add("recent", directory.UserTypeGuest, now.Add(-day))
	add("admin", directory.UserTypeGuest, now.Add(-100*day))
	add("member", directory.UserTypeMember, time.Time{})
	if err := db.CreateRoleAssignment(ctx, roles.Assignment{TenantID: tn.ID, ID: uuid.NewString(), PrincipalID: ids["admin"],
		RoleDefinitionID: roles.AuthenticationPolicyAdministrator.TemplateID, DirectoryScopeID: "/", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	s.h.d.Directory, s.h.d.Inactive = db, db
	s.h.d.Lifecycle = lifecycle.NewService(lifecycle.Deps{Directory: db, Lifecycle: db, Access: db, Audit: db, Roles: db, Tx: db,
		Clock: s.h.d.Clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	s.as.Roles = []string{roles.UserAdministrator.TemplateID}
	return inactiveConsole{standIn: s, db: db, ids: ids}
}

// postIDs posts a bulk form for the named users.
func (c inactiveConsole) postIDs(pattern, action string, names ...string) answer {
	f := url.Values{"csrf": {c.h.csrfSign(c.cookie)}, "days": {"90"}, "action": {action}}
	for _, n := range names {
		id := c.ids[n]
		if id == "" {
			id = n
		}
		f.Add("id", id)
	}
	return c.post(pattern, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()), nil)
}

func (c inactiveConsole) enabled(t *testing.T, name string) bool {
	t.Helper()
	u, err := c.db.GetUser(context.Background(), c.as.Tenant.ID, c.ids[name])
	if err != nil {
		t.Fatal(err)
	}
	return u.AccountEnabled
}

// TestInactiveGuestsConsole: the page lists the stale guests, never the
// recent one or the member; a bulk disable reads each chosen user again
// and skips a guest seen since, a member and an unknown id; R14 stops the
// disabling of a guest who holds an admin role for a User Administrator;
// a post without a chosen guest, or whose action is not its route's, is
// refused. Both engines.
func TestInactiveGuestsConsole(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			c := newInactiveConsole(t, e.DSN(t))
			page := c.get("GET /admin/guests/inactive?days=90")
			if page.code != http.StatusOK || !strings.Contains(page.body, c.ids["stale"]) || !strings.Contains(page.body, c.ids["admin"]) ||
				strings.Contains(page.body, c.ids["recent"]) || strings.Contains(page.body, c.ids["member"]) {
				t.Fatalf("list: %d\n%s", page.code, page.body)
			}
			confirm := c.postIDs("POST /admin/guests/inactive/confirm", "disable", "stale")
			if confirm.code != http.StatusOK || !strings.Contains(confirm.body, "stale@partner.example") || !strings.Contains(confirm.body, `action="/`+c.as.Tenant.ID+`/admin/guests/inactive/disable"`) {
				t.Fatalf("confirm: %d\n%s", confirm.code, confirm.body)
			}
			if !c.enabled(t, "stale") {
				t.Fatal("the confirmation page disabled the guest")
			}

			done := c.postIDs("POST /admin/guests/inactive/disable", "disable", "stale", "recent", "member", uuid.NewString())
			if done.code != http.StatusSeeOther {
				t.Fatalf("disable: %d\n%s", done.code, done.body)
			}
			if c.enabled(t, "stale") || !c.enabled(t, "recent") || !c.enabled(t, "member") {
				t.Fatal("rule_recheck: only the stale guest is disabled")
			}
			recs, err := c.db.ListAudits(context.Background(), c.as.Tenant.ID, 0, 0)
			if err != nil || len(recs) != 1 || recs[0].Activity != lifecycle.ActivityUpdateUser || recs[0].InitiatedBy.UserID != c.as.User.ID {
				t.Fatalf("one audit record by the member: %+v %v", recs, err)
			}

			refused := c.postIDs("POST /admin/guests/inactive/disable", "disable", "admin")
			if refused.code != http.StatusForbidden || !c.enabled(t, "admin") {
				t.Fatalf("R14_privileged_guest: %d, enabled %t\n%s", refused.code, c.enabled(t, "admin"), refused.body)
			}
			for _, bad := range []struct {
				rule    string
				pattern string
				action  string
				names   []string
			}{
				{"nothing_chosen", "POST /admin/guests/inactive/confirm", "disable", nil},
				{"unknown_action", "POST /admin/guests/inactive/confirm", "purge", []string{"stale"}},
				{"action_not_the_routes", "POST /admin/guests/inactive/delete", "disable", []string{"stale"}},
			} {
				if a := c.postIDs(bad.pattern, bad.action, bad.names...); a.code != http.StatusBadRequest {
					t.Errorf("%s: %d, want 400", bad.rule, a.code)
				}
			}
			gone := c.postIDs("POST /admin/guests/inactive/delete", "delete", "stale")
			if gone.code != http.StatusSeeOther {
				t.Fatalf("delete: %d\n%s", gone.code, gone.body)
			}
			if _, err := c.db.GetUser(context.Background(), c.as.Tenant.ID, c.ids["stale"]); err == nil {
				t.Fatal("the deleted guest is still a user")
			}
		})
	}
}
