package main

import (
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/testenv"
)

// assignmentJSON is what the assignment commands print with --output
// json: Graph's appRoleAssignment.
type assignmentJSON struct {
	ID, PrincipalType, PrincipalID, PrincipalDisplayName, AppRoleID, ResourceID string
}

// TestAppAssignmentCommands (R16): app update turns assignment required
// and the groups claim on (an unknown claim value is refused), app role
// add defines a role, app assign gives it to a group named by its display
// name and to a guest named by mail (a missing --role on an app with
// roles, an unknown role, a second assignment, both or neither of --user
// and --group, and another tenant's app fail), app assignments lists both
// with their roles, app role disable keeps the role but disables it, and
// app unassign takes the guest's assignment away.
func TestAppAssignmentCommands(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			var tn, other struct{ ID string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
			runJSON(t, &other, "tenant", "create", db, "--name", "Contoso", "--domain", "contoso.example", "--output", "json")
			var inv struct {
				InvitedUser struct{ ID string } `json:"invitedUser"`
			}
			runJSON(t, &inv, "invite", db, "--public-url", "https://login.fabrikam.example", "--tenant", tn.ID, "--email", "ana@partner.example", "--redirect-url", "https://app.example/", "--output", "json")
			var g struct{ ID string }
			runJSON(t, &g, "group", "create", db, "--tenant", tn.ID, "--name", "Contoso partners", "--mail-nickname", "contoso-partners", "--output", "json")
			var wiki, foreign struct{ AppID string }
			runJSON(t, &wiki, "app", "create", db, "--tenant", tn.ID, "--name", "Wiki", "--redirect-uri", "https://wiki.fabrikam.example/cb", "--output", "json")
			runJSON(t, &foreign, "app", "create", db, "--tenant", other.ID, "--name", "Wiki", "--redirect-uri", "https://wiki.contoso.example/cb", "--output", "json")

			var upd struct {
				AppID                     string `json:"appId"`
				AppRoleAssignmentRequired bool   `json:"appRoleAssignmentRequired"`
				GroupMembershipClaims     string `json:"groupMembershipClaims"`
			}
			runJSON(t, &upd, "app", "update", db, "--tenant", tn.ID, "--app", "wiki", "--assignment-required", "--groups-claim", "SecurityGroup", "--output", "json")
			if upd.AppID != wiki.AppID || !upd.AppRoleAssignmentRequired || upd.GroupMembershipClaims != "SecurityGroup" {
				t.Fatalf("app update = %+v", upd)
			}
			for _, args := range [][]string{
				{"--app", wiki.AppID, "--groups-claim", "Everything"},
				{"--app", foreign.AppID, "--assignment-required"},
				{"--app", wiki.AppID},
			} {
				if out, err := run(t, append([]string{"app", "update", db, "--tenant", tn.ID}, args...)...); err == nil {
					t.Fatalf("app update %v succeeded\n%s", args, out)
				}
			}

			var role struct{ ID, Value string }
			runJSON(t, &role, "app", "role", "add", db, "--tenant", tn.ID, "--app", "Wiki", "--value", "Wiki.Editor", "--name", "Wiki editor", "--output", "json")
			if role.ID == "" || role.Value != "Wiki.Editor" {
				t.Fatalf("app role add = %+v", role)
			}
			if out, err := run(t, "app", "role", "add", db, "--tenant", tn.ID, "--app", "Wiki", "--value", "has space", "--name", "Bad"); err == nil {
				t.Fatalf("a role value with a space was accepted\n%s", out)
			}

			for _, nick := range []string{"twins-1", "twins-2"} {
				runJSON(t, &struct{}{}, "group", "create", db, "--tenant", tn.ID, "--name", "Twins", "--mail-nickname", nick, "--output", "json")
			}
			assign := func(args ...string) (string, error) {
				return run(t, append([]string{"app", "assign", db, "--tenant", tn.ID, "--app", wiki.AppID}, args...)...)
			}
			for _, bad := range [][]string{
				{"--group", "Contoso partners"},
				{"--group", "Contoso partners", "--role", "Wiki.Owner"},
				{"--user", "ana@partner.example", "--group", "contoso-partners", "--role", "Wiki.Editor"},
				{"--role", "Wiki.Editor"},
				{"--user", "nobody@partner.example", "--role", "Wiki.Editor"},
				{"--group", "Twins", "--role", "Wiki.Editor"},
			} {
				if out, err := assign(bad...); err == nil {
					t.Fatalf("app assign %v succeeded\n%s", bad, out)
				}
			}
			var got assignmentJSON
			runJSON(t, &got, "app", "assign", db, "--tenant", tn.ID, "--app", "Wiki", "--group", "Contoso partners", "--role", "Wiki.Editor", "--output", "json")
			if got.PrincipalType != "Group" || got.PrincipalID != g.ID || got.AppRoleID != role.ID || got.ResourceID == "" {
				t.Fatalf("app assign --group = %+v", got)
			}
			if out, err := assign("--user", "ana@partner.example", "--role", "Wiki.Editor"); err != nil || !strings.Contains(out, "assigned User") {
				t.Fatalf("app assign --user: %v\n%s", err, out)
			}
			if out, err := assign("--user", inv.InvitedUser.ID, "--role", "Wiki.Editor"); err == nil {
				t.Fatalf("the guest was assigned the role twice\n%s", out)
			}
			if out, err := run(t, "app", "assign", db, "--tenant", other.ID, "--app", foreign.AppID, "--user", inv.InvitedUser.ID); err == nil {
				t.Fatalf("another tenant's guest was assigned\n%s", out)
			}

			var list struct{ Value []assignmentJSON }
			runJSON(t, &list, "app", "assignments", db, "--tenant", tn.ID, "--app", wiki.AppID, "--output", "json")
			types := map[string]string{}
			for _, a := range list.Value {
				types[a.PrincipalType] = a.PrincipalID + " " + a.AppRoleID
			}
			if len(list.Value) != 2 || types["Group"] != g.ID+" "+role.ID || types["User"] != inv.InvitedUser.ID+" "+role.ID {
				t.Fatalf("app assignments = %+v", list.Value)
			}
			out, err := run(t, "app", "assignments", db, "--tenant", tn.ID, "--app", "Wiki")
			if err != nil || !strings.Contains(out, "assignment required: yes") || !strings.Contains(out, "TYPE") || !strings.Contains(out, "Wiki.Editor") ||
				!strings.Contains(out, "Contoso partners") || !strings.Contains(out, inv.InvitedUser.ID) {
				t.Fatalf("app assignments (text): %v\n%s", err, out)
			}

			runJSON(t, &struct{}{}, "app", "role", "disable", db, "--tenant", tn.ID, "--app", "Wiki", "--value", "Wiki.Editor", "--output", "json")
			var roles struct {
				Value []struct {
					Value     string
					IsEnabled bool
				}
			}
			runJSON(t, &roles, "app", "role", "list", db, "--tenant", tn.ID, "--app", "Wiki", "--output", "json")
			if len(roles.Value) != 1 || roles.Value[0].Value != "Wiki.Editor" || roles.Value[0].IsEnabled {
				t.Fatalf("app role list after disable = %+v", roles.Value)
			}

			runJSON(t, &got, "app", "unassign", db, "--tenant", tn.ID, "--app", "Wiki", "--user", "ana@partner.example", "--output", "json")
			if got.PrincipalID != inv.InvitedUser.ID {
				t.Fatalf("app unassign = %+v", got)
			}
			if out, err := run(t, "app", "unassign", db, "--tenant", tn.ID, "--app", "Wiki", "--user", "ana@partner.example"); err == nil {
				t.Fatalf("a second unassign succeeded\n%s", out)
			}
			runJSON(t, &list, "app", "assignments", db, "--tenant", tn.ID, "--app", "Wiki", "--output", "json")
			if len(list.Value) != 1 || list.Value[0].PrincipalType != "Group" {
				t.Fatalf("app assignments after unassign = %+v", list.Value)
			}
		})
	}
}

// TestAppAssignmentHelp: each app assignment command answers --help with
// its flags and an example.
func TestAppAssignmentHelp(t *testing.T) {
	for _, c := range []struct {
		args  []string
		flags []string
	}{
		{[]string{"app", "update"}, []string{"--assignment-required", "--groups-claim", "--sign-up"}},
		{[]string{"app", "role", "add"}, []string{"--value", "--name"}},
		{[]string{"app", "role", "list"}, []string{"--app"}},
		{[]string{"app", "role", "disable"}, []string{"--value"}},
		{[]string{"app", "assign"}, []string{"--user", "--group", "--role"}},
		{[]string{"app", "unassign"}, []string{"--user", "--group", "--role"}},
		{[]string{"app", "assignments"}, []string{"--app"}},
	} {
		out, err := run(t, append(c.args, "--help")...)
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "Examples:") {
			t.Errorf("%v --help = %v\n%s", c.args, err, out)
		}
		for _, f := range c.flags {
			if !strings.Contains(out, f+" ") {
				t.Errorf("%v --help lacks %s\n%s", c.args, f, out)
			}
		}
	}
}
