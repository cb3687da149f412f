package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/testenv"
)

// runInput executes the CLI in-process with input as standard input.
func runInput(t *testing.T, input string, args ...string) (string, error) {
	t.Helper()
	root := newRootCommand()
	var out bytes.Buffer
	root.SetIn(strings.NewReader(input))
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

type graphUser struct {
	ID                string
	UserPrincipalName string
	Mail              string
	DisplayName       string
	UserType          string
	AccountEnabled    bool
	CreationType      *string
}

// TestUserCreateMemberCommand: the password comes from standard input
// (never a flag), --output json prints the Graph user, a weak password or
// a domain the tenant has not verified is refused, and disable and enable
// change accountEnabled.
func TestUserCreateMemberCommand(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			db := "--database-url=" + e.DSN(t)
			var tn struct{ ID string }
			runJSON(t, &tn, "tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
			create := []string{"user", "create", db, "--tenant", "fabrikam.example", "--member", "--email", "Kim@Fabrikam.example", "--display-name", "Kim Akers", "--output", "json"}

			out, err := runInput(t, "tulip-Quarry-2026\r\nignored second line\n", create...)
			var u graphUser
			if err != nil || json.Unmarshal([]byte(out), &u) != nil {
				t.Fatalf("user create = %v\n%s", err, out)
			}
			if u.ID == "" || u.UserType != "Member" || !u.AccountEnabled || u.UserPrincipalName != "Kim@fabrikam.example" ||
				strings.Contains(u.UserPrincipalName, "#EXT#") || u.CreationType != nil || u.DisplayName != "Kim Akers" {
				t.Fatalf("member JSON = %+v\n%s", u, out)
			}
			if strings.Contains(out, "tulip-Quarry-2026") {
				t.Fatal("the password was printed")
			}

			if out, err := runInput(t, "tulip-Quarry-2026\n", create...); err == nil || !strings.Contains(err.Error(), "another user of this organization has this address") {
				t.Fatalf("duplicate = %v\n%s", err, out)
			}
			weak := []string{"user", "create", db, "--tenant", tn.ID, "--member", "--email", "lee@fabrikam.example", "--display-name", "Lee"}
			if out, err := runInput(t, "password1234\n", weak...); err == nil || !strings.Contains(err.Error(), "commonly used") {
				t.Fatalf("common password = %v\n%s", err, out)
			}
			if out, err := runInput(t, "", weak...); err == nil || !strings.Contains(err.Error(), "standard input") {
				t.Fatalf("no password = %v\n%s", err, out)
			}
			outside := []string{"user", "create", db, "--tenant", tn.ID, "--member", "--email", "lee@contoso.example", "--display-name", "Lee"}
			if out, err := runInput(t, "tulip-Quarry-2026\n", outside...); err == nil || !strings.Contains(err.Error(), "verified domain") {
				t.Fatalf("unverified domain = %v\n%s", err, out)
			}
			if out, err := runInput(t, "tulip-Quarry-2026\n", "user", "create", db, "--tenant", tn.ID, "--email", "lee@fabrikam.example", "--display-name", "Lee"); err == nil || !strings.Contains(err.Error(), "--member") {
				t.Fatalf("without --member = %v\n%s", err, out)
			}
			if out, err := runInput(t, "", "user", "create", db, "--tenant", tn.ID, "--member", "--email", "lee@fabrikam.example", "--display-name", "Lee", "--password", "tulip-Quarry-2026"); err == nil || !strings.Contains(err.Error(), "unknown flag") {
				t.Fatalf("a password flag must not exist: %v\n%s", err, out)
			}

			var d graphUser
			runJSON(t, &d, "user", "disable", db, "--tenant", tn.ID, "--user", u.ID, "--output", "json")
			if d.ID != u.ID || d.AccountEnabled {
				t.Fatalf("after disable = %+v", d)
			}
			out, err = run(t, "user", "enable", db, "--tenant", tn.ID, "--user", u.ID)
			if err != nil || !strings.Contains(out, "accountEnabled: true") {
				t.Fatalf("enable = %v\n%s", err, out)
			}
			if out, err := run(t, "user", "disable", db, "--tenant", tn.ID, "--user", "00000000-0000-0000-0000-000000000000"); err == nil {
				t.Fatalf("disable of an unknown user succeeded: %s", out)
			}

			var created graphUser
			out, err = runInput(t, "another-Quarry-2026\n", "user", "create", db, "--tenant", tn.ID, "--member", "--email", "lee@fabrikam.example", "--display-name", "Lee", "--disabled", "--output", "json")
			if err != nil || json.Unmarshal([]byte(out), &created) != nil || created.AccountEnabled {
				t.Fatalf("create --disabled = %v\n%s", err, out)
			}
		})
	}
}

// TestUserCommandsHaveHelp: the member subcommands answer --help, and
// create's help says where the password comes from.
func TestUserCommandsHaveHelp(t *testing.T) {
	for _, args := range [][]string{{"user", "create"}, {"user", "disable"}, {"user", "enable"}} {
		out, err := run(t, append(args, "--help")...)
		if err != nil || !strings.Contains(out, "Usage:") || !strings.Contains(out, "GUESTGATE_DATABASE_URL") {
			t.Errorf("%v --help = %v\n%s", args, err, out)
		}
	}
	out, _ := run(t, "user", "create", "--help")
	if !strings.Contains(out, "standard input") || !strings.Contains(out, "--member") {
		t.Fatalf("user create --help does not explain the password input:\n%s", out)
	}
}
