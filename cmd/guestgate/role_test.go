package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestRoleCommands: tenant create --admin-email creates the first member
// (password from standard input) as a Global Administrator (R10); role
// assign gives a member a role by name, refuses an unknown role and a
// second assignment of the same role; role list shows both.
func TestRoleCommands(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			out, err := runInput(t, "tulip-Quarry-2026\n", "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example",
				"--admin-email", "admin@fabrikam.example", "--output", "json")
			var tn struct{ ID, AdminID string }
			if err != nil || json.Unmarshal([]byte(out), &tn) != nil || tn.AdminID == "" {
				t.Fatalf("tenant create --admin-email = %v\n%s", err, out)
			}
			if strings.Contains(out, "tulip-Quarry-2026") {
				t.Fatal("the password was printed")
			}
			out, err = runInput(t, "lantern-Basil-2026\n", "user", "create", db, "--tenant", tn.ID, "--member", "--email", "kim@fabrikam.example", "--display-name", "Kim", "--output", "json")
			var kim struct{ ID string }
			if err != nil || json.Unmarshal([]byte(out), &kim) != nil {
				t.Fatalf("user create = %v\n%s", err, out)
			}
			assign := []string{"role", "assign", db, "--tenant", "fabrikam.example", "--user", kim.ID, "--role", "Guest Inviter", "--output", "json"}
			var a roleAssignmentJSON
			runJSON(t, &a, assign...)
			if a.RoleDefinitionID != roles.GuestInviter.TemplateID || a.PrincipalID != kim.ID || a.DirectoryScopeID != "/" || a.ID == "" {
				t.Fatalf("assignment = %+v", a)
			}
			if _, err := runInput(t, "", assign...); err == nil {
				t.Fatal("the same role was assigned twice")
			}
			if _, err := runInput(t, "", "role", "assign", db, "--tenant", tn.ID, "--user", kim.ID, "--role", "Helpdesk Administrator"); err == nil {
				t.Fatal("an unknown role was assigned")
			}
			var list []roleAssignmentJSON
			runJSON(t, &list, "role", "list", db, "--tenant", tn.ID, "--output", "json")
			if len(list) != 2 || list[0].PrincipalID != tn.AdminID || list[0].RoleDefinitionID != roles.GlobalAdministrator.TemplateID || list[0].RoleName != "Global Administrator" {
				t.Fatalf("role list = %+v", list)
			}
			// role remove: a role goes; the last Global Administrator keeps
			// the role unless --force (R14).
			runJSON(t, &struct{}{}, "role", "remove", db, "--tenant", tn.ID, "--id", a.ID, "--output", "json")
			if out, err := runInput(t, "", "role", "remove", db, "--tenant", tn.ID, "--id", list[0].ID); err == nil || !strings.Contains(err.Error()+out, "--force") {
				t.Fatalf("removing the last Global Administrator without --force = %v\n%s", err, out)
			}
			runJSON(t, &list, "role", "list", db, "--tenant", tn.ID, "--output", "json")
			if len(list) != 1 || list[0].RoleDefinitionID != roles.GlobalAdministrator.TemplateID {
				t.Fatalf("after removing Guest Inviter, role list = %+v", list)
			}
			if _, err := runInput(t, "", "role", "remove", db, "--tenant", tn.ID, "--id", list[0].ID, "--force"); err != nil {
				t.Fatalf("role remove --force of the last Global Administrator = %v", err)
			}
			runJSON(t, &list, "role", "list", db, "--tenant", tn.ID, "--output", "json")
			if len(list) != 0 {
				t.Fatalf("after --force, role list = %+v", list)
			}
		})
	}
}

// TestRecoverTenant (R14, finding 1): the operator's CLI is bound by
// neither R14 rule, so it recovers a tenant as docs/operations.md says:
// it disables and deletes the only Global Administrator (which the API and
// the console refuse), creates a new member and makes it Global
// Administrator, and restores the old one.
func TestRecoverTenant(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			out, err := runInput(t, "tulip-Quarry-2026\n", "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example",
				"--admin-email", "admin@fabrikam.example", "--output", "json")
			var tn struct{ ID, AdminID string }
			if err != nil || json.Unmarshal([]byte(out), &tn) != nil || tn.AdminID == "" {
				t.Fatalf("tenant create --admin-email = %v\n%s", err, out)
			}
			for _, step := range [][]string{
				{"user", "disable", db, "--tenant", tn.ID, "--user", tn.AdminID},
				{"user", "enable", db, "--tenant", tn.ID, "--user", tn.AdminID},
				{"user", "delete", db, "--tenant", tn.ID, "--user", tn.AdminID},
			} {
				if out, err := runInput(t, "", step...); err != nil {
					t.Fatalf("%s %s the only Global Administrator = %v\n%s", step[0], step[1], err, out)
				}
			}
			out, err = runInput(t, "lantern-Basil-2026\n", "user", "create", db, "--tenant", tn.ID, "--member",
				"--email", "recovery@fabrikam.example", "--display-name", "Recovery admin", "--output", "json")
			var rec struct{ ID string }
			if err != nil || json.Unmarshal([]byte(out), &rec) != nil {
				t.Fatalf("user create = %v\n%s", err, out)
			}
			var a roleAssignmentJSON
			runJSON(t, &a, "role", "assign", db, "--tenant", tn.ID, "--user", rec.ID, "--role", "Global Administrator", "--output", "json")
			if a.RoleDefinitionID != roles.GlobalAdministrator.TemplateID || a.PrincipalID != rec.ID {
				t.Fatalf("assignment = %+v", a)
			}
			if out, err := runInput(t, "", "user", "restore", db, "--tenant", tn.ID, "--user", tn.AdminID); err != nil {
				t.Fatalf("user restore = %v\n%s", err, out)
			}
		})
	}
}

// TestRoleAssignByUPN: role assign takes the member's userPrincipalName
// (any case) as well as its object id, as user show does; an unknown one is
// not found.
func TestRoleAssignByUPN(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			if out, err := run(t, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example"); err != nil {
				t.Fatalf("tenant create = %v\n%s", err, out)
			}
			out, err := runInput(t, "lantern-Basil-2026\n", "user", "create", db, "--tenant", "fabrikam.example", "--member", "--email", "kim@fabrikam.example", "--display-name", "Kim", "--output", "json")
			var kim struct{ ID string }
			if err != nil || json.Unmarshal([]byte(out), &kim) != nil {
				t.Fatalf("user create = %v\n%s", err, out)
			}
			var a roleAssignmentJSON
			runJSON(t, &a, "role", "assign", db, "--tenant", "fabrikam.example", "--user", "KIM@fabrikam.example", "--role", "Global Administrator", "--output", "json")
			if a.PrincipalID != kim.ID || a.RoleDefinitionID != roles.GlobalAdministrator.TemplateID {
				t.Fatalf("assignment by UPN = %+v, want principal %s", a, kim.ID)
			}
			if out, err := run(t, "role", "assign", db, "--tenant", "fabrikam.example", "--user", "nobody@fabrikam.example", "--role", "Guest Inviter"); err == nil || !strings.Contains(err.Error(), "not found") {
				t.Fatalf("unknown UPN = %v\n%s", err, out)
			}
		})
	}
}
