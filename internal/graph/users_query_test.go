package graph

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/odata"
)

func parseUsersQuery(t *testing.T, raw string, eventual bool) (usersRequest, error) {
	t.Helper()
	v, err := url.ParseQuery(raw)
	if err != nil {
		t.Fatal(err)
	}
	q, err := odata.ParseQuery(v, odata.OptFilter, odata.OptSearch, odata.OptSelect, odata.OptOrderBy, odata.OptCount, odata.OptTop, odata.OptSkipToken)
	if err != nil {
		return usersRequest{}, err
	}
	return mapUsersQuery(q, eventual)
}

// TestUsersQueryMapping: the OData options Graph SDKs send become the
// directory query they mean.
func TestUsersQueryMapping(t *testing.T) {
	eq := func(f directory.UserField, v string) directory.Match {
		return directory.Match{Field: f, Op: directory.MatchEq, Value: v}
	}
	cases := []struct {
		query    string
		eventual bool
		want     directory.UserFilter
	}{
		{"$filter=mail eq 'a@b.example'", false, eq(directory.FieldMail, "a@b.example")},
		{"$filter=Mail eq 'a@b.example'", false, eq(directory.FieldMail, "a@b.example")},
		{"$filter=startsWith(mail,'t')", false, directory.Match{Field: directory.FieldMail, Op: directory.MatchStartsWith, Value: "t"}},
		{"$filter=startswith(displayName,'Ter')", false, directory.Match{Field: directory.FieldDisplayName, Op: directory.MatchStartsWith, Value: "Ter"}},
		{"$filter=userType eq 'guest'", false, eq(directory.FieldUserType, "Guest")},
		{"$filter=externalUserState eq 'PendingAcceptance'", false, eq(directory.FieldExternalUserState, "PendingAcceptance")},
		{"$filter=creationType eq 'Invitation'", false, eq(directory.FieldCreationType, "Invitation")},
		{"$filter=accountEnabled eq false", false, eq(directory.FieldAccountEnabled, "false")},
		{"$filter=mail eq null", false, eq(directory.FieldMail, "")},
		{"$filter=otherMails/any(x:x eq 'a@b.example')", false, eq(directory.FieldOtherMails, "a@b.example")},
		{"$filter=userType in ('Guest','member')", false, directory.Match{Field: directory.FieldUserType, Op: directory.MatchIn, Values: []string{"Guest", "Member"}}},
		{"$filter=userPrincipalName ge 'a' and userPrincipalName le 'm'", false, directory.AllOf{
			directory.Match{Field: directory.FieldUserPrincipalName, Op: directory.MatchGe, Value: "a"},
			directory.Match{Field: directory.FieldUserPrincipalName, Op: directory.MatchLe, Value: "m"}}},
		{"$filter=userType eq 'Guest' or accountEnabled eq true", false, directory.AnyOf{eq(directory.FieldUserType, "Guest"), eq(directory.FieldAccountEnabled, "true")}},
		// Issue 22 item 3: id, Graph's default filter by object id.
		{"$filter=id eq '0F9A0B1C-2d3e-4f50-8a9b-0c1d2e3f4a5b'", false, eq(directory.FieldID, "0F9A0B1C-2d3e-4f50-8a9b-0c1d2e3f4a5b")},
		{"$filter=id in ('a','b')", false, directory.Match{Field: directory.FieldID, Op: directory.MatchIn, Values: []string{"a", "b"}}},
		{"$filter=identities/any(c:c/issuerAssignedId eq 'ana@partner.example' and c/issuer eq 'https://idp.partner.example')", false,
			directory.AnyOf{directory.AllOf{eq(directory.FieldIdPIssuer, "https://idp.partner.example"), eq(directory.FieldMail, "ana@partner.example")}}},
		{"$filter=userType ne 'Member'&$count=true", true, directory.Not{Of: eq(directory.FieldUserType, "Member")}},
		{"$filter=not(userType eq 'Member')&$count=true", true, directory.Not{Of: eq(directory.FieldUserType, "Member")}},
		{"$filter=endsWith(mail,'@gmail.example')&$count=true", true, directory.Match{Field: directory.FieldMail, Op: directory.MatchEndsWith, Value: "@gmail.example"}},
		{`$search="displayName:ter"`, true, directory.Match{Field: directory.FieldDisplayName, Op: directory.MatchWord, Value: "ter"}},
		{`$search="displayName:ter" OR "mail:ter"&$filter=userType eq 'Guest'`, true, directory.AllOf{eq(directory.FieldUserType, "Guest"), directory.AnyOf{
			directory.Match{Field: directory.FieldDisplayName, Op: directory.MatchWord, Value: "ter"},
			directory.Match{Field: directory.FieldMail, Op: directory.MatchWord, Value: "ter"}}}},
	}
	for _, c := range cases {
		got, err := parseUsersQuery(t, c.query, c.eventual)
		if err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		if !reflect.DeepEqual(got.filter, c.want) || !reflect.DeepEqual(got.query.Filter, c.want) {
			t.Errorf("%s:\n got  %#v\n want %#v", c.query, got.filter, c.want)
		}
	}
	got, err := parseUsersQuery(t, "$orderby=displayName desc&$top=5&$select=id,USERTYPE,displayName&$skiptoken=abc", false)
	if err != nil || got.query.Order != directory.OrderDisplayName || !got.query.Desc || got.query.Limit != 5 || got.query.After != "abc" ||
		!reflect.DeepEqual(got.sel, []string{"id", "userType", "displayName"}) {
		t.Fatalf("orderby/top/select = %+v, %v", got, err)
	}
	if got, _ := parseUsersQuery(t, "", false); got.query.Limit != 100 || got.sel != nil || got.filter != nil {
		t.Fatalf("no options = %+v", got)
	}
	// Issue 22 item 3: the userPrincipalName identity, whose issuer is the
	// tenant's initial domain.
	v, _ := url.ParseQuery("$filter=identities/any(x:x/issuer eq 'Fabrikam.guestgate.local' and x/issuerAssignedId eq 'kim@fabrikam.example')")
	q, err := directoryObjects.parseQueryValues(v, odata.OptFilter)
	if err != nil {
		t.Fatal(err)
	}
	upn, err := mapUsersQueryIn(q, false, "fabrikam.guestgate.local")
	want := directory.AnyOf{eq(directory.FieldUserPrincipalName, "kim@fabrikam.example"),
		directory.AllOf{eq(directory.FieldIdPIssuer, "Fabrikam.guestgate.local"), eq(directory.FieldMail, "kim@fabrikam.example")}}
	if err != nil || !reflect.DeepEqual(upn.filter, directory.UserFilter(want)) {
		t.Fatalf("identities/any with the initial domain = %#v, %v", upn.filter, err)
	}
	// Issue 22 item 4: $count=true without ConsistencyLevel: eventual is
	// ignored, as Graph ignores it; it does not make an advanced query.
	if got, err := parseUsersQuery(t, "$count=true", false); err != nil || got.count {
		t.Fatalf("$count=true without the header = %+v, %v; want it ignored", got, err)
	}
	if got, err := parseUsersQuery(t, "$count=true", true); err != nil || !got.count {
		t.Fatalf("$count=true with the header = %+v, %v; want the count", got, err)
	}
	if _, err := parseUsersQuery(t, "$filter=mail ne 'a@b.example'&$count=true", false); err == nil {
		t.Fatal("ne with $count=true but without the header was taken as an advanced query")
	}
}

// TestUsersQueryRefusals: what Graph does not support is a 400 with
// Graph's code, never ignored.
func TestUsersQueryRefusals(t *testing.T) {
	cases := []struct {
		query    string
		eventual bool
		code     string
		msg      string
	}{
		{"$expand=manager", false, "Request_UnsupportedQuery", "'$expand' is not allowed"},
		{"$filter=mail eq", false, "Request_BadRequest", "Invalid filter clause"},
		{"$filter=department eq 'x'", false, "Request_UnsupportedQuery", "property 'department' of resource 'User'"},
		{"$filter=contains(mail,'x')", false, "Request_UnsupportedQuery", "operator 'Contains'"},
		{"$filter=startsWith(userType,'G')", false, "Request_UnsupportedQuery", "property 'userType'"},
		{"$filter=mail gt 'a'", false, "Request_UnsupportedQuery", "operator 'gt'"},
		{"$filter=mail ne 'a@b.example'", false, "Request_UnsupportedQuery", "advanced queries"},
		{"$filter=not(mail eq 'a@b.example')", true, "Request_UnsupportedQuery", "advanced queries"},
		{"$filter=endsWith(displayName,'x')&$count=true", true, "Request_UnsupportedQuery", "property 'displayName'"},
		{"$filter=accountEnabled eq 'yes'", false, "Request_UnsupportedQuery", "property 'accountEnabled'"},
		{"$filter=mail eq 'a' or userType eq null and accountEnabled eq null", false, "Request_UnsupportedQuery", "property 'accountEnabled'"},
		{"$filter=identities/any(c:c/issuer eq 'x')", false, "Request_UnsupportedQuery", "property 'identities'"},
		{"$filter=identities/any(c:c/issuer eq 'x' and c/issuer eq 'y')", false, "Request_UnsupportedQuery", "property 'identities'"},
		{"$filter=identities/any(c:c/signInType eq 'x' and c/issuer eq 'y')", false, "Request_UnsupportedQuery", "property 'identities'"},
		{"$filter=identities/any(c:startsWith(c/issuerAssignedId,'x') and c/issuer eq 'y')", false, "Request_UnsupportedQuery", "property 'identities'"},
		{"$filter=id ne 'x'", false, "Request_UnsupportedQuery", "advanced queries"},
		{"$filter=startsWith(id,'x')", false, "Request_UnsupportedQuery", "property 'id'"},
		{"$filter=otherMails/all(x:x eq 'a')", false, "Request_UnsupportedQuery", "property 'otherMails'"},
		{"$filter=otherMails/any(x:startsWith(x,'a'))", false, "Request_UnsupportedQuery", "property 'otherMails'"},
		{"$filter='a' eq mail", false, "Request_UnsupportedQuery", "Unsupported Query"},
		{`$search="displayName:ter"`, false, "Request_UnsupportedQuery", "ConsistencyLevel: eventual"},
		{`$search="ter"`, true, "Request_UnsupportedQuery", "name a property"},
		{`$search="jobTitle:x"`, true, "Request_UnsupportedQuery", "'jobTitle' does not support $search"},
		{`$search=ter`, true, "Request_BadRequest", "Invalid $search"},
		{"$orderby=mail", false, "Request_UnsupportedQuery", "Sorting not supported"},
		{"$orderby=displayName,userPrincipalName", false, "Request_UnsupportedQuery", "Sorting not supported"},
		{"$orderby=displayName&$filter=userType eq 'Guest'", false, "Request_UnsupportedQuery", "Sorting not supported"},
		{"$select=id,favouriteColour", false, "Request_BadRequest", "property named 'favouriteColour'"},
		{"$top=0", false, "Request_BadRequest", "between 1 and 999"},
		{"$top=1000", false, "Request_BadRequest", "between 1 and 999"},
		{"$top=ten", false, "Request_BadRequest", "$top"},
		{"$filter=mail eq 'a'&$FILTER=mail eq 'b'", false, "Request_UnsupportedQuery", "more than once"},
	}
	for _, c := range cases {
		v, _ := url.ParseQuery(c.query)
		q, err := directoryObjects.parseQueryValues(v, odata.OptFilter, odata.OptSearch, odata.OptSelect, odata.OptOrderBy, odata.OptCount, odata.OptTop, odata.OptSkipToken)
		if err == nil {
			_, err = mapUsersQuery(q, c.eventual)
		}
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || e.Code != c.code || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s: %v, want 400 %s containing %q", c.query, err, c.code, c.msg)
		}
	}
	if _, err := parseUsersQuery(t, "$orderby=displayName&$filter=userType eq 'Guest'&$count=true", true); err != nil {
		t.Errorf("$orderby with $filter in an advanced query: %v", err)
	}
}
