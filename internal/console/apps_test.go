package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/testenv"
)

// appsConsole is the groups' console with the assignment service, an app
// of the tenant and one of the other tenant.
type appsConsole struct {
	groupsConsole
	svc          *assignment.Service
	app, foreign string
}

func newAppsConsole(t *testing.T, dsn string) appsConsole {
	t.Helper()
	c := newGroupsConsole(t, dsn)
	svc := assignment.NewService(assignment.Deps{Store: c.db, Directory: c.db, Groups: c.db, Tx: c.db, Audit: c.db, Clock: c.h.d.Clock})
	c.h.d.Assignments = svc
	app, foreign := uuid.NewString(), uuid.NewString()
	for id, tenant := range map[string]string{app: c.as.Tenant.ID, foreign: c.other.TenantID} {
		if err := c.db.CreateApp(context.Background(), oidc.App{TenantID: tenant, AppID: id, DisplayName: "Wiki of " + tenant[:8], CreatedAt: c.h.d.Clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	c.as.Roles = []string{roles.CloudApplicationAdministrator.TemplateID}
	return appsConsole{groupsConsole: c, svc: svc, app: app, foreign: foreign}
}

func (c appsConsole) assigned(t *testing.T) []assignment.Assignment {
	t.Helper()
	as, err := c.svc.ListForApp(context.Background(), c.as.Tenant.ID, c.app, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func (c appsConsole) group(t *testing.T, tenantID, name string, members ...string) groups.Group {
	t.Helper()
	ctx := context.Background()
	g, err := c.groupsConsole.svc.Create(ctx, tenantID, groups.Input{DisplayName: name, MailNickname: strings.ReplaceAll(strings.ToLower(name), " ", "-")}, audit.CLI)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if err := c.groupsConsole.svc.AddMember(ctx, tenantID, g.ID, m, audit.CLI); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

// TestAppsConsole (R16): a Cloud Application Administrator sees the
// tenant's apps (never another tenant's), turns assignment required and
// the groups claim on, assigns a group by name with Default Access and,
// once the app has a role, a guest by mail with it (a second time, an
// unknown role and unknown values are refused); the service then admits
// the guest and the group's member with the role's value and refuses the
// others; the app's page and the guest's page list the assignments;
// Remove takes one away. Another tenant's app, user, group and
// assignment are 404 and untouched; each change is an audit record by the
// member; a member without the permission is refused every change and
// reads the page without its forms. Both engines.
func TestAppsConsole(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			c := newAppsConsole(t, e.DSN(t))
			ctx := context.Background()
			tid := c.as.Tenant.ID
			list := c.page("/admin/apps")
			if list.code != http.StatusOK || !strings.Contains(list.body, "/apps/"+c.app) || strings.Contains(list.body, c.foreign) {
				t.Fatalf("apps list: %d\n%s", list.code, list.body)
			}
			if a := c.page("/admin/apps/" + c.foreign); a.code != http.StatusNotFound {
				t.Fatalf("another tenant's app: %d, want 404", a.code)
			}

			for _, try := range []struct {
				pattern string
				fields  url.Values
			}{
				{"POST /admin/apps/{id}/assignment-required", url.Values{"required": {"maybe"}}},
				{"POST /admin/apps/{id}/groups-claim", url.Values{"groupsClaim": {"All"}}},
				{"POST /admin/apps/{id}/assignments", url.Values{"kind": {"robot"}, "principal": {"x"}}},
			} {
				if a := c.form(try.pattern, c.app, try.fields); a.code != http.StatusBadRequest {
					t.Errorf("%s %v: %d, want 400", try.pattern, try.fields, a.code)
				}
			}
			if a := c.form("POST /admin/apps/{id}/assignment-required", c.app, url.Values{"required": {"true"}}); a.code != http.StatusSeeOther {
				t.Fatalf("assignment required: %d\n%s", a.code, a.body)
			}
			if a := c.form("POST /admin/apps/{id}/groups-claim", c.app, url.Values{"groupsClaim": {"SecurityGroup"}}); a.code != http.StatusSeeOther {
				t.Fatalf("groups claim: %d\n%s", a.code, a.body)
			}
			if app, err := c.svc.Get(ctx, tid, c.app); err != nil || !app.AssignmentRequired || !app.GroupsClaim() {
				t.Fatalf("after the switches: %+v %v", app, err)
			}
			if list := c.page("/admin/apps"); !strings.Contains(list.body, "<td>Yes</td>") {
				t.Fatalf("the list does not say assignment is required:\n%s", list.body)
			}
			if a := c.form("POST /admin/apps/{id}/assignment-required", c.foreign, url.Values{"required": {"true"}}); a.code != http.StatusNotFound {
				t.Fatalf("another tenant's app switched: %d, want 404", a.code)
			}
			if app, _ := c.svc.Get(ctx, c.other.TenantID, c.foreign); app.AssignmentRequired {
				t.Fatal("another tenant's app requires assignment now")
			}

			g := c.group(t, tid, "Contoso partners", c.ids["recent"])
			if a := c.form("POST /admin/apps/{id}/assignments", c.app, url.Values{"kind": {"group"}, "principal": {"Contoso partners"}}); a.code != http.StatusSeeOther {
				t.Fatalf("assign the group: %d\n%s", a.code, a.body)
			}
			role := assignment.AppRole{ID: uuid.NewString(), Value: "Wiki.Editor", DisplayName: "Wiki editor", AllowedMemberTypes: []string{assignment.MemberTypeUser}, IsEnabled: true}
			if _, err := c.svc.SetAppRoles(ctx, tid, c.app, []assignment.AppRole{role}, c.as.actor()); err != nil {
				t.Fatal(err)
			}
			stale, err := c.db.GetUser(ctx, tid, c.ids["stale"])
			if err != nil {
				t.Fatal(err)
			}
			add := url.Values{"kind": {"user"}, "principal": {stale.Mail}, "role": {role.ID}}
			if a := c.form("POST /admin/apps/{id}/assignments", c.app, add); a.code != http.StatusSeeOther {
				t.Fatalf("assign the guest: %d\n%s", a.code, a.body)
			}
			if a := c.form("POST /admin/apps/{id}/assignments", c.app, add); a.code != http.StatusBadRequest || !strings.Contains(a.body, "already has this role") {
				t.Fatalf("rule_already_assigned: %d\n%s", a.code, a.body)
			}
			if a := c.form("POST /admin/apps/{id}/assignments", c.app, url.Values{"kind": {"user"}, "principal": {c.ids["member"]}, "role": {uuid.NewString()}}); a.code != http.StatusBadRequest {
				t.Fatalf("rule_unknown_role: %d\n%s", a.code, a.body)
			}
			foreignGroup := c.group(t, c.other.TenantID, "Outsiders")
			for _, f := range []url.Values{
				{"kind": {"user"}, "principal": {c.other.Mail}}, {"kind": {"user"}, "principal": {c.other.UserPrincipalName}},
				{"kind": {"user"}, "principal": {c.other.ID}}, {"kind": {"group"}, "principal": {foreignGroup.ID}},
				{"kind": {"group"}, "principal": {"Outsiders"}}, {"kind": {"user"}, "principal": {""}},
				{"kind": {"user"}, "principal": {"No such person"}}, {"kind": {"group"}, "principal": {"No such group"}},
			} {
				f.Set("role", role.ID)
				if a := c.form("POST /admin/apps/{id}/assignments", c.app, f); a.code != http.StatusNotFound {
					t.Errorf("rule_other_tenant (or nobody) %v: %d, want 404", f, a.code)
				}
			}
			var twin groups.Group
			for _, nick := range []string{"twins-1", "twins-2"} {
				if twin, err = c.groupsConsole.svc.Create(ctx, tid, groups.Input{DisplayName: "Twins", MailNickname: nick}, audit.CLI); err != nil {
					t.Fatal(err)
				}
			}
			if a := c.form("POST /admin/apps/{id}/assignments", c.app, url.Values{"kind": {"group"}, "principal": {"Twins"}, "role": {role.ID}}); a.code != http.StatusBadRequest || !strings.Contains(a.body, "Several groups have that name") {
				t.Errorf("rule_ambiguous_name: %d\n%s", a.code, a.body)
			}
			if a := c.form("POST /admin/apps/{id}/assignments", c.foreign, add); a.code != http.StatusNotFound {
				t.Errorf("assign to another tenant's app: %d, want 404", a.code)
			}
			as := c.assigned(t)
			if len(as) != 2 || as[0].PrincipalID == twin.ID || as[1].PrincipalID == twin.ID {
				t.Fatalf("assignments: %+v", as)
			}

			for name, want := range map[string]bool{"stale": true, "recent": true, "member": false} {
				acc, err := c.svc.Access(ctx, tid, c.app, c.ids[name])
				if err != nil || acc.Allowed() != want {
					t.Errorf("access of %s: %+v %v, want allowed %v", name, acc, err, want)
				}
				if name == "stale" && (len(acc.Roles) != 1 || acc.Roles[0] != "Wiki.Editor") {
					t.Errorf("roles of the guest: %v", acc.Roles)
				}
			}
			page := c.page("/admin/apps/" + c.app)
			if page.code != http.StatusOK || !strings.Contains(page.body, "/groups/"+g.ID) || !strings.Contains(page.body, "/users/"+stale.ID) ||
				!strings.Contains(page.body, "Wiki editor") || !strings.Contains(page.body, "Default Access") {
				t.Fatalf("app page: %d\n%s", page.code, page.body)
			}
			if up := c.page("/admin/users/" + stale.ID); !strings.Contains(up.body, `href="/`+tid+`/admin/apps/`+c.app+`"`) || !strings.Contains(up.body, "Wiki editor") {
				t.Fatalf("the guest's page does not list the app:\n%s", up.body)
			}
			if up := c.page("/admin/users/" + c.ids["recent"]); !strings.Contains(up.body, `href="/`+tid+`/admin/apps/`+c.app+`"`) || !strings.Contains(up.body, `href="/`+tid+`/admin/groups/`+g.ID+`"`) {
				t.Fatalf("the group member's page does not list the app through the group:\n%s", up.body)
			}
			if up := c.page("/admin/users/" + c.ids["member"]); !strings.Contains(up.body, `id="no-apps"`) {
				t.Fatalf("an unassigned member's page lists apps:\n%s", up.body)
			}

			other, err := c.svc.Assign(ctx, c.other.TenantID, c.foreign, c.other.ID, assignment.DefaultAccessRoleID, audit.CLI)
			if err != nil {
				t.Fatal(err)
			}
			if a := c.form("POST /admin/apps/{id}/assignments/remove", c.app, url.Values{"assignment": {other.ID}}); a.code != http.StatusNotFound {
				t.Fatalf("remove another tenant's assignment: %d, want 404", a.code)
			}
			if _, err := c.svc.GetAssignment(ctx, c.other.TenantID, other.ID); err != nil {
				t.Fatalf("another tenant's assignment is gone: %v", err)
			}
			var staleAssignment string
			for _, x := range as {
				if x.PrincipalID == stale.ID {
					staleAssignment = x.ID
				}
			}
			if a := c.form("POST /admin/apps/{id}/assignments/remove", c.app, url.Values{"assignment": {staleAssignment}}); a.code != http.StatusSeeOther {
				t.Fatalf("remove: %d\n%s", a.code, a.body)
			}
			if as := c.assigned(t); len(as) != 1 || as[0].PrincipalID != g.ID {
				t.Fatalf("assignments after the removal: %+v", as)
			}

			count := map[string]int{}
			for _, r := range c.activities(t) {
				if r.Category == audit.CategoryApplicationManagement || strings.Contains(r.Activity, "app role assignment") {
					if r.InitiatedBy.UserID != c.as.User.ID {
						t.Errorf("%s initiated by %+v, want the member", r.Activity, r.InitiatedBy)
					}
					count[r.Activity]++
				}
			}
			for act, n := range map[string]int{assignment.ActivityUpdateServicePrincipal: 1, assignment.ActivityUpdateApplication: 2,
				assignment.ActivityAssignGroup: 1, assignment.ActivityAssignUser: 1, assignment.ActivityUnassignUser: 1} {
				if count[act] != n {
					t.Errorf("audit %q: %d records, want %d (all: %v)", act, count[act], n, count)
				}
			}

			c.as.Roles = []string{roles.GroupsAdministrator.TemplateID}
			for _, try := range []struct {
				pattern string
				fields  url.Values
			}{
				{"POST /admin/apps/{id}/assignment-required", url.Values{"required": {"false"}}},
				{"POST /admin/apps/{id}/groups-claim", url.Values{"groupsClaim": {"None"}}},
				{"POST /admin/apps/{id}/assignments", add},
				{"POST /admin/apps/{id}/assignments/remove", url.Values{"assignment": {as[0].ID}}},
			} {
				if a := c.form(try.pattern, c.app, try.fields); a.code != http.StatusForbidden || !strings.Contains(a.body, forbiddenHeading) {
					t.Errorf("rule_permission %s: %d, want 403", try.pattern, a.code)
				}
			}
			if as := c.assigned(t); len(as) != 1 {
				t.Fatalf("a member without the permission changed the assignments: %+v", as)
			}
			if app, _ := c.svc.Get(ctx, tid, c.app); !app.AssignmentRequired || !app.GroupsClaim() {
				t.Fatalf("a member without the permission changed the app: %+v", app)
			}
			if ro := c.page("/admin/apps/" + c.app); ro.code != http.StatusOK || strings.Contains(ro.body, "/assignments") || strings.Contains(ro.body, "/assignment-required") {
				t.Fatalf("a member without the permission reads the app without its forms: %d\n%s", ro.code, ro.body)
			}
		})
	}
}
