package odata

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Query options, as ParseQuery names them (lower case).
const (
	OptFilter    = "$filter"
	OptOrderBy   = "$orderby"
	OptSelect    = "$select"
	OptTop       = "$top"
	OptCount     = "$count"
	OptSearch    = "$search"
	OptSkipToken = "$skiptoken"
	OptExpand    = "$expand"
)

// Query holds the parsed query options of one request. Absent options are
// zero values.
type Query struct {
	Filter    Expr
	OrderBy   []OrderBy
	Select    []string
	Top       int
	HasTop    bool
	Count     bool
	Search    SearchExpr
	SkipToken string
	// Expand lists the navigation properties of $expand, as written.
	Expand []string
	// Given lists the options present, lower case, sorted.
	Given []string
}

// Has reports whether the option (lower case, with its "$") was given.
func (q Query) Has(opt string) bool {
	i := sort.SearchStrings(q.Given, opt)
	return i < len(q.Given) && q.Given[i] == opt
}

// ParseQuery parses the query options of a request. Names starting with
// "$" are OData options, matched in any case: one not in allowed, or one
// given twice, is an *OptionError; a value that does not parse is a
// *SyntaxError; a $filter or $search over DefaultLimits is a *LimitError.
// Other parameters are not OData's and are left alone.
func ParseQuery(v url.Values, allowed ...string) (Query, error) {
	lim := DefaultLimits
	var q Query
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	for _, k := range keys {
		if !strings.HasPrefix(k, "$") {
			continue
		}
		opt := strings.ToLower(k)
		ok := false
		for _, a := range allowed {
			ok = ok || a == opt
		}
		if !ok {
			return Query{}, &OptionError{Option: k, Msg: "The query specified in the URI is not valid. Query option '" + k + "' is not allowed."}
		}
		if seen[opt] || len(v[k]) > 1 {
			return Query{}, &OptionError{Option: k, Msg: "The query specified in the URI is not valid. Query option '" + k + "' was specified more than once, but it must be specified at most once."}
		}
		seen[opt] = true
		q.Given = append(q.Given, opt)
		val := v[k][0]
		var err error
		switch opt {
		case OptFilter:
			if err = lim.CheckLength(opt, val); err == nil {
				q.Filter, err = Parse(val)
			}
			if err == nil {
				err = lim.CheckFilter(q.Filter)
			}
		case OptOrderBy:
			q.OrderBy, err = ParseOrderBy(val)
		case OptSelect:
			q.Select, err = ParseSelect(val)
		case OptTop:
			q.Top, err = ParseTop(val)
			q.HasTop = true
		case OptCount:
			q.Count, err = ParseCount(val)
		case OptSearch:
			if err = lim.CheckLength(opt, val); err == nil {
				q.Search, err = ParseSearch(val)
			}
			if err == nil {
				err = lim.CheckSearch(q.Search)
			}
		case OptSkipToken:
			q.SkipToken = val
		case OptExpand:
			q.Expand, err = parseNames(OptExpand, val, "a navigation property to expand")
		}
		if err != nil {
			return Query{}, err
		}
	}
	sort.Strings(q.Given)
	return q, nil
}

// OrderBy is one item of $orderby.
type OrderBy struct {
	Property string // a path joined with "/"
	Desc     bool
	At       int
}

// ParseOrderBy parses "prop [asc|desc], …".
func ParseOrderBy(s string) ([]OrderBy, error) {
	p, err := newParser(OptOrderBy, s)
	if err != nil {
		return nil, err
	}
	var out []OrderBy
	for {
		name, err := p.expect(tkName, "a property to order by")
		if err != nil {
			return nil, err
		}
		item := OrderBy{Property: name.text, At: name.pos}
		for p.peek().kind == tkSlash {
			p.next()
			seg, err := p.expect(tkName, "a property name after '/'")
			if err != nil {
				return nil, err
			}
			item.Property += "/" + seg.text
		}
		if t := p.peek(); t.keyword("asc") || t.keyword("desc") {
			p.next()
			item.Desc = t.keyword("desc")
		}
		out = append(out, item)
		switch t := p.next(); t.kind {
		case tkEOF:
			return out, nil
		case tkComma:
		default:
			return nil, p.errAt(t.pos, "expected ',' or the end after an $orderby item, found "+t.describe())
		}
	}
}

// ParseSelect parses "prop, prop, …" (names only, no paths).
func ParseSelect(s string) ([]string, error) {
	return parseNames(OptSelect, s, "a property to select")
}

// parseNames parses "name, name, …" of option opt.
func parseNames(opt, s, what string) ([]string, error) {
	p, err := newParser(opt, s)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		name, err := p.expect(tkName, what)
		if err != nil {
			return nil, err
		}
		out = append(out, name.text)
		switch t := p.next(); t.kind {
		case tkEOF:
			return out, nil
		case tkComma:
		default:
			return nil, p.errAt(t.pos, "expected ',' or the end after a "+opt+" item, found "+t.describe())
		}
	}
}

// ParseTop parses a non-negative integer; the endpoint checks its range.
func ParseTop(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0, &SyntaxError{Option: OptTop, Input: s, Pos: 0, Msg: "expected a non-negative integer"}
	}
	return n, nil
}

// ParseCount parses true or false (any case).
func ParseCount(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, &SyntaxError{Option: OptCount, Input: s, Pos: 0, Msg: "expected true or false"}
}
