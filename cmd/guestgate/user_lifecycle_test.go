package main

import (
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/testenv"
)

type userJSON struct {
	ID                string
	Mail              string
	UserPrincipalName string
	AccountEnabled    bool
	ExternalUserState string
	DeletedDateTime   string
	ODataType         string `json:"@odata.type"`
}

type userPageJSON struct {
	ODataContext string `json:"@odata.context"`
	Value        []userJSON
}

// TestUserLifecycleCommands: list, show (by id or userPrincipalName),
// update (mail changes, userPrincipalName never), delete into the deleted
// users and restore with the same id.
func TestUserLifecycleCommands(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			var tn struct{ ID string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
			if out, err := run(t, "migrate", db, "--public-url", "https://login.fabrikam.example"); err != nil {
				t.Fatalf("migrate --public-url: %v\n%s", err, out)
			}
			var inv struct{ InvitedUser struct{ ID string } }
			runJSON(t, &inv, "invite", db, "--tenant", tn.ID, "--email", "teri@gmail.example", "--redirect-url", "https://apps.fabrikam.example", "--output", "json")
			id := inv.InvitedUser.ID
			upn := "teri_gmail.example#EXT#@fabrikam.guestgate.local"

			var page userPageJSON
			runJSON(t, &page, "user", "list", db, "--tenant", tn.ID, "--output", "json")
			if page.ODataContext != "https://graph.microsoft.com/v1.0/$metadata#users" || len(page.Value) != 1 || page.Value[0].ID != id ||
				page.Value[0].UserPrincipalName != upn || page.Value[0].ExternalUserState != "PendingAcceptance" {
				t.Fatalf("user list: %+v", page)
			}
			var u userJSON
			runJSON(t, &u, "user", "show", db, "--tenant", "fabrikam.example", "--user", strings.ToUpper(upn), "--output", "json")
			if u.ID != id {
				t.Fatalf("show by userPrincipalName: %+v", u)
			}
			runJSON(t, &u, "user", "update", db, "--tenant", tn.ID, "--user", id, "--mail", "teri@outlook.example", "--account-enabled=false", "--output", "json")
			if u.Mail != "teri@outlook.example" || u.UserPrincipalName != upn || u.AccountEnabled {
				t.Fatalf("update: mail changes, userPrincipalName never, account disabled: %+v", u)
			}
			if out, err := run(t, "user", "update", db, "--tenant", tn.ID, "--user", id); err == nil || !strings.Contains(err.Error(), "nothing to change") {
				t.Fatalf("update without a change: %v\n%s", err, out)
			}
			if out, err := run(t, "user", "update", db, "--tenant", tn.ID, "--user", id, "--mail", "not-an-address"); err == nil {
				t.Fatalf("update to a bad address succeeded: %s", out)
			}

			out, err := run(t, "user", "delete", db, "--tenant", tn.ID, "--user", upn)
			if err != nil || !strings.Contains(out, "deleted "+upn) || !strings.Contains(out, "restorable until") {
				t.Fatalf("delete: %v\n%s", err, out)
			}
			runJSON(t, &page, "user", "list", db, "--tenant", tn.ID, "--output", "json")
			if len(page.Value) != 0 {
				t.Fatalf("user list after delete: %+v", page)
			}
			runJSON(t, &page, "user", "list", db, "--tenant", tn.ID, "--deleted", "--output", "json")
			if len(page.Value) != 1 || page.Value[0].ID != id || page.Value[0].DeletedDateTime == "" || page.Value[0].ODataType != "#microsoft.graph.user" {
				t.Fatalf("deleted users: %+v", page)
			}
			if out, err := run(t, "user", "show", db, "--tenant", tn.ID, "--user", id); err == nil {
				t.Fatalf("show a deleted user succeeded: %s", out)
			}
			runJSON(t, &u, "user", "restore", db, "--tenant", tn.ID, "--user", id, "--output", "json")
			if u.ID != id || u.Mail != "teri@outlook.example" || u.UserPrincipalName != upn {
				t.Fatalf("restore: %+v", u)
			}
			runJSON(t, &page, "user", "list", db, "--tenant", tn.ID, "--deleted", "--output", "json")
			if len(page.Value) != 0 {
				t.Fatalf("deleted users after restore: %+v", page)
			}
			if out, err := run(t, "user", "restore", db, "--tenant", tn.ID, "--user", id); err == nil {
				t.Fatalf("restore of a live user succeeded: %s", out)
			}
		})
	}
}

// TestUserLifecycleCommandsHaveHelp: the new subcommands answer --help.
func TestUserLifecycleCommandsHaveHelp(t *testing.T) {
	for _, args := range [][]string{{"user", "list"}, {"user", "show"}, {"user", "update"}, {"user", "delete"}, {"user", "restore"}} {
		out, err := run(t, append(args, "--help")...)
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "GUESTGATE_DATABASE_URL") {
			t.Errorf("%v --help = %v\n%s", args, err, out)
		}
	}
}
