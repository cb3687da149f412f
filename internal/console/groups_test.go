package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/testenv"
)

// groupsConsole is the inactive guests' console over a real store, with
// the groups service and a second tenant holding a guest of its own.
type groupsConsole struct {
	inactiveConsole
	svc   *groups.Service
	other directory.User
}

func newGroupsConsole(t *testing.T, dsn string) groupsConsole {
	t.Helper()
	c := newInactiveConsole(t, dsn)
	ctx := context.Background()
	svc := groups.NewService(groups.Deps{Store: c.db, Directory: c.db, Tx: c.db, Audit: c.db, Clock: c.h.d.Clock})
	c.h.d.Groups = svc
	// the user's page reads the invitation and the sessions too
	c.h.d.Stats, c.h.d.Sessions = c.db, session.NewService(c.db, c.h.d.Clock, 0)
	other := directory.Tenant{ID: "0b7d6a2e-1f3c-4e5d-9a8b-7c6d5e4f3a2b", DisplayName: "Contoso", Managed: true,
		InitialDomain: "contoso.guestgate.local", Domains: []string{"contoso.guestgate.local"}, Cloud: directory.CloudPublic, CreatedAt: c.h.d.Clock.Now()}
	if err := c.db.CreateTenant(ctx, other); err != nil {
		t.Fatal(err)
	}
	mail := "outsider@partner.example"
	u := directory.User{TenantID: other.ID, ID: "5c4b3a29-1807-4f6e-8d5c-4b3a29180706", UserType: directory.UserTypeGuest, DisplayName: "outsider",
		Mail: mail, UserPrincipalName: directory.GuestUserPrincipalName(mail, other.InitialDomain), AccountEnabled: true, CreatedAt: c.h.d.Clock.Now()}
	if err := c.db.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	c.as.Roles = []string{roles.GroupsAdministrator.TemplateID}
	return groupsConsole{inactiveConsole: c, svc: svc, other: u}
}

// form posts fields to a change route of the group id.
func (c groupsConsole) form(pattern, id string, fields url.Values) answer {
	fields.Set("csrf", c.h.csrfSign(c.cookie))
	return c.post(strings.ReplaceAll(pattern, "{id}", id), "application/x-www-form-urlencoded", strings.NewReader(fields.Encode()), nil)
}

func (c groupsConsole) page(path string) answer {
	return c.get("GET " + path)
}

func (c groupsConsole) members(t *testing.T, groupID string) []string {
	t.Helper()
	ms, err := c.svc.Members(context.Background(), c.as.Tenant.ID, groupID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

func (c groupsConsole) activities(t *testing.T) []audit.Record {
	t.Helper()
	recs, err := c.db.ListAudits(context.Background(), c.as.Tenant.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestGroupsConsole: a Groups Administrator creates a group (a refused
// property shows the form again, nothing created), adds a guest by mail
// and a member by user principal name, sees them on the group's page and
// the group on the guest's page, and removes one, each change an audit
// record by the member; a user of another tenant, by name or by id, is
// refused and never added; a member without the permission is refused
// every change. Both engines.
func TestGroupsConsole(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			c := newGroupsConsole(t, e.DSN(t))
			ctx := context.Background()
			bad := c.form("POST /admin/groups", "", url.Values{"displayName": {"Partners"}, "mailNickname": {"has space"}})
			if bad.code != http.StatusBadRequest || !strings.Contains(bad.body, "mail nickname") {
				t.Fatalf("rule_mail_nickname: %d\n%s", bad.code, bad.body)
			}
			if gs, err := c.svc.List(ctx, c.as.Tenant.ID, "", 10); err != nil || len(gs) != 0 {
				t.Fatalf("a refused form created %v (%v)", gs, err)
			}

			created := c.form("POST /admin/groups", "", url.Values{"displayName": {"Partners"}, "description": {"Guests of Contoso"}, "mailNickname": {"partners"}})
			gs, err := c.svc.List(ctx, c.as.Tenant.ID, "", 10)
			if created.code != http.StatusSeeOther || err != nil || len(gs) != 1 || gs[0].DisplayName != "Partners" || gs[0].MailNickname != "partners" {
				t.Fatalf("create: %d %v %v\n%s", created.code, gs, err, created.body)
			}
			g := gs[0]
			if list := c.page("/admin/groups"); list.code != http.StatusOK || !strings.Contains(list.body, "/groups/"+g.ID) {
				t.Fatalf("list: %d\n%s", list.code, list.body)
			}

			stale, err := c.db.GetUser(ctx, c.as.Tenant.ID, c.ids["stale"])
			if err != nil {
				t.Fatal(err)
			}
			member, err := c.db.GetUser(ctx, c.as.Tenant.ID, c.ids["member"])
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{stale.Mail, member.UserPrincipalName} {
				if a := c.form("POST /admin/groups/{id}/members", g.ID, url.Values{"user": {name}}); a.code != http.StatusSeeOther {
					t.Fatalf("add %s: %d\n%s", name, a.code, a.body)
				}
			}
			if got := c.members(t, g.ID); len(got) != 2 {
				t.Fatalf("members after two adds: %v", got)
			}
			if again := c.form("POST /admin/groups/{id}/members", g.ID, url.Values{"user": {stale.Mail}}); again.code != http.StatusBadRequest {
				t.Fatalf("rule_already_member: %d", again.code)
			}
			page := c.page("/admin/groups/" + g.ID)
			if page.code != http.StatusOK || !strings.Contains(page.body, stale.ID) || !strings.Contains(page.body, member.UserPrincipalName) {
				t.Fatalf("group page: %d\n%s", page.code, page.body)
			}
			if up := c.page("/admin/users/" + stale.ID); !strings.Contains(up.body, `href="/`+c.as.Tenant.ID+`/admin/groups/`+g.ID+`"`) {
				t.Fatalf("the guest's page does not list the group:\n%s", up.body)
			}

			for _, f := range []url.Values{{"user": {c.other.Mail}}, {"user": {c.other.UserPrincipalName}}, {"user": {c.other.ID}}} {
				if a := c.form("POST /admin/groups/{id}/members", g.ID, f); a.code != http.StatusNotFound {
					t.Errorf("rule_other_tenant %v: %d, want 404", f, a.code)
				}
			}
			if a := c.form("POST /admin/groups/{id}/members/remove", g.ID, url.Values{"member": {c.other.ID}}); a.code != http.StatusNotFound {
				t.Errorf("rule_other_tenant remove: %d, want 404", a.code)
			}
			if got := c.members(t, g.ID); len(got) != 2 {
				t.Fatalf("another tenant's user changed the members: %v", got)
			}

			if a := c.form("POST /admin/groups/{id}/members/remove", g.ID, url.Values{"member": {stale.ID}}); a.code != http.StatusSeeOther {
				t.Fatalf("remove: %d\n%s", a.code, a.body)
			}
			if got := c.members(t, g.ID); len(got) != 1 || got[0] != member.ID {
				t.Fatalf("members after the removal: %v", got)
			}
			var acts []string
			for _, r := range c.activities(t) {
				if r.InitiatedBy.UserID != c.as.User.ID {
					t.Errorf("%s initiated by %+v, want the member", r.Activity, r.InitiatedBy)
				}
				acts = append(acts, r.Activity)
			}
			want := map[string]int{groups.ActivityAddGroup: 1, groups.ActivityAddMember: 2, groups.ActivityRemoveMember: 1}
			for act, n := range want {
				count := 0
				for _, a := range acts {
					if a == act {
						count++
					}
				}
				if count != n {
					t.Errorf("audit %q: %d records, want %d (all: %v)", act, count, n, acts)
				}
			}

			c.as.Roles = nil
			for _, try := range []struct {
				pattern string
				fields  url.Values
			}{
				{"POST /admin/groups", url.Values{"displayName": {"Mine"}, "mailNickname": {"mine"}}},
				{"POST /admin/groups/{id}/members", url.Values{"user": {stale.Mail}}},
				{"POST /admin/groups/{id}/members/remove", url.Values{"member": {member.ID}}},
			} {
				if a := c.form(try.pattern, g.ID, try.fields); a.code != http.StatusForbidden || !strings.Contains(a.body, forbiddenHeading) {
					t.Errorf("rule_permission %s: %d, want 403", try.pattern, a.code)
				}
			}
			if got := c.members(t, g.ID); len(got) != 1 {
				t.Fatalf("a member without the permission changed the members: %v", got)
			}
			if gs, _ := c.svc.List(ctx, c.as.Tenant.ID, "", 10); len(gs) != 1 {
				t.Fatalf("a member without the permission created a group: %v", gs)
			}
			if ro := c.page("/admin/groups/" + g.ID); ro.code != http.StatusOK || strings.Contains(ro.body, "/members/remove") {
				t.Fatalf("a member without a role reads the group without its forms: %d\n%s", ro.code, ro.body)
			}
		})
	}
}
