package graph

import (
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/odata"
)

// Activity logs (directoryAudits, signIns) share one $filter mapping: a
// conjunction ("and") of comparisons of properties listed in a table,
// targetResources-style lambdas, and (where the log takes them) groups of
// comparisons joined by "or" (an "and" of "or"s; an "and" inside an "or"
// is refused). Anything else is 400 BadRequest, as Graph answers for
// these resources.

// logProp is what $filter may do with one log property.
type logProp struct {
	name  string          // Graph's name, for messages and conditions
	time  bool            // a DateTimeOffset
	int   bool            // an integer (else, and unless time, a string)
	ops   map[string]bool // eq ge gt le lt startsWith
	inAny bool            // reached through collection/any(x:x/sub …)
}

// logCondition is one comparison of a log $filter.
type logCondition struct {
	Prop string // logProp.name
	Op   string // eq ge gt le lt startsWith
	Text string
	Time time.Time
	Int  int64
}

// logQuery is a mapped log query.
type logQuery struct {
	conditions []logCondition
	// anyOf are the "or" groups: each is met by any of its conditions.
	anyOf     [][]logCondition
	ascending bool
	// skipToken is $skiptoken as sent; each log reads its own tokens.
	skipToken string
	top       int
}

func unsupportedLogFilter(msg string) *Error {
	return otherResources.unsupported("Invalid filter clause: " + msg)
}

// mapLogQuery maps the OData options of a log endpoint, with props its
// filterable properties (keys in lower case) and orderBy its one sortable
// time property.
func mapLogQuery(q odata.Query, props map[string]logProp, orderBy string) (logQuery, error) {
	return mapLogQueryOr(q, props, orderBy, false)
}

// mapLogQueryOr is mapLogQuery for a log whose $filter takes "or"
// (anyOf) when allowOr.
func mapLogQueryOr(q odata.Query, props map[string]logProp, orderBy string, allowOr bool) (logQuery, error) {
	var out logQuery
	var err error
	if q.Filter != nil {
		if out.conditions, out.anyOf, err = logTerms(q.Filter, props); err != nil {
			return out, err
		}
		if len(out.anyOf) > 0 && !allowOr {
			return out, errLogOr()
		}
	}
	if len(q.OrderBy) > 0 {
		if len(q.OrderBy) > 1 || !strings.EqualFold(q.OrderBy[0].Property, orderBy) {
			return out, otherResources.unsupported("Sorting is only supported on " + orderBy + ".")
		}
		out.ascending = !q.OrderBy[0].Desc
	}
	out.skipToken = q.SkipToken
	out.top, err = otherResources.pageSize(q)
	return out, err
}

// errLogOr refuses "or" where a log does not take it, or where it holds
// an "and".
func errLogOr() *Error {
	return unsupportedLogFilter("'or' is not supported on this resource; send one request per alternative.")
}

// logTerms flattens a conjunction into its single conditions and its
// "or" groups.
func logTerms(e odata.Expr, props map[string]logProp) ([]logCondition, [][]logCondition, error) {
	if b, ok := e.(*odata.Binary); ok {
		switch b.Op {
		case odata.And:
			lc, lg, err := logTerms(b.Left, props)
			if err != nil {
				return nil, nil, err
			}
			rc, rg, err := logTerms(b.Right, props)
			if err != nil {
				return nil, nil, err
			}
			return append(lc, rc...), append(lg, rg...), nil
		case odata.Or:
			group, err := logAlternatives(b, props, nil)
			if err != nil {
				return nil, nil, err
			}
			return nil, [][]logCondition{group}, nil
		}
	}
	c, err := logConditions(e, props, nil)
	return c, nil, err
}

// logAlternatives flattens a disjunction of single comparisons into one
// group (appended to acc).
func logAlternatives(e odata.Expr, props map[string]logProp, acc []logCondition) ([]logCondition, error) {
	if b, ok := e.(*odata.Binary); ok && b.Op == odata.Or {
		acc, err := logAlternatives(b.Left, props, acc)
		if err != nil {
			return nil, err
		}
		return logAlternatives(b.Right, props, acc)
	}
	if b, ok := e.(*odata.Binary); ok && b.Op == odata.And {
		return nil, errLogOr()
	}
	return logConditions(e, props, acc)
}

// logConditions flattens a conjunction into conditions (appended to acc).
func logConditions(e odata.Expr, props map[string]logProp, acc []logCondition) ([]logCondition, error) {
	switch e := e.(type) {
	case *odata.Binary:
		switch e.Op {
		case odata.And:
			acc, err := logConditions(e.Left, props, acc)
			if err != nil {
				return nil, err
			}
			return logConditions(e.Right, props, acc)
		case odata.Or:
			return nil, errLogOr()
		}
		path, ok := e.Left.(*odata.Path)
		if !ok {
			return nil, unsupportedLogFilter("the left side of '" + string(e.Op) + "' must be a property.")
		}
		c, err := logComparison(path.Name(), string(e.Op), e.Right, props, false)
		if err != nil {
			return nil, err
		}
		return append(acc, c), nil
	case *odata.Call:
		if !strings.EqualFold(e.Name, "startsWith") || len(e.Args) != 2 {
			return nil, unsupportedLogFilter("function '" + e.Name + "' is not supported on this resource.")
		}
		path, ok := e.Args[0].(*odata.Path)
		if !ok {
			return nil, unsupportedLogFilter("startsWith takes a property and a string.")
		}
		c, err := logComparison(path.Name(), "startsWith", e.Args[1], props, false)
		if err != nil {
			return nil, err
		}
		return append(acc, c), nil
	case *odata.Lambda:
		b, ok := e.Body.(*odata.Binary)
		if e.All || !ok || b.Op.Logical() {
			return nil, unsupportedLogFilter("only " + e.Collection.Name() + "/any(x:x/property eq '…') is supported.")
		}
		sub, ok := b.Left.(*odata.Path)
		if !ok || len(sub.Segments) != 2 || sub.Segments[0] != e.Var {
			return nil, unsupportedLogFilter("only " + e.Collection.Name() + "/any(x:x/property eq '…') is supported.")
		}
		c, err := logComparison(e.Collection.Name()+"/"+sub.Segments[1], string(b.Op), b.Right, props, true)
		if err != nil {
			return nil, err
		}
		return append(acc, c), nil
	}
	return nil, unsupportedLogFilter("'" + e.String() + "' is not supported on this resource.")
}

func logComparison(name, op string, value odata.Expr, props map[string]logProp, inAny bool) (logCondition, error) {
	p, ok := props[strings.ToLower(name)]
	if !ok || p.inAny != inAny {
		return logCondition{}, unsupportedLogFilter("property '" + name + "' cannot be filtered on.")
	}
	if !p.ops[op] {
		return logCondition{}, unsupportedLogFilter("operator '" + op + "' is not supported for property '" + p.name + "'.")
	}
	lit, ok := value.(*odata.Literal)
	switch {
	case ok && p.time && lit.Kind == odata.DateTimeLit:
		return logCondition{Prop: p.name, Op: op, Time: lit.Time}, nil
	case ok && p.int && lit.Kind == odata.IntLit:
		return logCondition{Prop: p.name, Op: op, Int: lit.Int}, nil
	case ok && !p.time && !p.int && (lit.Kind == odata.StringLit || lit.Kind == odata.GUIDLit):
		return logCondition{Prop: p.name, Op: op, Text: lit.Text}, nil
	}
	want := "a string"
	switch {
	case p.time:
		want = "a DateTimeOffset such as 2026-11-30T00:00:00Z"
	case p.int:
		want = "an integer such as 50126"
	}
	return logCondition{}, unsupportedLogFilter("property '" + p.name + "' compares with " + want + ".")
}
