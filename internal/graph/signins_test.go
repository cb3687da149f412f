package graph

import (
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/odata"
)

func TestSignInShape(t *testing.T) {
	at := time.Date(2030, 1, 2, 3, 4, 5, 600, time.UTC)
	guest := audit.SignIn{
		TenantID: "tid", ID: "sid", CreatedAt: at, UserID: "uid", UserPrincipalName: "teri_gmail.example#EXT#@f.local",
		UserDisplayName: "Teri", UserType: audit.SignInGuest, AppID: "app", AppDisplayName: "Wiki", IPAddress: "192.0.2.7",
		UserAgent: "UA", ClientAppUsed: audit.SignInBrowser, CorrelationID: "corr", FailureReason: "Other.",
		IdP: "mail", AuthenticationMethod: "Email OTP", CrossTenantAccessType: audit.SignInB2BCollaboration,
	}
	raw, err := json.Marshal(signInOut(guest))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.Unmarshal(raw, &got)
	want := map[string]any{
		"id": "sid", "createdDateTime": "2030-01-02T03:04:05Z", "userId": "uid", "userType": "guest",
		"userPrincipalName": "teri_gmail.example#EXT#@f.local", "appId": "app", "appDisplayName": "Wiki",
		"resourceDisplayName": "Wiki", "resourceTenantId": "tid", "homeTenantId": nil, "ipAddress": "192.0.2.7",
		"clientAppUsed": "Browser", "correlationId": "corr", "crossTenantAccessType": "b2bCollaboration",
		"tokenIssuerName": "mail", "isInteractive": true, "conditionalAccessStatus": "notApplied",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	st := got["status"].(map[string]any)
	if st["errorCode"] != 0.0 || st["failureReason"] != "Other." || st["additionalDetails"] != nil {
		t.Errorf("status = %v", st)
	}
	if m := got["authenticationMethodsUsed"].([]any); len(m) != 1 || m[0] != "Email OTP" {
		t.Errorf("authenticationMethodsUsed = %v", m)
	}
}

func TestSignInSkipToken(t *testing.T) {
	s := audit.SignIn{ID: "0b8f5e2a-3c4d-4e5f-8a9b-1c2d3e4f5a6b", CreatedAt: time.Date(2030, 1, 2, 3, 4, 5, 123000, time.UTC)}
	c, err := parseSignInToken(signInToken(s))
	if err != nil || c.ID != s.ID || !c.CreatedAt.Equal(s.CreatedAt) {
		t.Fatalf("round trip = %+v, %v", c, err)
	}
	for _, bad := range []string{"", "!!", "MTIz", "eC55"} {
		if _, err := parseSignInToken(bad); err == nil {
			t.Errorf("token %q accepted", bad)
		}
	}
}

func mapSignInsQuery(raw string) (audit.SignInQuery, int, error) {
	v, _ := url.ParseQuery(raw)
	q, err := otherResources.parseQueryValues(v, odata.OptFilter, odata.OptOrderBy, odata.OptTop, odata.OptSkipToken)
	if err != nil {
		return audit.SignInQuery{}, 0, err
	}
	return mapSignInQuery(q)
}

// TestSignInsQueryMapping: the signIn filters Graph documents become store
// conditions; createdDateTime compares to the second clients read.
func TestSignInsQueryMapping(t *testing.T) {
	sec := time.Date(2026, 11, 30, 8, 0, 5, 0, time.UTC)
	frac := sec.Add(250 * time.Millisecond)
	when := func(op audit.Op, t time.Time) audit.SignInCondition {
		return audit.SignInCondition{Field: audit.SignInFieldCreatedDateTime, Op: op, Time: t}
	}
	text := func(f audit.SignInField, op audit.Op, v string) audit.SignInCondition {
		return audit.SignInCondition{Field: f, Op: op, Value: v}
	}
	cases := []struct {
		rule, query string
		want        []audit.SignInCondition
	}{
		{"created_ge", "createdDateTime ge 2026-11-30T08:00:05Z", []audit.SignInCondition{when(audit.OpGe, sec)}},
		{"created_lt", "createdDateTime lt 2026-11-30T08:00:05Z", []audit.SignInCondition{when(audit.OpLt, sec)}},
		{"created_eq_is_the_second", "createdDateTime eq 2026-11-30T08:00:05Z", []audit.SignInCondition{when(audit.OpGe, sec), when(audit.OpLt, sec.Add(time.Second))}},
		{"created_gt_is_past_the_second", "createdDateTime gt 2026-11-30T08:00:05Z", []audit.SignInCondition{when(audit.OpGe, sec.Add(time.Second))}},
		{"created_le_is_through_the_second", "createdDateTime le 2026-11-30T08:00:05Z", []audit.SignInCondition{when(audit.OpLt, sec.Add(time.Second))}},
		{"created_fraction_is_exact", "createdDateTime gt 2026-11-30T08:00:05.25Z", []audit.SignInCondition{when(audit.OpGt, frac)}},
		{"upn_eq", "userPrincipalName eq 'Teri_gmail.example#EXT#@f.local'", []audit.SignInCondition{text(audit.SignInFieldUserPrincipalName, audit.OpEq, "Teri_gmail.example#EXT#@f.local")}},
		{"upn_startswith", "startsWith(userPrincipalName,'teri')", []audit.SignInCondition{text(audit.SignInFieldUserPrincipalName, audit.OpStartsWith, "teri")}},
		{"user_id_guid", "userId eq 0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b", []audit.SignInCondition{text(audit.SignInFieldUserID, audit.OpEq, "0f9a0b1c-2d3e-4f50-8a9b-0c1d2e3f4a5b")}},
		{"app_id", "appId eq 'a1'", []audit.SignInCondition{text(audit.SignInFieldAppID, audit.OpEq, "a1")}},
		{"user_display_name", "userDisplayName eq 'Teri'", []audit.SignInCondition{text(audit.SignInFieldUserDisplayName, audit.OpEq, "Teri")}},
		{"user_display_name_startswith", "startsWith(userDisplayName,'Te')", []audit.SignInCondition{text(audit.SignInFieldUserDisplayName, audit.OpStartsWith, "Te")}},
		{"app_display_name", "startswith(appDisplayName,'Wi')", []audit.SignInCondition{text(audit.SignInFieldAppDisplayName, audit.OpStartsWith, "Wi")}},
		{"ip_address", "ipAddress eq '192.0.2.7'", []audit.SignInCondition{text(audit.SignInFieldIPAddress, audit.OpEq, "192.0.2.7")}},
		{"correlation_id", "correlationId eq 'c'", []audit.SignInCondition{text(audit.SignInFieldCorrelationID, audit.OpEq, "c")}},
		{"error_code", "status/errorCode eq 50126", []audit.SignInCondition{{Field: audit.SignInFieldErrorCode, Op: audit.OpEq, Number: 50126}}},
		{"user_type_and_cross_tenant", "userType eq 'guest' and crossTenantAccessType eq 'b2bCollaboration'", []audit.SignInCondition{
			text(audit.SignInFieldUserType, audit.OpEq, "guest"), text(audit.SignInFieldCrossTenantAccessType, audit.OpEq, "b2bCollaboration")}},
		{"property_names_in_any_case", "USERID eq 'u' and Status/ErrorCode eq 0", []audit.SignInCondition{
			text(audit.SignInFieldUserID, audit.OpEq, "u"), {Field: audit.SignInFieldErrorCode, Op: audit.OpEq, Number: 0}}},
	}
	for _, c := range cases {
		got, top, err := mapSignInsQuery(url.Values{"$filter": {c.query}}.Encode())
		if err != nil {
			t.Errorf("%s: %v", c.rule, err)
			continue
		}
		if !reflect.DeepEqual(got.Conditions, c.want) || top != 100 || got.Limit != 101 || got.Ascending {
			t.Errorf("%s:\n got  %+v (top %d)\n want %+v", c.rule, got, top, c.want)
		}
	}
	tok := signInToken(audit.SignIn{ID: "s1", CreatedAt: sec})
	got, top, err := mapSignInsQuery(url.Values{"$orderby": {"createdDateTime asc"}, "$top": {"5"}, "$skiptoken": {tok}}.Encode())
	if err != nil || !got.Ascending || top != 5 || got.Limit != 6 || got.After.ID != "s1" || !got.After.CreatedAt.Equal(sec) {
		t.Fatalf("orderby/top/skiptoken = %+v %d, %v", got, top, err)
	}
	if got, _, _ := mapSignInsQuery("$orderby=createdDateTime desc"); got.Ascending {
		t.Fatalf("desc = %+v", got)
	}
}

// TestSignInsQueryRefusals: what the sign-in log does not support is 400
// BadRequest in Graph's envelope, never ignored.
func TestSignInsQueryRefusals(t *testing.T) {
	for _, c := range []struct{ query, msg string }{
		{"$filter=userId eq 'a' or (userId eq 'b' and appId eq 'c')", "'or'"},
		{"$filter=createdDateTime lt 2026-11-30T00:00:00Z or userId eq 'b'", "'or' is not supported on createdDateTime"},
		{"$filter=userDisplayName ne 'Teri'", "operator 'ne'"},
		{"$filter=deviceDetail/browser eq 'x'", "property 'deviceDetail/browser'"},
		{"$filter=userId ne 'a'", "operator 'ne'"},
		{"$filter=startsWith(userId,'a')", "operator 'startsWith' is not supported for property 'userId'"},
		{"$filter=status/errorCode ge 1", "operator 'ge'"},
		{"$filter=status/errorCode eq '50126'", "an integer"},
		{"$filter=createdDateTime ge '2026-11-30'", "DateTimeOffset"},
		{"$filter=userPrincipalName eq 7", "a string"},
		{"$filter=contains(userPrincipalName,'x')", "function 'contains'"},
		{"$filter=not(userId eq 'a')", "not supported"},
		{"$filter=userId eq", "Invalid filter clause"},
		{"$orderby=userPrincipalName", "Sorting is only supported on createdDateTime"},
		{"$orderby=createdDateTime,id", "Sorting"},
		{"$count=true", "'$count' is not allowed"},
		{"$top=0", "between 1 and 999"},
		{"$top=1000", "between 1 and 999"},
		{"$skiptoken=abc", "$skiptoken"},
		{"$top=1&$TOP=2", "more than once"},
	} {
		_, _, err := mapSignInsQuery(c.query)
		var e *Error
		if !errors.As(err, &e) || e.Status != 400 || e.Code != "BadRequest" || !strings.Contains(e.Message, c.msg) {
			t.Errorf("%s: %v, want 400 BadRequest containing %q", c.query, err, c.msg)
		}
	}
}
