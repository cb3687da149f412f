package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/store"
)

// Security round 2, finding 3 (one query can stall every tenant): the
// admin API's side of the defences, through the handler and its one error
// mapper. Both engines' side is in internal/store/sqlstore
// (TestStatementBudget) and internal/e2e (TestHeavyQueriesLeaveOtherTenantsPrompt).

// bearerTokens takes the bearer token as "tenant/app" or "tenant/app/user".
type bearerTokens struct{}

func (bearerTokens) VerifyAccessToken(_ context.Context, raw string) (Caller, error) {
	parts := strings.Split(raw, "/")
	c := Caller{TenantID: parts[0], AppID: parts[1], Roles: []string{"User.Read.All"}}
	if len(parts) == 3 {
		c.Roles = nil
		c.User = directory.User{ID: parts[2], UserType: directory.UserTypeMember}
		c.Scopes = []string{"User.Read.All"}
	}
	return c, nil
}

// queryDirectory answers user queries with query (nil: an empty page) and
// counts them.
type queryDirectory struct {
	directory.Store
	calls atomic.Int64
	query func(ctx context.Context, tenantID string) (directory.UserPage, error)
}

func (d *queryDirectory) GetTenant(_ context.Context, id string) (directory.Tenant, error) {
	return directory.Tenant{ID: id, InitialDomain: id + ".example", Managed: true}, nil
}

func (d *queryDirectory) QueryUsers(ctx context.Context, tenantID string, _ directory.UserQuery) (directory.UserPage, error) {
	d.calls.Add(1)
	if d.query != nil {
		return d.query(ctx, tenantID)
	}
	return directory.UserPage{}, nil
}

func (d *queryDirectory) CountUsers(context.Context, string, directory.UserFilter) (int, error) {
	return 0, nil
}

var costNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// getUsers sends GET /v1.0/users?query as token, with ConsistencyLevel:
// eventual when eventual, and returns the answer.
func getUsers(h http.Handler, token, query string, eventual bool) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "/v1.0/users?"+query, nil)
	r.Header.Set("Authorization", "Bearer "+token)
	if eventual {
		r.Header.Set("ConsistencyLevel", "eventual")
	}
	h.ServeHTTP(w, r)
	return w
}

// wantGraphError checks the status, Graph's envelope and its code.
func wantGraphError(t *testing.T, w *httptest.ResponseRecorder, status int, code, msg string) {
	t.Helper()
	var env errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil {
		t.Fatalf("%d %q is not Graph's envelope: %v", w.Code, w.Body.String(), err)
	}
	if w.Code != status || env.Error.Code != code || !strings.Contains(env.Error.Message, msg) || env.Error.InnerError.RequestID == "" {
		t.Fatalf("%d %+v, want %d %s containing %q", w.Code, env.Error, status, code, msg)
	}
}

// thousandClauses is the security review's search: 1,000 clauses.
func thousandClauses() string {
	parts := make([]string, 1000)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"displayName:w%d"`, i)
	}
	return strings.Join(parts, " OR ")
}

func TestQueryCaps(t *testing.T) {
	dir := &queryDirectory{}
	h := httpx.WithRequestID(mustNew(Deps{Tokens: bearerTokens{}, Directory: dir, Clock: clock.NewFake(costNow)}))
	values := func(n int) string {
		v := make([]string, n)
		for i := range v {
			v[i] = fmt.Sprintf("'u%d@x.example'", i)
		}
		return strings.Join(v, ",")
	}
	cases := []struct {
		rule     string
		query    url.Values
		eventual bool
		msg      string // "" : accepted
	}{
		{"finding3_thousand_clause_search_refused", url.Values{"$search": {thousandClauses()}}, true, "Max allowed: 2048"},
		{"finding3_sixteen_word_search_refused", url.Values{"$search": {`"displayName:a b c d e f g h i j k l m n o p"`}}, true, "Max allowed: 15"},
		{"finding3_fifteen_word_search_accepted", url.Values{"$search": {`"displayName:a b c d e f g h i j k l m n o"`}}, true, ""},
		{"graph_in_of_16_refused_outside_advanced_queries", url.Values{"$filter": {"mail in (" + values(16) + ")"}}, false,
			"Too many child clauses specified in search filter expression containing 'OR' operators: 16. Max allowed: 15."},
		{"graph_in_of_16_accepted_in_an_advanced_query", url.Values{"$filter": {"mail in (" + values(16) + ")"}, "$count": {"true"}}, true, ""},
		{"finding3_in_of_101_refused_in_an_advanced_query", url.Values{"$filter": {"mail in (" + values(101) + ")"}, "$count": {"true"}}, true, "Max allowed: 100"},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			before := dir.calls.Load()
			w := getUsers(h, "t1/app", c.query.Encode(), c.eventual)
			if c.msg == "" {
				if w.Code != http.StatusOK {
					t.Fatalf("%d %s, want 200", w.Code, w.Body)
				}
				return
			}
			wantGraphError(t, w, http.StatusBadRequest, "Request_UnsupportedQuery", c.msg)
			if dir.calls.Load() != before {
				t.Fatal("a refused query reached the store")
			}
		})
	}
}

// TestQueryTimeoutAnswers503: a query the store stopped at its budget is
// a 503 in Graph's envelope with Retry-After, saying what happened.
func TestQueryTimeoutAnswers503(t *testing.T) {
	dir := &queryDirectory{query: func(context.Context, string) (directory.UserPage, error) {
		return directory.UserPage{}, fmt.Errorf("query users: %w: canceling statement due to statement timeout", store.ErrTimeout)
	}}
	h := httpx.WithRequestID(mustNew(Deps{Tokens: bearerTokens{}, Directory: dir, Clock: clock.NewFake(costNow)}))
	w := getUsers(h, "t1/app", `$search="displayName:ter"`, true)
	wantGraphError(t, w, http.StatusServiceUnavailable, "serviceNotAvailable", "took longer than the service allows")
	if w.Header().Get("Retry-After") != "5" {
		t.Fatalf("Retry-After = %q, want 5", w.Header().Get("Retry-After"))
	}
}

// TestReadLimit: finding 3 (no read limit): a caller's reads past the
// limit answer 429 with Retry-After until the window ends, counted per
// app, or per member for a delegated token, in a tenant.
func TestReadLimit(t *testing.T) {
	fake := clock.NewFake(costNow)
	h := httpx.WithRequestID(mustNew(Deps{Tokens: bearerTokens{}, Directory: &queryDirectory{}, Clock: fake,
		ReadLimiter: ratelimit.NewLocal(fake), ReadLimit: ratelimit.Rule{Limit: 2, Window: 10 * time.Second}}))
	for i := range 2 {
		if w := getUsers(h, "t1/app", "", false); w.Code != http.StatusOK {
			t.Fatalf("read %d: %d %s", i+1, w.Code, w.Body)
		}
	}
	fake.Advance(4 * time.Second)
	w := getUsers(h, "t1/app", "", false)
	wantGraphError(t, w, http.StatusTooManyRequests, "TooManyRequests", "too many read requests")
	if w.Header().Get("Retry-After") != "6" {
		t.Fatalf("Retry-After = %q, want 6 (the window's end)", w.Header().Get("Retry-After"))
	}
	for _, other := range []string{"t1/other-app", "t2/app", "t1/app/member-1", "t1/app/member-2"} {
		if w := getUsers(h, other, "", false); w.Code != http.StatusOK {
			t.Fatalf("%s refused for t1/app's reads: %d %s", other, w.Code, w.Body)
		}
	}
	fake.Advance(6 * time.Second)
	if w := getUsers(h, "t1/app", "", false); w.Code != http.StatusOK {
		t.Fatalf("after the window: %d %s", w.Code, w.Body)
	}
}

// TestReadGate: finding 3 (one tenant's queries took every pooled
// connection): while a tenant's reads hold its places, its next read
// answers 429 with Retry-After, and another tenant's reads go on.
func TestReadGate(t *testing.T) {
	held, entered := make(chan struct{}), make(chan struct{})
	var busyCalls atomic.Int64
	dir := &queryDirectory{query: func(_ context.Context, tenantID string) (directory.UserPage, error) {
		if tenantID == "busy" && busyCalls.Add(1) == 1 { // the first read holds its place
			close(entered)
			<-held
		}
		return directory.UserPage{}, nil
	}}
	fake := clock.NewFake(costNow)
	h := httpx.WithRequestID(mustNew(Deps{Tokens: bearerTokens{}, Directory: dir, Clock: fake,
		ReadGate: ratelimit.NewGate(1, 0, 0, fake)}))
	first := make(chan int, 1)
	go func() { first <- getUsers(h, "busy/app", "", false).Code }()
	<-entered // the busy tenant's one place is taken
	w := getUsers(h, "busy/other-app", "", false)
	wantGraphError(t, w, http.StatusTooManyRequests, "TooManyRequests", "too many read requests running at once")
	if w.Header().Get("Retry-After") != "1" {
		t.Fatalf("Retry-After = %q, want 1", w.Header().Get("Retry-After"))
	}
	if w := getUsers(h, "quiet/app", "", false); w.Code != http.StatusOK {
		t.Fatalf("another tenant's read while the busy one is full: %d %s", w.Code, w.Body)
	}
	close(held)
	if code := <-first; code != http.StatusOK {
		t.Fatalf("the held read: %d", code)
	}
	if w := getUsers(h, "busy/app", "", false); w.Code != http.StatusOK {
		t.Fatalf("the busy tenant after its read ended: %d %s", w.Code, w.Body)
	}
}
