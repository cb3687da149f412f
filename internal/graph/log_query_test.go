package graph

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/odata"
)

func mapAuditQuery(raw string) (logQuery, error) {
	v, _ := url.ParseQuery(raw)
	q, err := otherResources.parseQueryValues(v, odata.OptFilter, odata.OptOrderBy, odata.OptTop, odata.OptSkipToken)
	if err != nil {
		return logQuery{}, err
	}
	lq, err := mapLogQuery(q, directoryAuditProps, "activityDateTime")
	if err == nil {
		_, err = parseAuditToken(lq.skipToken)
	}
	return lq, err
}

// TestDirectoryAuditsQueryMapping: the log filters Graph documents for
// directoryAudits become conditions; the rest is 400 BadRequest.
func TestDirectoryAuditsQueryMapping(t *testing.T) {
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	got, err := mapAuditQuery("$filter=activityDateTime ge 2026-11-30T00:00:00Z and activityDisplayName eq 'Add user' and category eq 'UserManagement'" +
		" and initiatedBy/app/displayName eq 'bot' and targetResources/any(t:t/id eq '0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b')&$orderby=activityDateTime asc&$top=7&$skiptoken=12")
	if err != nil {
		t.Fatal(err)
	}
	want := logQuery{conditions: []logCondition{
		{Prop: "activityDateTime", Op: "ge", Time: day},
		{Prop: "activityDisplayName", Op: "eq", Text: "Add user"},
		{Prop: "category", Op: "eq", Text: "UserManagement"},
		{Prop: "initiatedBy/app/displayName", Op: "eq", Text: "bot"},
		{Prop: "targetResources/id", Op: "eq", Text: "0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b"},
	}, ascending: true, skipToken: "12", top: 7}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("mapped:\n got  %+v\n want %+v", got, want)
	}
	if got, _ := mapAuditQuery("$orderby=activityDateTime desc"); got.ascending || got.top != 100 {
		t.Fatalf("desc = %+v", got)
	}
	for _, c := range []struct{ query, msg string }{
		{"$filter=category eq 'a' or category eq 'b'", "'or'"},
		{"$filter=activityDateTime ge '2026-11-30'", "DateTimeOffset"},
		{"$filter=category ge 'a'", "operator 'ge'"},
		{"$filter=id eq 'x'", "property 'id'"},
		{"$filter=targetResources/id eq 'x'", "property 'targetResources/id'"},
		{"$filter=targetResources/all(t:t/id eq 'x')", "any("},
		{"$filter=contains(category,'x')", "function 'contains'"},
		{"$filter=activityDisplayName eq", "Invalid filter clause"},
		{"$orderby=category", "Sorting"},
		{"$select=id", "'$select' is not allowed"},
		{"$skiptoken=abc", "$skiptoken"},
		{"$top=1000", "between 1 and 999"},
	} {
		_, err := mapAuditQuery(c.query)
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || e.Code != "BadRequest" || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s: %v, want 400 BadRequest containing %q", c.query, err, c.msg)
		}
	}
}
