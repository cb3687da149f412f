package lifecycle

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
)

func ptr[T any](v T) *T { return &v }

func TestApplyPatch(t *testing.T) {
	guest := directory.User{
		ID: "u1", UserType: directory.UserTypeGuest, DisplayName: "teri", Mail: "teri@gmail.example",
		UserPrincipalName: "teri_gmail.example#EXT#@fabrikam.guestgate.local", AccountEnabled: true,
	}
	cases := []struct {
		rule    string
		patch   Patch
		want    func(u *directory.User)
		changes []audit.Change
		bad     string // the refused property
	}{
		{rule: "empty_patch_changes_nothing", patch: Patch{}},
		{rule: "display_name_trimmed", patch: Patch{DisplayName: ptr("  Teri Ng ")},
			want:    func(u *directory.User) { u.DisplayName = "Teri Ng" },
			changes: []audit.Change{{Property: "DisplayName", Old: `"teri"`, New: `"Teri Ng"`}}},
		{rule: "display_name_required", patch: Patch{DisplayName: ptr(" ")}, bad: "displayName"},
		{rule: "display_name_at_most_256", patch: Patch{DisplayName: ptr(strings.Repeat("a", 257))}, bad: "displayName"},
		{rule: "new_mail_keeps_guest_upn", patch: Patch{Mail: ptr("Teri.Ng@Outlook.Example")},
			want:    func(u *directory.User) { u.Mail = "Teri.Ng@outlook.example" },
			changes: []audit.Change{{Property: "Mail", Old: `"teri@gmail.example"`, New: `"Teri.Ng@outlook.example"`}}},
		{rule: "mail_must_be_an_address", patch: Patch{Mail: ptr("teri")}, bad: "mail"},
		{rule: "mail_local_part_rules", patch: Patch{Mail: ptr("te+ri@gmail.example")}, bad: "mail"},
		{rule: "same_value_is_no_change", patch: Patch{DisplayName: ptr("teri"), AccountEnabled: ptr(true)}},
		{rule: "disable", patch: Patch{AccountEnabled: ptr(false)},
			want:    func(u *directory.User) { u.AccountEnabled = false },
			changes: []audit.Change{{Property: "AccountEnabled", Old: "true", New: "false"}}},
		{rule: "other_mails_normalized_deduplicated", patch: Patch{OtherMails: ptr([]string{"a@X.example", "A@x.example", "b@y.example"})},
			want:    func(u *directory.User) { u.OtherMails = []string{"a@x.example", "b@y.example"} },
			changes: []audit.Change{{Property: "OtherMails", Old: `[]`, New: `["a@x.example","b@y.example"]`}}},
		{rule: "other_mails_checked", patch: Patch{OtherMails: ptr([]string{"nope"})}, bad: "otherMails"},
		{rule: "preferred_language", patch: Patch{PreferredLanguage: ptr("ja-JP")},
			want:    func(u *directory.User) { u.PreferredLanguage = "ja-JP" },
			changes: []audit.Change{{Property: "PreferredLanguage", New: `"ja-JP"`}}},
		{rule: "preferred_language_checked", patch: Patch{PreferredLanguage: ptr("Japanese!")}, bad: "preferredLanguage"},
		{rule: "names_and_job_title", patch: Patch{GivenName: ptr("Teri"), Surname: ptr("Ng"), JobTitle: ptr("Auditor")},
			want: func(u *directory.User) { u.GivenName, u.Surname, u.JobTitle = "Teri", "Ng", "Auditor" },
			changes: []audit.Change{
				{Property: "GivenName", New: `"Teri"`}, {Property: "Surname", New: `"Ng"`}, {Property: "JobTitle", New: `"Auditor"`},
			}},
		{rule: "surname_at_most_64", patch: Patch{Surname: ptr(strings.Repeat("n", 65))}, bad: "surname"},
		{rule: "job_title_at_most_128", patch: Patch{JobTitle: ptr(strings.Repeat("j", 129))}, bad: "jobTitle"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, changes, err := ApplyPatch(guest, c.patch)
			if c.bad != "" {
				var ve *ValidationError
				if !errors.As(err, &ve) || ve.Property != c.bad {
					t.Fatalf("ApplyPatch = %v, want a ValidationError on %s", err, c.bad)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := guest
			if c.want != nil {
				c.want(&want)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("user:\n got  %+v\n want %+v", got, want)
			}
			if got.UserPrincipalName != guest.UserPrincipalName {
				t.Fatalf("the userPrincipalName changed to %q", got.UserPrincipalName)
			}
			if !reflect.DeepEqual(changes, c.changes) {
				t.Fatalf("changes:\n got  %+v\n want %+v", changes, c.changes)
			}
		})
	}
}
