package odata

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	cases := []struct {
		in   string
		want string // canonical String of the tree
	}{
		{"mail eq 'a@b.example'", "mail eq 'a@b.example'"},
		{"mail  EQ  'A@B.example' ", "mail eq 'A@B.example'"},
		{"displayName eq 'O''Brien'", "displayName eq 'O''Brien'"},
		{"startsWith(mail,'t')", "startsWith(mail,'t')"},
		{"startswith( mail , 'a' )", "startswith(mail,'a')"},
		{"otherMails/any(x:x eq 'a@b.example')", "otherMails/any(x:x eq 'a@b.example')"},
		{"targetResources/any(t:t/id eq '0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b')", "targetResources/any(t:t/id eq '0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b')"},
		{"a eq 1 or b eq 2 and c eq 3", "a eq 1 or b eq 2 and c eq 3"},
		{"(a eq 1 or b eq 2) and c eq 3", "(a eq 1 or b eq 2) and c eq 3"},
		{"a eq 1 and (b eq 2 and c eq 3)", "a eq 1 and (b eq 2 and c eq 3)"},
		{"not userType eq 'Member'", "not userType eq 'Member'"},
		{"not(userType eq 'Member')", "not userType eq 'Member'"},
		{"NOT (a eq 1 or b eq 2)", "not (a eq 1 or b eq 2)"},
		{"not a eq 1 and b eq 2", "not a eq 1 and b eq 2"},
		{"userType in ('Guest', 'Member')", "userType in ('Guest','Member')"},
		{"accountEnabled eq false", "accountEnabled eq false"},
		{"mail eq null", "mail eq null"},
		{"activityDateTime ge 2026-11-30T00:00:00Z", "activityDateTime ge 2026-11-30T00:00:00Z"},
		{"activityDateTime le 2026-11-30T09:00:00.5+09:00", "activityDateTime le 2026-11-30T00:00:00.5Z"},
		{"id eq 0F9A0B1C-2D3E-4F50-8A9B-0C1D2E3F4A5B", "id eq 0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b"},
		{"initiatedBy/app/displayName eq 'bot'", "initiatedBy/app/displayName eq 'bot'"},
		{"n ge -5", "n ge -5"},
	}
	for _, c := range cases {
		e, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		if got := e.String(); got != c.want {
			t.Errorf("Parse(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestParseTree(t *testing.T) {
	e, err := Parse("a eq 1 or b eq 2 and not c eq 3")
	if err != nil {
		t.Fatal(err)
	}
	or, ok := e.(*Binary)
	if !ok || or.Op != Or {
		t.Fatalf("top = %#v, want or", e)
	}
	and, ok := or.Right.(*Binary)
	if !ok || and.Op != And {
		t.Fatalf("right of or = %#v, want and", or.Right)
	}
	if _, ok := and.Right.(*Not); !ok {
		t.Fatalf("right of and = %#v, want not", and.Right)
	}
	l, err := Parse("otherMails/any(x:x eq 'a')")
	if err != nil {
		t.Fatal(err)
	}
	lam := l.(*Lambda)
	if lam.Collection.Name() != "otherMails" || lam.Var != "x" || lam.All {
		t.Fatalf("lambda = %+v", lam)
	}
	d, _ := Parse("x ge 2026-11-30T00:00:00Z")
	if got := d.(*Binary).Right.(*Literal); got.Kind != DateTimeLit || !got.Time.Equal(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("datetime literal = %+v", got)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in  string
		pos int
		msg string
	}{
		{"", 0, "empty"},
		{"mail eq", 7, "expected a property or a value"},
		{"mail eq 'a", 8, "not closed"},
		{"mail eq 'a' and", 15, "expected a property or a value"},
		{"mail eq 'a')", 11, "unexpected ')'"},
		{"(mail eq 'a'", 12, "expected ')'"},
		{"mail # 'a'", 5, "unexpected character"},
		{"userType in 'Guest'", 12, "'(' after 'in'"},
		{"userType in ('a' 'b')", 17, "',' or ')'"},
		{"startsWith(mail 'a')", 16, "',' or ')'"},
		{"otherMails/any(x eq 'a')", 17, "':'"},
		{"otherMails/any(and:x eq 'a')", 15, "range variable"},
		{"mail/ eq 'a'", 6, "property name after '/'"},
		{"n eq 99999999999999999999", 5, "out of range"},
		{"n eq 12ab", 5, "not a number"},
		{"t ge 2026-13-40T00:00:00Z", 5, "DateTimeOffset"},
		{"t ge 0001-01-01T00:00:00+01:00", 5, "out of range"}, // year 0 in UTC: no literal could say it
		{strings.Repeat("(", 100) + "a eq 1" + strings.Repeat(")", 100), 64, "nested too deeply"},
		{strings.Repeat("not ", 100) + "a", 256, "nested too deeply"},
	}
	for _, c := range cases {
		_, err := Parse(c.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) = %v, want a *SyntaxError", c.in, err)
			continue
		}
		if se.Pos != c.pos || !strings.Contains(se.Msg, c.msg) || se.Option != "$filter" {
			t.Errorf("Parse(%q) = pos %d %q, want pos %d containing %q", c.in, se.Pos, se.Msg, c.pos, c.msg)
		}
	}
}

func TestParseOrderBySelectTopCount(t *testing.T) {
	ob, err := ParseOrderBy("displayName desc, userPrincipalName,activityDateTime asc")
	if err != nil || len(ob) != 3 || ob[0] != (OrderBy{"displayName", true, 0}) || ob[1].Desc || ob[2].Property != "activityDateTime" || ob[2].Desc {
		t.Fatalf("ParseOrderBy = %+v, %v", ob, err)
	}
	for _, bad := range []string{"", "displayName sideways", "displayName,", "'x'"} {
		if _, err := ParseOrderBy(bad); err == nil {
			t.Errorf("ParseOrderBy(%q) accepted", bad)
		}
	}
	sel, err := ParseSelect("id, userType,externalUserState")
	if err != nil || strings.Join(sel, "|") != "id|userType|externalUserState" {
		t.Fatalf("ParseSelect = %v, %v", sel, err)
	}
	for _, bad := range []string{"", "id,", "id userType", "identities/issuer"} {
		if _, err := ParseSelect(bad); err == nil {
			t.Errorf("ParseSelect(%q) accepted", bad)
		}
	}
	if n, err := ParseTop("25"); n != 25 || err != nil {
		t.Fatalf("ParseTop = %d, %v", n, err)
	}
	for _, bad := range []string{"", "-1", "ten", "1.5"} {
		if _, err := ParseTop(bad); err == nil {
			t.Errorf("ParseTop(%q) accepted", bad)
		}
	}
	if c, err := ParseCount("True"); !c || err != nil {
		t.Fatalf("ParseCount = %v, %v", c, err)
	}
	if _, err := ParseCount("yes"); err == nil {
		t.Fatal("ParseCount(yes) accepted")
	}
}

func TestParseSearch(t *testing.T) {
	cases := []struct{ in, want string }{
		{`"displayName:ter"`, `"displayName:ter"`},
		{`"displayName:ter" OR "mail:ter"`, `"displayName:ter" OR "mail:ter"`},
		{`"displayName:a" or "mail:b" AND "mail:c"`, `"displayName:a" OR "mail:b" AND "mail:c"`},
		{`("displayName:a" OR "mail:b") "mail:c"`, `("displayName:a" OR "mail:b") AND "mail:c"`},
		{`"displayName:say \"hi\""`, `"displayName:say \"hi\""`},
		{`"ter"`, `"ter"`},
	}
	for _, c := range cases {
		s, err := ParseSearch(c.in)
		if err != nil || s.String() != c.want {
			t.Errorf("ParseSearch(%q) = %v, %v; want %s", c.in, s, err, c.want)
		}
	}
	term, _ := ParseSearch(`"displayName:ter"`)
	if st := term.(*SearchTerm); st.Property != "displayName" || st.Value != "ter" {
		t.Fatalf("term = %+v", st)
	}
	for _, bad := range []string{``, `displayName:ter`, `"displayName:ter`, `"a" OR`, `("a"`, `"a" )`} {
		if _, err := ParseSearch(bad); err == nil {
			t.Errorf("ParseSearch(%q) accepted", bad)
		}
	}
}

func TestParseQuery(t *testing.T) {
	v, _ := url.ParseQuery("$filter=mail+eq+'a@b.example'&$orderBy=displayName&$select=id,mail&$top=5&$count=true&$search=%22displayName:a%22&$skiptoken=abc&api-version=1")
	q, err := ParseQuery(v, OptFilter, OptOrderBy, OptSelect, OptTop, OptCount, OptSearch, OptSkipToken)
	if err != nil {
		t.Fatal(err)
	}
	if q.Filter.String() != "mail eq 'a@b.example'" || q.OrderBy[0].Property != "displayName" || len(q.Select) != 2 ||
		q.Top != 5 || !q.HasTop || !q.Count || q.Search == nil || q.SkipToken != "abc" || !q.Has(OptOrderBy) || q.Has("$expand") {
		t.Fatalf("ParseQuery = %+v", q)
	}
	var oe *OptionError
	if _, err := ParseQuery(url.Values{"$expand": {"manager"}}, OptFilter); !errors.As(err, &oe) || oe.Option != "$expand" {
		t.Fatalf("unknown option = %v, want an *OptionError", err)
	}
	if _, err := ParseQuery(url.Values{"$top": {"1", "2"}}, OptTop); !errors.As(err, &oe) {
		t.Fatalf("repeated option = %v, want an *OptionError", err)
	}
	if _, err := ParseQuery(url.Values{"$TOP": {"1"}, "$top": {"2"}}, OptTop); !errors.As(err, &oe) {
		t.Fatalf("option in two cases = %v, want an *OptionError", err)
	}
	var se *SyntaxError
	if _, err := ParseQuery(url.Values{"$filter": {"mail eq"}}, OptFilter); !errors.As(err, &se) || se.Option != "$filter" {
		t.Fatalf("bad filter = %v, want a *SyntaxError", err)
	}
}
