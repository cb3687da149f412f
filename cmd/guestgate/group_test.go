package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/testenv"
)

// TestGroupCommands (issue 23, groups): group create makes a security
// group, add-member puts an invited guest (by userPrincipalName) and a
// nested group (by mailNickname) in it, a second add or a group inside
// itself fails, members lists both, remove-member takes the guest out,
// and list shows the groups as Graph answers them.
func TestGroupCommands(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			var tn struct{ ID string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
			var inv struct {
				InvitedUser struct{ ID string } `json:"invitedUser"`
			}
			runJSON(t, &inv, "invite", db, "--public-url", "https://login.fabrikam.example", "--tenant", tn.ID, "--email", "ana@partner.example", "--redirect-url", "https://app.example/", "--output", "json")
			var g struct {
				ID              string `json:"id"`
				DisplayName     string `json:"displayName"`
				SecurityEnabled bool   `json:"securityEnabled"`
				MailEnabled     bool   `json:"mailEnabled"`
			}
			runJSON(t, &g, "group", "create", db, "--tenant", "fabrikam.example", "--name", "Partners", "--mail-nickname", "partners", "--output", "json")
			if g.ID == "" || g.DisplayName != "Partners" || !g.SecurityEnabled || g.MailEnabled {
				t.Fatalf("group create = %+v", g)
			}
			runJSON(t, &struct{}{}, "group", "create", db, "--tenant", tn.ID, "--name", "All partners", "--mail-nickname", "all-partners", "--output", "json")
			if out, err := run(t, "group", "create", db, "--tenant", tn.ID, "--name", "Bad", "--mail-nickname", "has space"); err == nil {
				t.Fatalf("a nickname with a space was accepted\n%s", out)
			}
			var added struct{ GroupID, MemberID string }
			runJSON(t, &added, "group", "add-member", db, "--tenant", tn.ID, "--group", "partners", "--member", inv.InvitedUser.ID, "--output", "json")
			if added.GroupID != g.ID || added.MemberID != inv.InvitedUser.ID {
				t.Fatalf("add-member = %+v", added)
			}
			if out, err := run(t, "group", "add-member", db, "--tenant", tn.ID, "--group", "partners", "--member", inv.InvitedUser.ID); err == nil {
				t.Fatalf("the guest was added twice\n%s", out)
			}
			runJSON(t, &added, "group", "add-member", db, "--tenant", tn.ID, "--group", "all-partners", "--member", "partners", "--output", "json")
			if out, err := run(t, "group", "add-member", db, "--tenant", tn.ID, "--group", "partners", "--member", "all-partners"); err == nil {
				t.Fatalf("a group was put inside its own member\n%s", out)
			}
			var ms []groupMemberJSON
			runJSON(t, &ms, "group", "members", db, "--tenant", tn.ID, "--group", g.ID, "--output", "json")
			if len(ms) != 1 || ms[0].ID != inv.InvitedUser.ID || ms[0].Type != "user" {
				t.Fatalf("members = %+v", ms)
			}
			runJSON(t, &ms, "group", "members", db, "--tenant", tn.ID, "--group", "all-partners", "--output", "json")
			if len(ms) != 1 || ms[0].ID != g.ID || ms[0].Type != "group" {
				t.Fatalf("members of all-partners = %+v", ms)
			}
			runJSON(t, &struct{}{}, "group", "remove-member", db, "--tenant", tn.ID, "--group", "partners", "--member", inv.InvitedUser.ID, "--output", "json")
			runJSON(t, &ms, "group", "members", db, "--tenant", tn.ID, "--group", "partners", "--output", "json")
			if len(ms) != 0 {
				t.Fatalf("members after remove-member = %+v", ms)
			}
			var list struct {
				Value []json.RawMessage `json:"value"`
			}
			runJSON(t, &list, "group", "list", db, "--tenant", tn.ID, "--output", "json")
			if len(list.Value) != 2 {
				t.Fatalf("group list = %d groups", len(list.Value))
			}
			if out, err := run(t, "group", "list", db, "--tenant", tn.ID); err != nil || !strings.Contains(out, "all-partners") {
				t.Fatalf("group list (text) = %v\n%s", err, out)
			}
		})
	}
}
