package graph

import (
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/odata"
)

// userFilterProp is what $filter may do with one user property, as Graph
// documents it for v1.0. Operators marked advanced need Graph's advanced
// query parameters (ConsistencyLevel: eventual and $count).
type userFilterProp struct {
	field directory.UserField
	ops   map[string]bool // eq ne in ge le startsWith endsWith
	null  bool            // eq null allowed
	bool  bool            // a Boolean, not a string
	time  bool            // a DateTimeOffset (signInActivity), not a string
	// canonical spellings of an enumeration, matched in any case
	values []string
}

// advancedOps need ConsistencyLevel: eventual and $count (as on Graph).
var advancedOps = map[string]bool{"ne": true, "not": true, "endsWith": true}

func ops(names ...string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// userFilterProps are the filterable user properties (docs/graph.md lists them).
var userFilterProps = map[string]userFilterProp{
	"mail":              {field: directory.FieldMail, ops: ops("eq", "ne", "in", "ge", "le", "startsWith", "endsWith"), null: true},
	"userprincipalname": {field: directory.FieldUserPrincipalName, ops: ops("eq", "ne", "in", "ge", "le", "startsWith", "endsWith")},
	"displayname":       {field: directory.FieldDisplayName, ops: ops("eq", "ne", "in", "ge", "le", "startsWith"), null: true},
	"usertype":          {field: directory.FieldUserType, ops: ops("eq", "ne", "in"), null: true, values: []string{"Member", "Guest"}},
	"externaluserstate": {field: directory.FieldExternalUserState, ops: ops("eq", "ne", "in"), values: []string{"PendingAcceptance", "Accepted"}},
	"creationtype":      {field: directory.FieldCreationType, ops: ops("eq", "ne", "in"), values: []string{directory.CreationInvitation, "LocalAccount", "EmailVerified", "SelfServiceSignUp"}},
	"accountenabled":    {field: directory.FieldAccountEnabled, ops: ops("eq", "ne", "in"), bool: true},
	"id":                {field: directory.FieldID, ops: ops("eq", "ne", "in")},
	// signInActivity's times (Graph: eq, ne, not, ge, le; gt and lt are
	// answered too). Reading them needs AuditLog.Read.All as well.
	"signinactivity/lastsignindatetime":               {field: directory.FieldLastSignIn, ops: ops("eq", "ne", "ge", "le", "gt", "lt"), null: true, time: true},
	"signinactivity/lastnoninteractivesignindatetime": {field: directory.FieldLastNonInteractiveSignIn, ops: ops("eq", "ne", "ge", "le", "gt", "lt"), null: true, time: true},
	"signinactivity/lastsuccessfulsignindatetime":     {field: directory.FieldLastSuccessfulSignIn, ops: ops("eq", "ne", "ge", "le", "gt", "lt"), null: true, time: true},
}

// signInActivityFields are the filter fields that read signInActivity.
var signInActivityFields = map[directory.UserField]bool{
	directory.FieldLastSignIn: true, directory.FieldLastNonInteractiveSignIn: true, directory.FieldLastSuccessfulSignIn: true,
}

// filtersSignInActivity is whether f tests a time of signInActivity.
func filtersSignInActivity(f directory.UserFilter) bool {
	switch f := f.(type) {
	case directory.Match:
		return signInActivityFields[f.Field]
	case directory.AllOf:
		for _, x := range f {
			if filtersSignInActivity(x) {
				return true
			}
		}
	case directory.AnyOf:
		for _, x := range f {
			if filtersSignInActivity(x) {
				return true
			}
		}
	case directory.Not:
		return filtersSignInActivity(f.Of)
	}
	return false
}

// userFilterMapper maps a parsed $filter onto a directory.UserFilter.
type userFilterMapper struct {
	advanced bool // ConsistencyLevel: eventual and $count were sent
	// initialDomain is the tenant's, the issuer of the userPrincipalName
	// identity (identities/any).
	initialDomain string
}

func unsupportedUserClause(prop string) *Error {
	return directoryObjects.unsupported("Unsupported or invalid query filter clause specified for property '" + prop + "' of resource 'User'.")
}

func unsupportedOperator(op string) *Error {
	return directoryObjects.unsupported("Unsupported property filter clause operator '" + op + "'.")
}

// needsAdvanced refuses an advanced-only operator in a plain query.
func (m userFilterMapper) needsAdvanced(op string) error {
	if advancedOps[op] && !m.advanced {
		return directoryObjects.unsupported("Operator '" + op + "' is only supported in advanced queries: send the header ConsistencyLevel: eventual and $count=true.")
	}
	return nil
}

func (m userFilterMapper) filter(e odata.Expr) (directory.UserFilter, error) {
	switch e := e.(type) {
	case *odata.Binary:
		switch e.Op {
		case odata.And, odata.Or:
			l, err := m.filter(e.Left)
			if err != nil {
				return nil, err
			}
			r, err := m.filter(e.Right)
			if err != nil {
				return nil, err
			}
			if e.Op == odata.And {
				return directory.AllOf{l, r}, nil
			}
			return directory.AnyOf{l, r}, nil
		case odata.Eq, odata.Ne, odata.Ge, odata.Le, odata.Gt, odata.Lt:
			return m.comparison(e)
		}
		return nil, unsupportedOperator(string(e.Op))
	case *odata.Not:
		if err := m.needsAdvanced("not"); err != nil {
			return nil, err
		}
		x, err := m.filter(e.X)
		if err != nil {
			return nil, err
		}
		return directory.Not{Of: x}, nil
	case *odata.In:
		p, name, err := m.property(e.Left)
		if err != nil {
			return nil, err
		}
		if !p.ops["in"] {
			return nil, unsupportedUserClause(name)
		}
		match := directory.Match{Field: p.field, Op: directory.MatchIn}
		for _, x := range e.List {
			v, err := p.value(name, x, false)
			if err != nil {
				return nil, err
			}
			match.Values = append(match.Values, v)
		}
		return match, nil
	case *odata.Call:
		return m.call(e)
	case *odata.Lambda:
		return m.lambda(e)
	}
	return nil, directoryObjects.unsupported("Unsupported Query.")
}

// property resolves the property a clause tests.
func (m userFilterMapper) property(e odata.Expr) (userFilterProp, string, error) {
	path, ok := e.(*odata.Path)
	if !ok {
		return userFilterProp{}, "", directoryObjects.unsupported("Unsupported Query.")
	}
	p, ok := userFilterProps[strings.ToLower(path.Name())]
	if !ok {
		return userFilterProp{}, "", unsupportedUserClause(path.Name())
	}
	return p, path.Name(), nil
}

// value checks a literal against the property and returns it as a string
// ("" for null, "true"/"false" for Booleans).
func (p userFilterProp) value(name string, e odata.Expr, nullOK bool) (string, error) {
	lit, ok := e.(*odata.Literal)
	if !ok {
		return "", unsupportedUserClause(name)
	}
	switch {
	case p.time && lit.Kind == odata.DateTimeLit:
		return lit.Time.UTC().Format(time.RFC3339Nano), nil
	case p.time && lit.Kind != odata.NullLit:
		return "", unsupportedUserClause(name)
	case p.bool && lit.Kind == odata.BoolLit:
		return lit.Text, nil
	case !p.bool && lit.Kind == odata.StringLit:
		for _, c := range p.values {
			if strings.EqualFold(c, lit.Text) {
				return c, nil
			}
		}
		return lit.Text, nil
	case lit.Kind == odata.NullLit && p.null && nullOK:
		return "", nil
	}
	return "", unsupportedUserClause(name)
}

func (m userFilterMapper) comparison(e *odata.Binary) (directory.UserFilter, error) {
	p, name, err := m.property(e.Left)
	if err != nil {
		return nil, err
	}
	op := string(e.Op)
	if (e.Op == odata.Gt || e.Op == odata.Lt) && !p.time {
		return nil, unsupportedOperator(op)
	}
	if !p.ops[op] {
		return nil, unsupportedUserClause(name)
	}
	if err := m.needsAdvanced(op); err != nil {
		return nil, err
	}
	v, err := p.value(name, e.Right, e.Op == odata.Eq || e.Op == odata.Ne)
	if err != nil {
		return nil, err
	}
	switch e.Op {
	case odata.Ge:
		return directory.Match{Field: p.field, Op: directory.MatchGe, Value: v}, nil
	case odata.Le:
		return directory.Match{Field: p.field, Op: directory.MatchLe, Value: v}, nil
	case odata.Gt:
		return directory.Match{Field: p.field, Op: directory.MatchGt, Value: v}, nil
	case odata.Lt:
		return directory.Match{Field: p.field, Op: directory.MatchLt, Value: v}, nil
	case odata.Ne:
		return directory.Not{Of: directory.Match{Field: p.field, Op: directory.MatchEq, Value: v}}, nil
	}
	return directory.Match{Field: p.field, Op: directory.MatchEq, Value: v}, nil
}

func (m userFilterMapper) call(c *odata.Call) (directory.UserFilter, error) {
	var op directory.MatchOp
	name := ""
	switch {
	case strings.EqualFold(c.Name, "startsWith"):
		op, name = directory.MatchStartsWith, "startsWith"
	case strings.EqualFold(c.Name, "endsWith"):
		op, name = directory.MatchEndsWith, "endsWith"
	default:
		return nil, unsupportedOperator(strings.ToUpper(c.Name[:1]) + c.Name[1:])
	}
	if len(c.Args) != 2 {
		return nil, directoryObjects.invalid("Invalid filter clause: " + name + " takes a property and a string.")
	}
	p, prop, err := m.property(c.Args[0])
	if err != nil {
		return nil, err
	}
	if !p.ops[name] {
		return nil, unsupportedUserClause(prop)
	}
	if err := m.needsAdvanced(name); err != nil {
		return nil, err
	}
	v, err := p.value(prop, c.Args[1], false)
	if err != nil {
		return nil, err
	}
	return directory.Match{Field: p.field, Op: op, Value: v}, nil
}

// lambda is otherMails/any(x:x eq '…') or identities/any(…) (see identities).
func (m userFilterMapper) lambda(l *odata.Lambda) (directory.UserFilter, error) {
	name := l.Collection.Name()
	if strings.EqualFold(name, "identities") && !l.All {
		return m.identities(l)
	}
	if !strings.EqualFold(name, "otherMails") || l.All {
		return nil, unsupportedUserClause(name)
	}
	b, ok := l.Body.(*odata.Binary)
	if !ok || b.Op != odata.Eq {
		return nil, unsupportedUserClause(name)
	}
	v, ok := b.Left.(*odata.Path)
	lit, isLit := b.Right.(*odata.Literal)
	if !ok || v.Name() != l.Var || !isLit || lit.Kind != odata.StringLit {
		return nil, unsupportedUserClause(name)
	}
	return directory.Match{Field: directory.FieldOtherMails, Op: directory.MatchEq, Value: lit.Text}, nil
}

// identities is Graph's look-up by sign-in name,
// identities/any(c:c/issuerAssignedId eq '…' and c/issuer eq '…') (both
// clauses, eq, in either order): the userPrincipalName identity when the
// issuer is the tenant's initial domain, and a federated identity (the
// partner's issuer, the address). Anything else is 400.
func (m userFilterMapper) identities(l *odata.Lambda) (directory.UserFilter, error) {
	bad := unsupportedUserClause("identities")
	b, ok := l.Body.(*odata.Binary)
	if !ok || b.Op != odata.And {
		return nil, bad
	}
	vals := map[string]string{}
	for _, side := range []odata.Expr{b.Left, b.Right} {
		c, ok := side.(*odata.Binary)
		if !ok || c.Op != odata.Eq {
			return nil, bad
		}
		p, okP := c.Left.(*odata.Path)
		lit, okL := c.Right.(*odata.Literal)
		if !okP || !okL || lit.Kind != odata.StringLit || len(p.Segments) != 2 || p.Segments[0] != l.Var {
			return nil, bad
		}
		prop := strings.ToLower(p.Segments[1])
		if (prop != "issuer" && prop != "issuerassignedid") || vals[prop] != "" {
			return nil, bad
		}
		vals[prop] = lit.Text
	}
	issuer, id := vals["issuer"], vals["issuerassignedid"]
	if issuer == "" || id == "" {
		return nil, bad
	}
	match := directory.AnyOf{directory.AllOf{
		directory.Match{Field: directory.FieldIdPIssuer, Op: directory.MatchEq, Value: issuer},
		directory.Match{Field: directory.FieldMail, Op: directory.MatchEq, Value: id},
	}}
	if m.initialDomain != "" && strings.EqualFold(issuer, m.initialDomain) {
		match = append(directory.AnyOf{directory.Match{Field: directory.FieldUserPrincipalName, Op: directory.MatchEq, Value: id}}, match...)
	}
	return match, nil
}

// userSearchProps are the properties $search looks in.
var userSearchProps = map[string]directory.UserField{
	"displayname":       directory.FieldDisplayName,
	"mail":              directory.FieldMail,
	"userprincipalname": directory.FieldUserPrincipalName,
}

// userSearch maps $search: each "property:words" clause matches users
// with a word of the property starting with each word.
func userSearch(s odata.SearchExpr) (directory.UserFilter, error) {
	switch s := s.(type) {
	case *odata.SearchBinary:
		l, err := userSearch(s.Left)
		if err != nil {
			return nil, err
		}
		r, err := userSearch(s.Right)
		if err != nil {
			return nil, err
		}
		if s.Op == "OR" {
			return directory.AnyOf{l, r}, nil
		}
		return directory.AllOf{l, r}, nil
	case *odata.SearchTerm:
		field, ok := userSearchProps[strings.ToLower(s.Property)]
		if !ok {
			if s.Property == "" {
				return nil, directoryObjects.unsupported("Invalid $search clause " + s.String() + `: name a property, as in "displayName:` + s.Value + `".`)
			}
			return nil, directoryObjects.unsupported("Property '" + s.Property + "' does not support $search.")
		}
		var all directory.AllOf
		for _, w := range strings.Fields(s.Value) {
			all = append(all, directory.Match{Field: field, Op: directory.MatchWord, Value: w})
		}
		if len(all) == 0 {
			return nil, directoryObjects.invalid("Invalid $search clause " + s.String() + ": it has no words.")
		}
		if len(all) == 1 {
			return all[0], nil
		}
		return all, nil
	}
	return nil, directoryObjects.unsupported("Unsupported Query.")
}

// userOrders are the $orderby properties of users.
var userOrders = map[string]directory.UserOrder{
	"displayname":       directory.OrderDisplayName,
	"userprincipalname": directory.OrderUserPrincipalName,
}

// usersRequest is GET /v1.0/users's query, mapped.
type usersRequest struct {
	query  directory.UserQuery
	filter directory.UserFilter // for @odata.count
	count  bool
	sel    []string
	// signInActivity: the selection or the filter reads signInActivity,
	// which needs AuditLog.Read.All too.
	signInActivity bool
}

// mapUsersQuery turns the OData options of GET /v1.0/users into a
// directory query. eventual is the ConsistencyLevel: eventual header.
func mapUsersQuery(q odata.Query, eventual bool) (usersRequest, error) {
	return mapUsersQueryIn(q, eventual, "")
}

// mapUsersQueryIn is mapUsersQuery in a tenant whose initial domain is
// initialDomain (the issuer of its users' userPrincipalName identity).
func mapUsersQueryIn(q odata.Query, eventual bool, initialDomain string) (usersRequest, error) {
	var out usersRequest
	// $count=true without ConsistencyLevel: eventual is ignored, as Graph
	// ignores it (no @odata.count; the query is not an advanced one).
	if q.Search != nil && !eventual {
		return out, directoryObjects.unsupported("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
	}
	m := userFilterMapper{advanced: eventual && q.Has(odata.OptCount), initialDomain: initialDomain}
	var parts directory.AllOf
	if q.Filter != nil && !m.advanced {
		// Graph's rule outside advanced queries: at most 15 child clauses
		// of an "or" or values of an "in".
		if err := odata.CheckOrValues(q.Filter, odata.MaxOrValues); err != nil {
			return out, directoryObjects.unsupported(err.Error())
		}
	}
	if q.Filter != nil {
		f, err := m.filter(q.Filter)
		if err != nil {
			return out, err
		}
		parts = append(parts, f)
	}
	if q.Search != nil {
		f, err := userSearch(q.Search)
		if err != nil {
			return out, err
		}
		parts = append(parts, f)
	}
	switch len(parts) {
	case 0:
	case 1:
		out.filter = parts[0]
	default:
		out.filter = parts
	}
	if len(q.OrderBy) > 0 {
		o, ok := userOrders[strings.ToLower(q.OrderBy[0].Property)]
		if !ok || len(q.OrderBy) > 1 || (q.Filter != nil && !m.advanced) {
			return out, directoryObjects.unsupported("Sorting not supported for current query.")
		}
		out.query.Order, out.query.Desc = o, q.OrderBy[0].Desc
	}
	sel, err := userSelect(q.Select)
	if err != nil {
		return out, err
	}
	top, err := directoryObjects.pageSize(q)
	if err != nil {
		return out, err
	}
	out.query.Filter, out.query.Limit, out.query.After = out.filter, top, q.SkipToken
	out.count, out.sel = q.Count && eventual, sel
	out.signInActivity = needsSignInActivity(sel) || filtersSignInActivity(out.filter)
	return out, nil
}
