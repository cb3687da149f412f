package graph

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
)

// TestSignInActivityFilter (issue 22, item 2): Graph's documented filter
// for stale users, signInActivity/lastSignInDateTime le …, and the other
// comparisons of its times become directory matches, and mark the query
// as needing AuditLog.Read.All.
func TestSignInActivityFilter(t *testing.T) {
	at := "2026-01-01T00:00:00Z"
	cases := []struct {
		query string
		want  directory.UserFilter
	}{
		{"$filter=signInActivity/lastSignInDateTime le 2026-01-01T00:00:00Z", directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchLe, Value: at}},
		{"$filter=signInActivity/lastSignInDateTime ge 2026-01-01T09:00:00%2B09:00", directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchGe, Value: at}},
		{"$filter=signInActivity/lastSignInDateTime lt 2026-01-01T00:00:00Z", directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchLt, Value: at}},
		{"$filter=signInActivity/lastSignInDateTime gt 2026-01-01T00:00:00Z", directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchGt, Value: at}},
		{"$filter=signInActivity/lastSignInDateTime eq 2026-01-01T00:00:00Z", directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchEq, Value: at}},
		{"$filter=signInActivity/lastSignInDateTime eq null", directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchEq, Value: ""}},
		{"$filter=signInActivity/lastSuccessfulSignInDateTime le 2026-01-01T00:00:00Z", directory.Match{Field: directory.FieldLastSuccessfulSignIn, Op: directory.MatchLe, Value: at}},
		{"$filter=signInActivity/lastNonInteractiveSignInDateTime ge 2026-01-01T00:00:00Z", directory.Match{Field: directory.FieldLastNonInteractiveSignIn, Op: directory.MatchGe, Value: at}},
		{"$filter=userType eq 'Guest' and signInActivity/lastSignInDateTime le 2026-01-01T00:00:00Z", directory.AllOf{
			directory.Match{Field: directory.FieldUserType, Op: directory.MatchEq, Value: "Guest"},
			directory.Match{Field: directory.FieldLastSignIn, Op: directory.MatchLe, Value: at}}},
	}
	for _, c := range cases {
		got, err := parseUsersQuery(t, c.query, false)
		if err != nil {
			t.Errorf("%s: %v", c.query, err)
			continue
		}
		if !reflect.DeepEqual(got.filter, c.want) || !got.signInActivity {
			t.Errorf("%s:\n got  %#v (signInActivity %v)\n want %#v", c.query, got.filter, got.signInActivity, c.want)
		}
	}
	for _, q := range []string{
		"$filter=signInActivity/lastSignInDateTime le '2026-01-01'",
		"$filter=signInActivity/lastSignInRequestId eq 'x'",
		"$filter=startsWith(signInActivity/lastSignInDateTime,'2026')",
	} {
		var e *Error
		if _, err := parseUsersQuery(t, q, false); !errors.As(err, &e) || e.Code != "Request_UnsupportedQuery" {
			t.Errorf("%s: %v, want Request_UnsupportedQuery", q, err)
		}
	}
	if got, _ := parseUsersQuery(t, "$select=displayName,signInActivity", false); !got.signInActivity {
		t.Error("$select=signInActivity does not ask for AuditLog.Read.All")
	}
	if got, _ := parseUsersQuery(t, "$select=displayName&$filter=userType eq 'Guest'", false); got.signInActivity {
		t.Error("a query without signInActivity asks for AuditLog.Read.All")
	}
}

// TestSignInActivityAnswer: signInActivity as Graph answers it, nulls for
// a user who never signed in.
func TestSignInActivityAnswer(t *testing.T) {
	u := directory.User{ID: "u"}
	b, _ := json.Marshal(userObject(u, "", []string{"signInActivity"}, ""))
	if want := `{"signInActivity":{"lastSignInDateTime":null,"lastSignInRequestId":null,"lastNonInteractiveSignInDateTime":null,"lastNonInteractiveSignInRequestId":null,"lastSuccessfulSignInDateTime":null,"lastSuccessfulSignInRequestId":null}}`; string(b) != want {
		t.Fatalf("never signed in: %s\nwant %s", b, want)
	}
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	u.SignInActivity = directory.SignInActivity{LastSignIn: at.Add(time.Hour), LastSignInRequestID: "r2", LastSuccessfulSignIn: at, LastSuccessfulSignInRequestID: "r1"}
	b, _ = json.Marshal(userObject(u, "", []string{"signInActivity"}, ""))
	if want := `{"signInActivity":{"lastSignInDateTime":"2030-01-02T04:04:05Z","lastSignInRequestId":"r2","lastNonInteractiveSignInDateTime":null,"lastNonInteractiveSignInRequestId":null,"lastSuccessfulSignInDateTime":"2030-01-02T03:04:05Z","lastSuccessfulSignInRequestId":"r1"}}`; string(b) != want {
		t.Fatalf("signed in: %s\nwant %s", b, want)
	}
}

// TestSignInActivityNeedsAuditLogRead: an app with User.Read.All only is
// refused signInActivity (Graph asks for AuditLog.Read.All as well), on a
// user and on the list, by $select or $filter; other properties it reads.
func TestSignInActivityNeedsAuditLogRead(t *testing.T) {
	a := mustNew(Deps{
		Tokens:    fakeVerifier{Caller{TenantID: "tid", AppID: "app", Roles: []string{"User.Read.All"}}},
		Directory: fakeTenants{}, Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	for _, target := range []string{
		"/v1.0/users/u1?$select=id,signInActivity",
		"/v1.0/users?$select=id,signInActivity",
		"/v1.0/users?$filter=signInActivity/lastSignInDateTime%20le%202026-01-01T00:00:00Z",
	} {
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.Header.Set("Authorization", "Bearer x")
		w := httptest.NewRecorder()
		a.ServeHTTP(w, r)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "Authorization_RequestDenied") {
			t.Errorf("%s: %d %s, want 403 Authorization_RequestDenied", target, w.Code, w.Body)
		}
	}
}
