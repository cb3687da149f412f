package console

import (
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/roles"
)

// TestSignInChart: the chart covers the 30 days up to today, successes
// first, failures by reason most frequent first, the fourth reason on
// together with the rest as "other failures"; each day's counts add up
// and days outside the span are left out.
func TestSignInChart(t *testing.T) {
	today := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	day := func(ago int) time.Time { return today.AddDate(0, 0, -ago) }
	counts := []audit.DayCount{
		{Day: day(30), ErrorCode: 0, Count: 99}, // before the span
		{Day: day(29), ErrorCode: 0, Count: 4},
		{Day: day(29), ErrorCode: 50126, Count: 3},
		{Day: day(0), ErrorCode: 0, Count: 2},
		{Day: day(0), ErrorCode: 50181, Count: 5},
		{Day: day(0), ErrorCode: 50034, Count: 1},
		{Day: day(0), ErrorCode: 50057, Count: 1},
		{Day: day(1), ErrorCode: 65004, Count: 1},
	}
	ch := newSignInChart("ja", today, counts)
	var labels []string
	for _, s := range ch.Series {
		labels = append(labels, s.Label)
	}
	want := []string{"成功", "無効なワンタイム パスコード", "パスワードの誤り", "存在しないアカウント", "その他の失敗"}
	if !reflect.DeepEqual(labels, want) {
		t.Fatalf("series = %q, want %q", labels, want)
	}
	if len(ch.Days) != chartDays || ch.Days[0].Date != "2026-11-07" || ch.Days[chartDays-1].Date != "2026-12-06" {
		t.Fatalf("days %d from %s to %s", len(ch.Days), ch.Days[0].Date, ch.Days[len(ch.Days)-1].Date)
	}
	if got := ch.Days[0].Counts; !reflect.DeepEqual(got, []int{4, 0, 3, 0, 0}) {
		t.Fatalf("first day = %v", got)
	}
	if got := ch.Days[chartDays-1].Counts; !reflect.DeepEqual(got, []int{2, 5, 0, 1, 1}) || ch.Days[chartDays-1].Total != 9 {
		t.Fatalf("today = %v (%d)", got, ch.Days[chartDays-1].Total)
	}
	if ch.Successes != 6 || ch.Failures != 11 || ch.Series[4].Total != 2 {
		t.Fatalf("totals: %d successes, %d failures, other %d", ch.Successes, ch.Failures, ch.Series[4].Total)
	}
	// The tallest bar (today, 9) reaches the top of the axis (10).
	var top float64 = plotBase
	for _, b := range ch.Bars {
		top = min(top, b.Y)
	}
	if want := plotBase - 9.0/10*(plotBase-plotTop); top < want-0.01 || top > want+0.01 {
		t.Fatalf("tallest bar tops at %.2f, want %.2f", top, want)
	}
}

// TestSignInChartEmpty: with no sign-ins the chart still has its 30 days
// and an axis, and no bars.
func TestSignInChartEmpty(t *testing.T) {
	ch := newSignInChart("en", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), nil)
	if len(ch.Days) != chartDays || len(ch.Bars) != 0 || len(ch.Series) != 1 || len(ch.YLabels) != 3 {
		t.Fatalf("empty chart: %d days, %d bars, %d series, %d y labels", len(ch.Days), len(ch.Bars), len(ch.Series), len(ch.YLabels))
	}
}

// TestFailureText: a refusal's reason is shown in the page's language;
// an unknown reason of a known code by the code's name in Japanese, as
// recorded in English; an unknown code as recorded.
func TestFailureText(t *testing.T) {
	cases := []struct {
		lang   string
		code   int
		reason string
		want   string
	}{
		{"en", 50126, "Error validating credentials due to invalid username or password.", "50126: Error validating credentials due to invalid username or password."},
		{"ja", 50126, "Error validating credentials due to invalid username or password.", "50126: ユーザー名またはパスワードが正しくないため、資格情報を検証できませんでした。"},
		{"ja", 50181, "The one-time passcode has expired.", "50181: ワンタイム パスコードの有効期限が切れています。"},
		{"ja", 50020, "A reason recorded by a newer version.", "50020: 利用できるサインイン方法なし"},
		{"en", 50020, "A reason recorded by a newer version.", "50020: A reason recorded by a newer version."},
		{"ja", 12345, "Something else.", "12345: Something else."},
	}
	for _, c := range cases {
		if got := failureText(c.lang, c.code, c.reason); got != c.want {
			t.Errorf("failureText(%s, %d) = %q, want %q", c.lang, c.code, got, c.want)
		}
	}
	for reason, id := range reasonKeys {
		if i18n.T("en", id) != reason || !i18n.Has("ja", id) {
			t.Errorf("reason %s: English text differs from the recorded one or no Japanese", id)
		}
	}
}

// TestRoleNames: every built-in role has a Japanese name (Entra's) on
// Japanese pages and Graph's displayName on English ones.
func TestRoleNames(t *testing.T) {
	for _, r := range roles.All() {
		if got := roleName("en", r); got != r.DisplayName {
			t.Errorf("en name of %s = %q", r.DisplayName, got)
		}
		if got := roleName("ja", r); got == r.DisplayName || !i18n.Has("ja", "console.role."+strings.ReplaceAll(r.DisplayName, " ", "")) {
			t.Errorf("ja name of %s = %q", r.DisplayName, got)
		}
	}
	if got := roleName("ja", roles.GlobalAdministrator); got != "グローバル管理者" {
		t.Errorf("ja Global Administrator = %q", got)
	}
}

// TestUserFilters: the Users page searches the middle of the name, the
// address and the UPN, filters by type and state (unknown values are
// ignored), and its page links keep the query.
func TestUserFilters(t *testing.T) {
	r := httptest.NewRequest("GET", "/admin/users?q=+smi+&type=Guest&state=Nope", nil)
	f := readUserFilters(r)
	if f != (userFilters{Query: "smi", Type: "Guest"}) {
		t.Fatalf("filters = %+v", f)
	}
	want := directory.AllOf{
		directory.AnyOf{
			directory.Match{Field: directory.FieldDisplayName, Op: directory.MatchContains, Value: "smi"},
			directory.Match{Field: directory.FieldMail, Op: directory.MatchContains, Value: "smi"},
			directory.Match{Field: directory.FieldUserPrincipalName, Op: directory.MatchContains, Value: "smi"},
		},
		directory.Match{Field: directory.FieldUserType, Op: directory.MatchEq, Value: "Guest"},
	}
	if got := f.filter(); !reflect.DeepEqual(got, want) {
		t.Fatalf("filter = %#v", got)
	}
	if (userFilters{}).filter() != nil {
		t.Fatal("no filter selects a subset")
	}
	if got := f.url("/t/admin", "CUR"); got != "/t/admin/users?after=CUR&q=smi&type=Guest" {
		t.Fatalf("url = %q", got)
	}
	if got := (userFilters{}).url("/t/admin", ""); got != "/t/admin/users" {
		t.Fatalf("first page url = %q", got)
	}
	st := readUserFilters(httptest.NewRequest("GET", "/admin/users?state=PendingAcceptance", nil))
	if got := st.filter(); !reflect.DeepEqual(got, directory.AllOf{directory.Match{Field: directory.FieldExternalUserState, Op: directory.MatchEq, Value: "PendingAcceptance"}}) {
		t.Fatalf("state filter = %#v", got)
	}
}

// TestLocalRows: the sign-in log page shows the result, the method and a
// refusal's reason in the page's language; the audit log's activities
// stay as recorded (Graph's activityDisplayName).
func TestLocalRows(t *testing.T) {
	rows := []logRow{{Activity: "Password", Result: "failure", Code: 50126, Reason: "Error validating credentials due to invalid username or password.", Detail: "50126: Error validating credentials due to invalid username or password."}}
	got := localRows("ja", "signins", rows)[0]
	if got.Activity != "パスワード" || got.Result != "失敗" || got.Detail != "50126: ユーザー名またはパスワードが正しくないため、資格情報を検証できませんでした。" {
		t.Fatalf("ja sign-in row = %+v", got)
	}
	if rows[0].Activity != "Password" {
		t.Fatal("localRows changed the CSV's rows")
	}
	audit := localRows("ja", "audit", []logRow{{Activity: "Password", Result: "success"}})[0]
	if audit.Activity != "Password" || audit.Result != "成功" {
		t.Fatalf("ja audit row = %+v", audit)
	}
	if m := methodName("ja", "Some new method"); m != "Some new method" {
		t.Fatalf("unknown method = %q", m)
	}
}
