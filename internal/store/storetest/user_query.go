package storetest

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// queryFixture seeds a tenant with four guests and a member, and another
// tenant with a guest sharing an address, for the user query tests.
func queryFixture(t *testing.T, s Store) (directory.Tenant, map[string]directory.User) {
	t.Helper()
	tn, other := seedTenant(t, s, "contoso"), seedTenant(t, s, "fabrikam")
	users := map[string]directory.User{}
	add := func(key string, u directory.User) {
		must(t, "create user "+key, s.CreateUser(t.Context(), u))
		users[key] = u
	}
	alice := sampleGuest(tn, "Alice@Example.com")
	alice.DisplayName = "Alice Smith"
	add("alice", alice)
	bob := sampleGuest(tn, "bob@partner.example")
	bob.DisplayName, bob.ExternalUserState = "bob jones", directory.StateAccepted
	bob.IdP, bob.IdPIssuer = directory.IdPFederation, "https://idp.partner.example"
	add("bob", bob)
	teri := sampleGuest(tn, "teri_o@gmail.example")
	teri.DisplayName = "Teri O'Neil"
	teri.OtherMails = []string{"Teri.Alt@Other.example"}
	add("teri", teri)
	ter := sampleGuest(tn, "ter%x@gmail.example")
	ter.DisplayName = "Terrence"
	add("ter", ter)
	carol := sampleGuest(tn, "carol@contoso.example")
	carol.UserType, carol.DisplayName, carol.UserPrincipalName = directory.UserTypeMember, "Carol White", "Carol@contoso.example"
	carol.CreationType, carol.ExternalUserState, carol.AccountEnabled = "", "", false
	add("carol", carol)
	seedGuest(t, s, other, "alice@example.com")
	return tn, users
}

func testUserQuery(t *testing.T, open Open) {
	s := open(t)
	tn, users := queryFixture(t, s)
	m := func(f directory.UserField, op directory.MatchOp, v string) directory.Match {
		return directory.Match{Field: f, Op: op, Value: v}
	}
	cases := []struct {
		name   string
		filter directory.UserFilter
		want   []string
	}{
		{"all", nil, []string{"alice", "bob", "carol", "ter", "teri"}},
		{"mail_eq_any_case", m(directory.FieldMail, directory.MatchEq, "ALICE@example.COM"), []string{"alice"}},
		{"mail_starts_with", m(directory.FieldMail, directory.MatchStartsWith, "TER"), []string{"ter", "teri"}},
		{"mail_starts_with_wildcards_are_literal", m(directory.FieldMail, directory.MatchStartsWith, "ter%"), []string{"ter"}},
		{"mail_ends_with", m(directory.FieldMail, directory.MatchEndsWith, "@GMAIL.example"), []string{"ter", "teri"}},
		{"mail_ends_with_underscore_literal", m(directory.FieldMail, directory.MatchEndsWith, "_o@gmail.example"), []string{"teri"}},
		{"mail_eq_null", m(directory.FieldMail, directory.MatchEq, ""), nil},
		{"mail_in", directory.Match{Field: directory.FieldMail, Op: directory.MatchIn, Values: []string{"bob@partner.example", "nobody@x.example", "CAROL@contoso.example"}}, []string{"bob", "carol"}},
		{"upn_eq_any_case", m(directory.FieldUserPrincipalName, directory.MatchEq, "carol@CONTOSO.example"), []string{"carol"}},
		{"upn_starts_with", m(directory.FieldUserPrincipalName, directory.MatchStartsWith, "bob_"), []string{"bob"}},
		{"upn_ends_with_ext", m(directory.FieldUserPrincipalName, directory.MatchEndsWith, "#ext#@contoso.guestgate.local"), []string{"alice", "bob", "ter", "teri"}},
		{"display_name_starts_with", m(directory.FieldDisplayName, directory.MatchStartsWith, "ter"), []string{"ter", "teri"}},
		{"display_name_ge_le", directory.AllOf{m(directory.FieldDisplayName, directory.MatchGe, "B"), m(directory.FieldDisplayName, directory.MatchLe, "carol white")}, []string{"bob", "carol"}},
		{"display_name_quote", m(directory.FieldDisplayName, directory.MatchEq, "teri o'neil"), []string{"teri"}},
		{"user_type_eq", m(directory.FieldUserType, directory.MatchEq, "Member"), []string{"carol"}},
		{"user_type_not", directory.Not{Of: m(directory.FieldUserType, directory.MatchEq, "Member")}, []string{"alice", "bob", "ter", "teri"}},
		{"external_state_in", directory.Match{Field: directory.FieldExternalUserState, Op: directory.MatchIn, Values: []string{"Accepted"}}, []string{"bob"}},
		{"creation_type_eq", m(directory.FieldCreationType, directory.MatchEq, "Invitation"), []string{"alice", "bob", "ter", "teri"}},
		{"account_enabled_false", m(directory.FieldAccountEnabled, directory.MatchEq, "false"), []string{"carol"}},
		{"other_mails_own_address_of_guest", m(directory.FieldOtherMails, directory.MatchEq, "alice@EXAMPLE.com"), []string{"alice"}},
		{"other_mails_kept_address", m(directory.FieldOtherMails, directory.MatchEq, "teri.alt@other.EXAMPLE"), []string{"teri"}},
		{"id_eq_any_case", m(directory.FieldID, directory.MatchEq, strings.ToUpper(users["teri"].ID)), []string{"teri"}},
		{"id_in", directory.Match{Field: directory.FieldID, Op: directory.MatchIn, Values: []string{users["alice"].ID, users["carol"].ID, "00000000-0000-0000-0000-000000000000"}}, []string{"alice", "carol"}},
		{"id_of_another_tenant", m(directory.FieldID, directory.MatchEq, "no-such-id"), nil},
		{"federated_identity", directory.AllOf{m(directory.FieldIdPIssuer, directory.MatchEq, "https://idp.partner.example"), m(directory.FieldMail, directory.MatchEq, "bob@partner.example")}, []string{"bob"}},
		{"idp_issuer_exact", m(directory.FieldIdPIssuer, directory.MatchEq, "https://idp.partner.example/other"), nil},
		{"other_mails_not_a_member_mail", m(directory.FieldOtherMails, directory.MatchEq, "carol@contoso.example"), nil},
		{"or_and_precedence", directory.AnyOf{m(directory.FieldUserType, directory.MatchEq, "Member"), directory.AllOf{m(directory.FieldMail, directory.MatchStartsWith, "t"), m(directory.FieldDisplayName, directory.MatchStartsWith, "teri")}}, []string{"carol", "teri"}},
		{"search_word_prefix", m(directory.FieldDisplayName, directory.MatchWord, "smi"), []string{"alice"}},
		{"search_word_start_only", m(directory.FieldDisplayName, directory.MatchWord, "mith"), nil},
		{"search_mail_word", m(directory.FieldMail, directory.MatchWord, "gmail"), []string{"ter", "teri"}},
		{"contains_middle_of_name", m(directory.FieldDisplayName, directory.MatchContains, "MITH"), []string{"alice"}},
		{"contains_middle_of_mail", m(directory.FieldMail, directory.MatchContains, "mail.EX"), []string{"ter", "teri"}},
		{"contains_wildcards_are_literal", m(directory.FieldMail, directory.MatchContains, "r%x"), []string{"ter"}},
	}
	for _, c := range cases {
		t.Run("filter_"+c.name, func(t *testing.T) {
			page, err := s.QueryUsers(t.Context(), tn.ID, directory.UserQuery{Filter: c.filter})
			must(t, "query", err)
			wantEqual(t, "users", userKeysOf(users, page.Users), sortedOrNil(c.want))
			if page.Next != "" {
				t.Fatalf("unbounded query has a next page")
			}
			n, err := s.CountUsers(t.Context(), tn.ID, c.filter)
			must(t, "count", err)
			wantEqual(t, "count", n, len(c.want))
		})
	}
	orders := []struct {
		order directory.UserOrder
		key   func(directory.User) string
	}{
		{directory.OrderID, func(u directory.User) string { return u.ID }},
		{directory.OrderDisplayName, func(u directory.User) string { return strings.ToLower(u.DisplayName) }},
		{directory.OrderUserPrincipalName, func(u directory.User) string { return strings.ToLower(u.UserPrincipalName) }},
		{directory.OrderMail, func(u directory.User) string { return strings.ToLower(u.Mail) }},
	}
	for _, o := range orders {
		for _, desc := range []bool{false, true} {
			t.Run(fmt.Sprintf("keyset_pages_%s_desc_%v", o.order, desc), func(t *testing.T) {
				var want []string
				all := make([]directory.User, 0, len(users))
				for _, u := range users {
					all = append(all, u)
				}
				sort.Slice(all, func(i, j int) bool {
					ki, kj := o.key(all[i]), o.key(all[j])
					if ki != kj {
						return (ki < kj) != desc
					}
					return (all[i].ID < all[j].ID) != desc
				})
				for _, u := range all {
					want = append(want, u.ID)
				}
				var got []string
				q := directory.UserQuery{Order: o.order, Desc: desc, Limit: 2}
				for pages := 0; ; pages++ {
					if pages > 5 {
						t.Fatal("paging does not end")
					}
					page, err := s.QueryUsers(t.Context(), tn.ID, q)
					must(t, "page", err)
					if len(page.Users) > 2 {
						t.Fatalf("page of %d, limit 2", len(page.Users))
					}
					for _, u := range page.Users {
						got = append(got, u.ID)
					}
					if page.Next == "" {
						break
					}
					q.After = page.Next
				}
				wantEqual(t, "ids in order", got, want)
			})
		}
	}
	t.Run("default_order_of_a_prefix_filter_pages_by_its_key", func(t *testing.T) {
		q := directory.UserQuery{Filter: directory.Match{Field: directory.FieldDisplayName, Op: directory.MatchStartsWith, Value: "t"}, Limit: 1}
		var got []string
		for range 3 {
			page, err := s.QueryUsers(t.Context(), tn.ID, q)
			must(t, "page", err)
			got = append(got, userKeysOf(users, page.Users)...)
			if q.After = page.Next; q.After == "" {
				break
			}
		}
		wantEqual(t, "pages in display name order", got, []string{"teri", "ter"})
	})
	t.Run("cursor_of_another_query_refused", func(t *testing.T) {
		page, err := s.QueryUsers(t.Context(), tn.ID, directory.UserQuery{Order: directory.OrderDisplayName, Limit: 1})
		must(t, "page", err)
		_, err = s.QueryUsers(t.Context(), tn.ID, directory.UserQuery{Order: directory.OrderUserPrincipalName, Limit: 1, After: page.Next})
		wantErr(t, "cursor of another order", err, directory.ErrInvalidCursor)
		_, err = s.QueryUsers(t.Context(), tn.ID, directory.UserQuery{After: "not a cursor"})
		wantErr(t, "garbage cursor", err, directory.ErrInvalidCursor)
	})
	t.Run("isolation_queries_see_one_tenant", func(t *testing.T) {
		other := seedTenant(t, s, "northwind")
		page, err := s.QueryUsers(t.Context(), other.ID, directory.UserQuery{Filter: directory.Match{Field: directory.FieldMail, Op: directory.MatchStartsWith, Value: "a"}})
		must(t, "query other tenant", err)
		wantEqual(t, "users of an empty tenant", len(page.Users), 0)
		n, err := s.CountUsers(t.Context(), other.ID, nil)
		must(t, "count other tenant", err)
		wantEqual(t, "count of an empty tenant", n, 0)
	})
	t.Run("user_by_upn_any_case", func(t *testing.T) {
		u, err := s.GetUserByUPN(t.Context(), tn.ID, strings.ToUpper(users["alice"].UserPrincipalName))
		must(t, "get by upn", err)
		wantEqual(t, "user", u, users["alice"])
		_, err = s.GetUserByUPN(t.Context(), tn.ID, "nobody@contoso.example")
		wantErr(t, "unknown upn", err, store.ErrNotFound)
		other := seedTenant(t, s, "litware")
		_, err = s.GetUserByUPN(t.Context(), other.ID, users["alice"].UserPrincipalName)
		wantErr(t, "upn of another tenant", err, store.ErrNotFound)
	})
	t.Run("other_mails_round_trip", func(t *testing.T) {
		got, err := s.GetUser(t.Context(), tn.ID, users["teri"].ID)
		must(t, "get", err)
		wantEqual(t, "otherMails", got.OtherMails, []string{"Teri.Alt@Other.example"})
		wantEqual(t, "all otherMails", got.AllOtherMails(), []string{"teri_o@gmail.example", "Teri.Alt@Other.example"})
		must(t, "update", s.UpdateUser(t.Context(), tn.ID, got.ID, func(u *directory.User) error {
			u.OtherMails = nil
			return nil
		}))
		got, err = s.GetUser(t.Context(), tn.ID, got.ID)
		must(t, "get after update", err)
		wantEqual(t, "otherMails cleared", got.OtherMails, []string(nil))
	})
}

// userKeysOf names the users by their fixture keys, sorted.
func userKeysOf(fixture map[string]directory.User, us []directory.User) []string {
	var out []string
	for _, u := range us {
		for k, f := range fixture {
			if f.ID == u.ID {
				out = append(out, k)
			}
		}
	}
	sort.Strings(out)
	return out
}

func sortedOrNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
