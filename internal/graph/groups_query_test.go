package graph

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/guestgate/guestgate/internal/groups"
)

// TestMapGroupsQuery: the list options of GET /v1.0/groups map to a store
// query, and what it cannot answer is 400, never ignored.
func TestMapGroupsQuery(t *testing.T) {
	for _, c := range []struct {
		rule, query string
		eventual    bool
		want        groups.Query
		count       bool
		wantErr     bool
	}{
		{"default_by_id", "", false, groups.Query{Limit: 101}, false, false},
		{"eq_ignores_property_case", "$filter=DisplayName eq 'Partners'", false,
			groups.Query{Filter: []groups.Clause{{Field: groups.FieldDisplayName, Op: groups.OpEq, Values: []string{"Partners"}}}, Limit: 101}, false, false},
		{"startswith_and_in", "$filter=startswith(mailNickname,'ext') and id in ('a','b')", false,
			groups.Query{Filter: []groups.Clause{{Field: groups.FieldMailNickname, Op: groups.OpStartsWith, Values: []string{"ext"}},
				{Field: groups.FieldID, Op: groups.OpIn, Values: []string{"a", "b"}}}, Limit: 101}, false, false},
		{"or_refused", "$filter=displayName eq 'a' or displayName eq 'b'", false, groups.Query{}, false, true},
		{"ne_refused", "$filter=displayName ne 'a'", false, groups.Query{}, false, true},
		{"unknown_property_refused", "$filter=visibility eq 'Private'", false, groups.Query{}, false, true},
		{"search_needs_eventual", `$search="displayName:part"`, false, groups.Query{}, false, true},
		{"search_or", `$search="displayName:part" OR "description:ops"`, true,
			groups.Query{Search: []groups.Clause{{Field: groups.FieldDisplayName, Op: groups.OpContains, Values: []string{"part"}},
				{Field: groups.FieldDescription, Op: groups.OpContains, Values: []string{"ops"}}}, Limit: 101}, false, false},
		{"orderby_displayName", "$orderby=displayName desc&$top=5", false, groups.Query{ByName: true, Desc: true, Limit: 6}, false, false},
		{"orderby_with_filter_needs_advanced", "$orderby=displayName&$filter=startswith(displayName,'a')", false, groups.Query{}, false, true},
		{"orderby_with_filter_advanced", "$orderby=displayName&$filter=startswith(displayName,'a')&$count=true", true,
			groups.Query{Filter: []groups.Clause{{Field: groups.FieldDisplayName, Op: groups.OpStartsWith, Values: []string{"a"}}}, ByName: true, Limit: 101}, true, false},
		{"orderby_other_refused", "$orderby=createdDateTime", false, groups.Query{}, false, true},
		{"count_without_eventual_ignored", "$count=true", false, groups.Query{Limit: 101}, false, false},
		{"skiptoken_by_name", "$orderby=displayName&$skiptoken=n.UGFydG5lcnM.g1", false, groups.Query{ByName: true, AfterName: "Partners", AfterID: "g1", Limit: 101}, false, false},
		{"skiptoken_of_another_order_refused", "$skiptoken=n.UGFydG5lcnM.g1", false, groups.Query{}, false, true},
	} {
		t.Run(c.rule, func(t *testing.T) {
			v, err := url.ParseQuery(c.query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := directoryObjects.parseQueryValues(v, "$filter", "$search", "$select", "$orderby", "$count", "$top", "$skiptoken")
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, err := mapGroupsQuery(q, c.eventual)
			if c.wantErr {
				if e, ok := err.(*Error); !ok || e.Status != 400 {
					t.Fatalf("mapGroupsQuery = %+v, %v; want a 400", got.query, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got.query, c.want) || got.count != c.count {
				t.Fatalf("mapGroupsQuery = %+v (count %t), %v; want %+v (count %t)", got.query, got.count, err, c.want, c.count)
			}
		})
	}
}

func TestGroupSkipTokenRoundTrip(t *testing.T) {
	g := groups.Group{ID: "0f9a", DisplayName: "Partners. ä/b"}
	var r groupsRequest
	r.query.ByName = true
	if err := r.after(groupSkipToken(g, true)); err != nil || r.query.AfterName != g.DisplayName || r.query.AfterID != g.ID {
		t.Fatalf("after = %+v, %v", r.query, err)
	}
}
