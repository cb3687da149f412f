package graph

import (
	"encoding/base64"
	"strings"

	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/odata"
)

// The $filter, $search and $orderby of GET /v1.0/groups follow the rules
// of users (docs/graph.md): eq, in and startsWith on displayName,
// mailNickname, description and id, joined by and; $search
// "property:text" clauses (displayName, description, mailNickname) joined
// by OR or AND need ConsistencyLevel: eventual; $orderby=displayName with
// a $filter is an advanced query; $count=true without the header is
// ignored, as Graph ignores it. Anything else is 400
// Request_UnsupportedQuery, never an option silently dropped.

var groupFilterFields = map[string]string{
	"id": groups.FieldID, "displayname": groups.FieldDisplayName,
	"mailnickname": groups.FieldMailNickname, "description": groups.FieldDescription,
}

var groupSearchFields = map[string]string{
	"displayname": groups.FieldDisplayName, "mailnickname": groups.FieldMailNickname, "description": groups.FieldDescription,
}

// groupFilterField is the field of a path of $filter.
func groupFilterField(x odata.Expr) (string, error) {
	p, ok := x.(*odata.Path)
	if !ok {
		return "", directoryObjects.unsupported("Unsupported query.")
	}
	f, ok := groupFilterFields[strings.ToLower(p.Name())]
	if !ok {
		return "", directoryObjects.unsupported("Unsupported or invalid query filter clause specified for property '" + p.Name() + "' of resource 'Group'.")
	}
	return f, nil
}

// groupText is a literal a clause compares with.
func groupText(x odata.Expr) (string, error) {
	l, ok := x.(*odata.Literal)
	if !ok || (l.Kind != odata.StringLit && l.Kind != odata.GUIDLit) {
		return "", directoryObjects.unsupported("Unsupported query: compare a property with a string.")
	}
	return l.Text, nil
}

// groupFilter maps $filter to clauses that all hold.
func groupFilter(x odata.Expr) ([]groups.Clause, error) {
	switch x := x.(type) {
	case nil:
		return nil, nil
	case *odata.Binary:
		if x.Op == odata.And {
			l, err := groupFilter(x.Left)
			if err != nil {
				return nil, err
			}
			r, err := groupFilter(x.Right)
			return append(l, r...), err
		}
		if x.Op != odata.Eq {
			return nil, directoryObjects.unsupported("Unsupported query: operator '" + string(x.Op) + "' on groups.")
		}
		f, err := groupFilterField(x.Left)
		if err != nil {
			return nil, err
		}
		v, err := groupText(x.Right)
		return []groups.Clause{{Field: f, Op: groups.OpEq, Values: []string{v}}}, err
	case *odata.Call:
		if !strings.EqualFold(x.Name, "startswith") || len(x.Args) != 2 {
			return nil, directoryObjects.unsupported("Unsupported query: function '" + x.Name + "' on groups.")
		}
		f, err := groupFilterField(x.Args[0])
		if err != nil {
			return nil, err
		}
		v, err := groupText(x.Args[1])
		return []groups.Clause{{Field: f, Op: groups.OpStartsWith, Values: []string{v}}}, err
	case *odata.In:
		f, err := groupFilterField(x.Left)
		if err != nil {
			return nil, err
		}
		c := groups.Clause{Field: f, Op: groups.OpIn}
		for _, e := range x.List {
			v, err := groupText(e)
			if err != nil {
				return nil, err
			}
			c.Values = append(c.Values, v)
		}
		return []groups.Clause{c}, nil
	}
	return nil, directoryObjects.unsupported("Unsupported query.")
}

// groupSearch maps $search: the clauses of an OR, or of an AND of one
// clause (groups.Query ORs its Search).
func groupSearch(s odata.SearchExpr) ([]groups.Clause, error) {
	switch s := s.(type) {
	case nil:
		return nil, nil
	case *odata.SearchBinary:
		if s.Op != "OR" {
			return nil, directoryObjects.unsupported("Only OR joins $search clauses on groups.")
		}
		l, err := groupSearch(s.Left)
		if err != nil {
			return nil, err
		}
		r, err := groupSearch(s.Right)
		return append(l, r...), err
	case *odata.SearchTerm:
		f, ok := groupSearchFields[strings.ToLower(s.Property)]
		if !ok {
			return nil, directoryObjects.invalid("Invalid $search clause: search '" + s.Property + "' is not a searchable property of groups (displayName, description, mailNickname).")
		}
		return []groups.Clause{{Field: f, Op: groups.OpContains, Values: []string{s.Value}}}, nil
	}
	return nil, directoryObjects.unsupported("Unsupported $search.")
}

// groupsRequest is a list of groups as the store reads it.
type groupsRequest struct {
	query groups.Query
	top   int
	count bool
	sel   []string
}

// mapGroupsQuery maps the options of GET /v1.0/groups.
func mapGroupsQuery(q odata.Query, eventual bool) (groupsRequest, error) {
	var out groupsRequest
	if q.Search != nil && !eventual {
		return out, directoryObjects.unsupported("Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'")
	}
	var err error
	if out.query.Filter, err = groupFilter(q.Filter); err != nil {
		return out, err
	}
	if out.query.Search, err = groupSearch(q.Search); err != nil {
		return out, err
	}
	if len(q.OrderBy) > 0 {
		advanced := eventual && q.Has(odata.OptCount)
		if len(q.OrderBy) > 1 || !strings.EqualFold(q.OrderBy[0].Property, "displayName") || (q.Filter != nil && !advanced) {
			return out, directoryObjects.unsupported("Sorting not supported for current query.")
		}
		out.query.ByName, out.query.Desc = true, q.OrderBy[0].Desc
	}
	if out.sel, err = structSelect(directoryObjects, groupBody{}, "microsoft.graph.group", q.Select); err != nil {
		return out, err
	}
	if out.top, err = directoryObjects.pageSize(q); err != nil {
		return out, err
	}
	out.query.Limit, out.count = out.top+1, q.Count && eventual
	if q.SkipToken != "" {
		if err := out.after(q.SkipToken); err != nil {
			return out, err
		}
	}
	return out, nil
}

// A $skiptoken of a list by id is the last id; by name, "n." and the
// last displayName (base64url) then "." and the id.
func groupSkipToken(g groups.Group, byName bool) string {
	if !byName {
		return g.ID
	}
	return "n." + base64.RawURLEncoding.EncodeToString([]byte(g.DisplayName)) + "." + g.ID
}

func (r *groupsRequest) after(token string) error {
	bad := directoryObjects.invalid("Invalid $skiptoken: it belongs to another query.")
	name, byName := strings.CutPrefix(token, "n.")
	if byName != r.query.ByName {
		return bad
	}
	if !byName {
		r.query.AfterID = token
		return nil
	}
	enc, id, ok := strings.Cut(name, ".")
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if !ok || err != nil || id == "" {
		return bad
	}
	r.query.AfterName, r.query.AfterID = string(raw), id
	return nil
}
