package console

import (
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/i18n"
)

// TestBulkFailureText: the console words a bulk row's failure in the
// reader's language, as a single invitation's for the same reason; a
// validation message and words recorded by an earlier version show as
// they are.
func TestBulkFailureText(t *testing.T) {
	for _, c := range []struct {
		name string
		f    bulkinvite.Failure
		want func(l string) string
	}{
		{"blocked_domain", bulkinvite.Failure{Reason: bulkinvite.ReasonDeniedDomain, Detail: "contoso.example"},
			func(l string) string { return i18n.T(l, "console.invite.denied_domain", "contoso.example") }},
		{"own_domain", bulkinvite.Failure{Reason: bulkinvite.ReasonOwnDomain}, func(l string) string { return i18n.T(l, "console.invite.own_domain") }},
		{"member_exists", bulkinvite.Failure{Reason: bulkinvite.ReasonMemberExists}, func(l string) string { return i18n.T(l, "console.invite.member_exists") }},
		{"R10_inviter_refused", bulkinvite.Failure{Reason: bulkinvite.ReasonInviterRefused}, func(l string) string { return i18n.T(l, "console.bulk.inviter_refused") }},
		{"internal_error", bulkinvite.Failure{Reason: bulkinvite.ReasonInternal}, func(l string) string { return i18n.T(l, "console.bulk.internal_error") }},
		{"invalid_row", bulkinvite.Failure{Reason: bulkinvite.ReasonInvalid, Detail: "invitedUserEmailAddress: bad"}, func(string) string { return "invitedUserEmailAddress: bad" }},
		{"earlier_version_words", bulkinvite.Failure{Detail: "internal error"}, func(string) string { return "internal error" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, l := range []string{"en", "ja"} {
				got := bulkFailureText(l, c.f)
				if got != c.want(l) || got == "" || strings.HasPrefix(got, "console.") {
					t.Fatalf("%s: %q, want %q", l, got, c.want(l))
				}
			}
			if c.f.Reason != "" && c.f.Reason != bulkinvite.ReasonInvalid && bulkFailureText("en", c.f) == bulkFailureText("ja", c.f) {
				t.Fatalf("the same words in English and Japanese: %q", bulkFailureText("en", c.f))
			}
		})
	}
}
