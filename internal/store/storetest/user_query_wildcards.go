package storetest

import (
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
)

// testUserQueryWildcards (security round 2, tests a mutation showed
// missing): endsWith matches its value literally. Each pair of guests
// here differs only where an unescaped LIKE wildcard would match ("_"
// any one character, "%" any run, "\" the escape character), so a query
// that stopped escaping one of them returns the other guest as well.
func testUserQueryWildcards(t *testing.T, open Open) {
	s := open(t)
	tn := seedTenant(t, s, "contoso")
	users := map[string]directory.User{}
	for key, mail := range map[string]string{
		"underscore": "a_b@wild.example", "any_one": "axb@wild.example",
		"percent": "a%b@wild.example", "any_run": "aqqqb@wild.example",
		"backslash": `a\b@wild.example`, "plain_b": "ab@wild.example",
	} {
		u := sampleGuest(tn, mail)
		must(t, "create user "+key, s.CreateUser(t.Context(), u))
		users[key] = u
	}
	for _, c := range []struct {
		name, suffix string
		want         []string
	}{
		{"underscore_is_literal", "_b@wild.example", []string{"underscore"}},
		{"percent_is_literal", "%b@wild.example", []string{"percent"}},
		{"backslash_is_literal", `\b@wild.example`, []string{"backslash"}},
		{"underscore_any_case", "_B@WILD.example", []string{"underscore"}},
		{"control_every_b", "b@wild.example", []string{"any_one", "any_run", "backslash", "percent", "plain_b", "underscore"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := directory.Match{Field: directory.FieldMail, Op: directory.MatchEndsWith, Value: c.suffix}
			page, err := s.QueryUsers(t.Context(), tn.ID, directory.UserQuery{Filter: f})
			must(t, "query", err)
			wantEqual(t, "endsWith(mail,'"+c.suffix+"')", userKeysOf(users, page.Users), sortedOrNil(c.want))
			n, err := s.CountUsers(t.Context(), tn.ID, f)
			must(t, "count", err)
			wantEqual(t, "count", n, len(c.want))
		})
	}
}
