package odata

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// orChain is n short clauses "a eq N" joined by or.
func orChain(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = "a eq " + strconv.Itoa(i)
	}
	return strings.Join(parts, " or ")
}

// searchClauses is n clauses "displayName:wN" joined by OR, as the
// security review's search was.
func searchClauses(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `"displayName:w` + strings.Repeat("a", i%2) + `"`
	}
	return strings.Join(parts, " OR ")
}

// TestLimits: security round 2, finding 3 (one query can stall every
// tenant): a $filter or $search over the caps is refused before it
// reaches the store, at the documented numbers.
func TestLimits(t *testing.T) {
	cases := []struct {
		rule   string
		option string
		value  string
		// wantMax is the cap a refusal names (0: accepted).
		wantMax int
	}{
		{"filter_at_100_clauses_accepted", OptFilter, "accountEnabled eq true and (" + orChain(99) + ")", 0},
		{"filter_of_101_clauses_refused", OptFilter, "accountEnabled eq true and (" + orChain(100) + ")", 100},
		{"in_list_values_count_as_clauses", OptFilter, "mail in (" + strings.TrimSuffix(strings.Repeat("'a',", 101), ",") + ")", 100},
		{"not_counts_what_it_negates", OptFilter, "not (" + orChain(101) + ")", 100},
		{"lambda_counts_its_body", OptFilter, "otherMails/any(x:x eq 'a') and " + orChain(100), 100},
		{"filter_of_2048_characters_accepted", OptFilter, "mail eq '" + strings.Repeat("a", 2048-len("mail eq ''")) + "'", 0},
		{"filter_of_2049_characters_refused", OptFilter, "mail eq '" + strings.Repeat("a", 2049-len("mail eq ''")) + "'", 2048},
		{"search_of_15_words_accepted", OptSearch, `"displayName:a b c d e f g h i j k l m n o"`, 0},
		{"search_of_16_words_refused", OptSearch, `"displayName:a b c d e f g h i j k l m n o p"`, 15},
		{"search_words_count_over_clauses", OptSearch, searchClauses(16), 15},
		{"thousand_clause_search_refused", OptSearch, searchClauses(1000), 2048},
		{"thousand_word_search_refused", OptSearch, `"displayName:` + strings.TrimSpace(strings.Repeat("a ", 1000)) + `"`, 15},
		{"search_of_2049_characters_refused", OptSearch, `"displayName:` + strings.Repeat("a", 2049-len(`"displayName:"`)) + `"`, 2048},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			_, err := ParseQuery(url.Values{c.option: {c.value}}, OptFilter, OptSearch)
			var le *LimitError
			switch {
			case c.wantMax == 0 && err != nil:
				t.Fatalf("refused: %v", err)
			case c.wantMax == 0:
			case !errors.As(err, &le):
				t.Fatalf("ParseQuery = %v, want a *LimitError", err)
			case le.Max != c.wantMax || le.Option != c.option || le.Got <= le.Max || !strings.Contains(le.Error(), "Max allowed: "):
				t.Fatalf("refusal = %+v, want %s over its cap %d", le, c.option, c.wantMax)
			}
		})
	}
}

// TestCheckOrValues: Graph's rule for directory objects outside advanced
// queries, 15 child clauses of one "or" or values of one "in", with its
// message.
func TestCheckOrValues(t *testing.T) {
	cases := []struct {
		rule   string
		filter string
		want   int // the count a refusal names (0: accepted)
	}{
		{"or_of_15_accepted", orChain(15), 0},
		{"or_of_16_refused", orChain(16), 16},
		{"parentheses_do_not_split_a_chain", "(" + orChain(8) + ") or (" + orChain(8) + ")", 16},
		{"and_splits_chains", "(" + orChain(15) + ") and (" + orChain(15) + ")", 0},
		{"in_of_15_accepted", "mail in (" + strings.TrimSuffix(strings.Repeat("'a',", 15), ",") + ")", 0},
		{"in_of_16_refused", "mail in (" + strings.TrimSuffix(strings.Repeat("'a',", 16), ",") + ")", 16},
		{"chain_under_not_refused", "not (" + orChain(16) + ")", 16},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			e, err := Parse(c.filter)
			if err != nil {
				t.Fatal(err)
			}
			err = CheckOrValues(e, MaxOrValues)
			var le *LimitError
			switch {
			case c.want == 0 && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want == 0:
			case !errors.As(err, &le) || le.Got != c.want:
				t.Fatalf("CheckOrValues = %v, want a *LimitError counting %d", err, c.want)
			case le.Error() != "Too many child clauses specified in search filter expression containing 'OR' operators: 16. Max allowed: 15.":
				t.Fatalf("message = %q, want Graph's", le.Error())
			}
		})
	}
}
