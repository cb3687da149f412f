package graph

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
)

// fakeVerifier lets every bearer token in as caller.
type fakeVerifier struct{ caller Caller }

func (v fakeVerifier) VerifyAccessToken(context.Context, string) (Caller, error) {
	return v.caller, nil
}

// fakeSignIns answers every query with rows and keeps the last query.
type fakeSignIns struct {
	audit.SignInStore
	rows []audit.SignIn
	last audit.SignInQuery
}

func (f *fakeSignIns) QuerySignIns(_ context.Context, _ string, q audit.SignInQuery) ([]audit.SignIn, error) {
	f.last = q
	return f.rows, nil
}

func (f *fakeSignIns) GetSignIn(_ context.Context, _, id string) (audit.SignIn, error) {
	return f.rows[0], nil
}

func signInAPI(rows ...audit.SignIn) (*API, *fakeSignIns) {
	store := &fakeSignIns{rows: rows}
	return mustNew(Deps{
		Tokens:  fakeVerifier{Caller{TenantID: "tid", AppID: "app", Roles: []string{"AuditLog.Read.All"}}},
		SignIns: store, Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "https://gg.example",
	}), store
}

func getJSON(t *testing.T, a *API, path string, out any) int {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("Authorization", "Bearer x")
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, w.Body.String())
		}
	}
	return w.Code
}

// TestSignInsSelectAndOr (issue 22, item 11): Graph's documented signIn
// requests — $select of a few properties, $filter on userDisplayName, and
// alternatives joined by "or" — are answered as Graph answers them.
func TestSignInsSelectAndOr(t *testing.T) {
	row := audit.SignIn{TenantID: "tid", ID: "sid", CreatedAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		UserPrincipalName: "teri_gmail.example#EXT#@f.local", UserDisplayName: "Teri", AppDisplayName: "Wiki", ErrorCode: 50181,
		FailureReason: "The one-time passcode is not valid."}
	a, store := signInAPI(row)

	var page struct {
		Context string           `json:"@odata.context"`
		Value   []map[string]any `json:"value"`
	}
	q := url.Values{"$select": {"userPrincipalName,status,createdDateTime"},
		"$filter": {"(userDisplayName eq 'Teri' or startsWith(appDisplayName,'Wi')) and (status/errorCode eq 50181 or status/errorCode eq 50126)"}}
	if s := getJSON(t, a, "/v1.0/auditLogs/signIns?"+q.Encode(), &page); s != http.StatusOK || len(page.Value) != 1 {
		t.Fatalf("signIns = %d %+v", s, page)
	}
	if page.Context != "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns(userPrincipalName,status,createdDateTime)" {
		t.Errorf("@odata.context = %q", page.Context)
	}
	got := page.Value[0]
	if len(got) != 3 || got["userPrincipalName"] != row.UserPrincipalName || got["createdDateTime"] != "2030-01-02T03:04:05Z" ||
		got["status"].(map[string]any)["errorCode"] != 50181.0 {
		t.Errorf("selected sign-in = %v", got)
	}
	text := func(f audit.SignInField, op audit.Op, v string) audit.SignInCondition {
		return audit.SignInCondition{Field: f, Op: op, Value: v}
	}
	code := func(n int) audit.SignInCondition {
		return audit.SignInCondition{Field: audit.SignInFieldErrorCode, Op: audit.OpEq, Number: n}
	}
	want := [][]audit.SignInCondition{
		{text(audit.SignInFieldUserDisplayName, audit.OpEq, "Teri"), text(audit.SignInFieldAppDisplayName, audit.OpStartsWith, "Wi")},
		{code(50181), code(50126)},
	}
	if !reflect.DeepEqual(store.last.AnyOf, want) || len(store.last.Conditions) != 0 {
		t.Errorf("store query = %+v, want AnyOf %+v", store.last, want)
	}

	// Graph's one-line example: a user's sign-ins by address or name.
	q = url.Values{"$filter": {"userPrincipalName eq 'a@b.example' or userDisplayName eq 'Teri' or userPrincipalName eq 'c@d.example'"}}
	if s := getJSON(t, a, "/v1.0/auditLogs/signIns?"+q.Encode(), &page); s != http.StatusOK {
		t.Fatalf("or of three = %d", s)
	}
	if len(store.last.AnyOf) != 1 || len(store.last.AnyOf[0]) != 3 {
		t.Errorf("or of three = %+v", store.last)
	}

	var one map[string]any
	if s := getJSON(t, a, "/v1.0/auditLogs/signIns/sid?$select=id,appDisplayName", &one); s != http.StatusOK || len(one) != 3 ||
		one["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#auditLogs/signIns(id,appDisplayName)/$entity" || one["appDisplayName"] != "Wiki" {
		t.Errorf("signIn by id with $select = %d %v", s, one)
	}

	for _, c := range []struct{ query, msg string }{
		{"$select=nope", "Could not find a property named 'nope' on type 'microsoft.graph.signIn'."},
		{"$filter=" + url.QueryEscape("userId eq 'a' or (userId eq 'b' and appId eq 'c')"), "'or' is not supported"},
		{"$filter=" + url.QueryEscape("createdDateTime ge 2030-01-01T00:00:00Z or userId eq 'b'"), "'or' is not supported on createdDateTime"},
	} {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if s := getJSON(t, a, "/v1.0/auditLogs/signIns?"+c.query, &e); s != http.StatusBadRequest || e.Error.Code != "BadRequest" ||
			!strings.Contains(e.Error.Message, c.msg) {
			t.Errorf("%s = %d %+v, want 400 containing %q", c.query, s, e, c.msg)
		}
	}
}
