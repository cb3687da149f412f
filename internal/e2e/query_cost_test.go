package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/server"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// Security round 2, finding 3: one query could stall every tenant (a
// 1,000-clause $search ran 30–44 s; 18 parallel searches by a member with
// no role made another tenant's token endpoint take 28 s).

// seedUsers stores n guests in the tenant, 50 per transaction (each
// within the query timeout), with names and addresses no search word of
// heaviestSearch matches.
func seedUsers(t *testing.T, in *e2etest.Instance, tn directory.Tenant, n int) {
	t.Helper()
	db := in.Srv.DB()
	now := time.Now().UTC()
	for done := 0; done < n; {
		batch := min(50, n-done)
		err := db.InTx(context.Background(), func(ctx context.Context) error {
			for i := done; i < done+batch; i++ {
				addr := fmt.Sprintf("member%06d.of-staff@partner%d.example", i, i%37)
				u := directory.User{
					TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest, DisplayName: fmt.Sprintf("Staff Member %06d", i), Mail: addr,
					UserPrincipalName: directory.GuestUserPrincipalName(addr, tn.InitialDomain), CreationType: "Invitation",
					AccountEnabled: true, ExternalUserState: directory.StateAccepted, ExternalUserStateChangedAt: now,
					IdP: directory.IdPMail, IdPIssuer: string(directory.IdPMail), CreatedAt: now,
				}
				if err := db.CreateUser(ctx, u); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("seed users: %v", err)
		}
		done += batch
	}
}

// heaviestSearch is the most expensive GET /v1.0/users the caps allow:
// 15 one-word clauses joined by OR over the three searchable properties,
// none matching (so no comparison is skipped), counted, sorted, with the
// largest page.
func heaviestSearch(in *e2etest.Instance) string {
	props := []string{"displayName", "mail", "userPrincipalName"}
	clauses := make([]string, 15)
	for i := range clauses {
		clauses[i] = fmt.Sprintf(`"%s:zq%dx"`, props[i%3], i)
	}
	return usersURL(in, "$search", strings.Join(clauses, " OR "), "$count", "true", "$orderby", "displayName", "$top", "999")
}

// thousandClauseSearch is the security review's query.
func thousandClauseSearch(in *e2etest.Instance) string {
	clauses := make([]string, 1000)
	for i := range clauses {
		clauses[i] = fmt.Sprintf(`"displayName:w%d"`, i)
	}
	return usersURL(in, "$search", strings.Join(clauses, " OR "))
}

var eventualHeader = map[string]string{"ConsistencyLevel": "eventual"}

// burstCallers is how many callers of one app run heavy queries at once.
const burstCallers = 32

// TestHeavyQueriesLeaveOtherTenantsPrompt: while one tenant's app runs a
// burst of the heaviest queries the caps allow, another tenant's sign-in
// step and token endpoint answer promptly, on both engines: the tenant's
// reads run a few at a time (the rest wait, then answer 429), so they
// never hold every pooled connection, and each statement has a budget.
func TestHeavyQueriesLeaveOtherTenantsPrompt(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		busy, busyAPI := in.TenantWithAdmin("Contoso", "contoso.example", "User.Read.All")
		// Enough users for the heaviest query to cost the store real time;
		// SQLite's LIKE runs in Go, much slower than PostgreSQL's under the
		// race detector, so it gets fewer to stay within the query timeout.
		users := 4000
		if !sqlstore.IsPostgresURL(dsn) {
			users = 1000
		}
		seedUsers(t, in, busy, users)

		quiet, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		if _, err := in.Srv.Invite(context.Background(), quiet, invitation.Request{Email: "kim@partner.example", RedirectURL: "https://rp.fabrikam.example/"}); err != nil {
			t.Fatal(err)
		}
		rp := e2etest.NewRelyingParty(t, in, quiet)
		app, secret, err := in.Srv.CreateApp(context.Background(), quiet.ID, "Reporting", []string{"User.Read.All"}, nil, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		tokens := clientcredentials.Config{ClientID: app.AppID, ClientSecret: secret, TokenURL: in.URL + "/" + quiet.ID + "/oauth2/v2.0/token",
			Scopes: []string{"https://graph.microsoft.com/.default"}}

		// The review's own query is refused before it costs anything.
		if s, raw := graphGet(t, busyAPI, thousandClauseSearch(in), eventualHeader); s != http.StatusBadRequest || !strings.Contains(string(raw), "Request_UnsupportedQuery") {
			t.Fatalf("the 1,000-clause search = %d %s, want 400 Request_UnsupportedQuery", s, raw)
		}
		// The heaviest allowed query runs (or, on a loaded machine, is
		// stopped at the query timeout), and costs the store real time.
		t0 := time.Now()
		s, raw := graphGet(t, busyAPI, heaviestSearch(in), eventualHeader)
		if s != http.StatusOK && s != http.StatusServiceUnavailable {
			t.Fatalf("the heaviest allowed search = %d %s", s, raw)
		}
		t.Logf("one heaviest allowed search over %d users: %d in %s", users, s, time.Since(t0))

		// The burst: 32 callers in a loop, until the probes are done (twice
		// the PostgreSQL pool, eight times SQLite's readers here).
		var (
			stop                                      = make(chan struct{})
			stopOnce                                  sync.Once
			wg                                        sync.WaitGroup
			started, inFlight, ok, throttled, stopped atomic.Int64
			unexpected                                atomic.Value
		)
		end := func() { stopOnce.Do(func() { close(stop) }); wg.Wait() }
		defer end()
		for range burstCallers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					started.Add(1)
					inFlight.Add(1)
					status, body := rawGet(busyAPI, heaviestSearch(in), eventualHeader)
					inFlight.Add(-1)
					switch status {
					case http.StatusOK:
						ok.Add(1)
					case http.StatusTooManyRequests:
						throttled.Add(1)
					case http.StatusServiceUnavailable: // stopped at the query timeout
						stopped.Add(1)
					default:
						unexpected.Store(fmt.Sprintf("%d %s", status, body))
					}
				}
			}()
		}
		for started.Load() < burstCallers { // every caller has sent its first query
			time.Sleep(time.Millisecond)
		}

		// The probes, while the burst runs: each must answer within a
		// generous bound (it takes milliseconds on a quiet machine).
		const bound = 3 * time.Second
		for i := range 3 {
			start := time.Now()
			b := e2etest.NewBrowser(t)
			login := b.Follow(in, b.Get(rp.Begin().URL))
			next := b.Submit(in.URL, login, "/"+quiet.ID+"/login/next", map[string]string{"email": "kim@partner.example"})
			if !strings.Contains(next.Body, `id="send-code"`) {
				t.Fatalf("sign-in step %d: want the Send code page, got %d\n%s", i, next.Status, next.Body)
			}
			took := time.Since(start)
			running := inFlight.Load()

			start = time.Now()
			if _, err := tokens.Token(context.Background()); err != nil {
				t.Fatalf("token %d: %v", i, err)
			}
			tokenTook := time.Since(start)
			t.Logf("probe %d: sign-in step %s, token %s, burst callers in flight %d", i, took, tokenTook, running)
			if took > bound || tokenTook > bound {
				t.Fatalf("probe %d during the burst: sign-in step %s, token %s; want each within %s", i, took, tokenTook, bound)
			}
			if running == 0 {
				t.Fatal("the burst was not running during the probe")
			}
		}
		end()
		t.Logf("burst: %d answered, %d throttled (429), %d stopped at the query timeout (503)", ok.Load(), throttled.Load(), stopped.Load())
		if u := unexpected.Load(); u != nil {
			t.Fatalf("a burst query answered %v; want 200, 429 or 503", u)
		}
		if ok.Load()+stopped.Load() == 0 {
			t.Fatal("no heavy query of the burst ran")
		}
	})
}

// rawGet is graphGet for goroutines other than the test's: it reports
// instead of failing.
func rawGet(c *http.Client, u string, headers map[string]string) (int, string) {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return 0, err.Error()
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

// TestAdminAPIReadLimit: past the read limit an app's reads answer 429
// with Retry-After, on both engines, as the server wires the limit from
// its configuration.
func TestAdminAPIReadLimit(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Configure: func(c *server.Config) {
			c.Queries.ReadLimit.Limit, c.Queries.ReadLimit.Window = 3, time.Hour
		}})
		_, api := in.TenantWithAdmin("Contoso", "contoso.example", "User.Read.All")
		_, other := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Read.All")
		u := usersURL(in, "$filter", "userType eq 'Guest'")
		for i := range 3 {
			if s, raw := graphGet(t, api, u, nil); s != http.StatusOK {
				t.Fatalf("read %d: %d %s", i+1, s, raw)
			}
		}
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		resp, err := api.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(raw), `"code":"TooManyRequests"`) {
			t.Fatalf("fourth read = %d %s, want 429 TooManyRequests", resp.StatusCode, raw)
		}
		if ra := resp.Header.Get("Retry-After"); ra == "" || ra == "0" {
			t.Fatalf("Retry-After = %q", ra)
		}
		if s, raw := graphGet(t, other, u, nil); s != http.StatusOK {
			t.Fatalf("another tenant's app refused: %d %s", s, raw)
		}
		// Writes have their own limit.
		if s, _, raw := e2etest.GraphCall(t, api, http.MethodPost, in.URL+"/v1.0/users", map[string]any{}); s == http.StatusTooManyRequests {
			t.Fatalf("a write refused by the read limit: %s", raw)
		}
	})
}

// TestQueryTimeoutEndToEnd: a request whose statement cannot finish
// within the query timeout answers 503 serviceNotAvailable with
// Retry-After instead of hanging, on both engines, and the next one is
// served. The statement is forced slow by a lock another connection holds
// (PostgreSQL: the users table; SQLite: the writer), which without the
// timeout it would wait on without end (or SQLite's 10 s busy timeout).
func TestQueryTimeoutEndToEnd(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		const timeout = 500 * time.Millisecond
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Configure: func(c *server.Config) { c.Queries.Timeout = timeout }})
		tn, api := in.TenantWithAdmin("Contoso", "contoso.example", "User.ReadWrite.All")
		res, err := in.Srv.Invite(ctx, tn, invitation.Request{Email: "kim@partner.example", RedirectURL: "https://apps.contoso.example/"})
		if err != nil {
			t.Fatal(err)
		}
		userURL := in.URL + "/v1.0/users/" + res.User.ID
		if s, _, raw := e2etest.GraphCall(t, api, http.MethodGet, userURL, nil); s != http.StatusOK { // the app's token, before the lock
			t.Fatalf("GET user = %d %s", s, raw)
		}

		release := holdLock(t, dsn)
		start := time.Now()
		rctx, cancel := context.WithTimeout(ctx, 20*time.Second) // without the timeout the request would wait this long
		defer cancel()
		req, _ := http.NewRequestWithContext(rctx, http.MethodPatch, userURL, strings.NewReader(`{"displayName":"Kim"}`))
		req.Header.Set("Content-Type", "application/json")
		resp, err := api.Do(req)
		if err != nil {
			t.Fatalf("PATCH under the lock: %v after %s", err, time.Since(start))
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(raw), `"code":"serviceNotAvailable"`) || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("PATCH under the lock = %d %s (Retry-After %q) after %s, want 503 serviceNotAvailable with Retry-After",
				resp.StatusCode, raw, resp.Header.Get("Retry-After"), took)
		}
		if took > 3*time.Second {
			t.Fatalf("the stopped request answered after %s; the query timeout is %s", took, timeout)
		}
		release()
		if s, _, raw := e2etest.GraphCall(t, api, http.MethodPatch, userURL, map[string]any{"displayName": "Kim"}); s != http.StatusNoContent {
			t.Fatalf("PATCH after the lock = %d %s", s, raw)
		}
	})
}

// holdLock takes, on a connection of its own, a lock that stops
// guestgate's writes to users (and on PostgreSQL its reads of them) until
// the returned function releases it.
func holdLock(t *testing.T, dsn string) (release func()) {
	t.Helper()
	driver, source, lock := "pgx", dsn, "LOCK TABLE users IN ACCESS EXCLUSIVE MODE"
	if !sqlstore.IsPostgresURL(dsn) {
		// BEGIN IMMEDIATE takes SQLite's write lock at once.
		driver, source, lock = "sqlite", "file:"+dsn+"?_txlock=immediate", "SELECT 1"
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err == nil {
		_, err = tx.Exec(lock)
	}
	if err != nil {
		db.Close()
		t.Fatalf("take the lock: %v", err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_ = tx.Rollback()
			db.Close()
		})
	}
	t.Cleanup(release)
	return release
}
