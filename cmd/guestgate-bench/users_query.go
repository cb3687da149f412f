package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/server"
)

// UsersQuery is one timed admin API query over a directory of one tenant.
type UsersQuery struct {
	Query    string  `json:"query"`
	Requests int     `json:"requests"`
	Results  int     `json:"results_first_page"`
	P50ms    float64 `json:"p50_ms"`
	P99ms    float64 `json:"p99_ms"`
}

// usersQueries are the first pages timed by -users-query: a common
// prefix (1 in 26), the guests (9 in 10), one address, a prefix no user
// has (a scan would read every user to find that out), the same pages
// with $select of every property, and the stale-user filters of
// signInActivity (about half the users, and about 1 in 365).
func usersQueries(n int, now time.Time) []url.Values {
	every := strings.Join(graph.UserPropertyNames(), ",")
	stale := func(days int) string {
		return "signInActivity/lastSignInDateTime le " + now.AddDate(0, 0, -days).UTC().Format("2006-01-02T15:04:05Z")
	}
	return []url.Values{
		{"$filter": {"startsWith(mail,'a')"}},
		{"$filter": {"userType eq 'Guest'"}},
		{"$filter": {"mail eq '" + seedAddress(n/2) + "'"}},
		{"$filter": {"startsWith(displayName,'Za')"}},
		{"$filter": {"userType eq 'Guest'"}, "$select": {every}},
		{"$filter": {"startsWith(mail,'a')"}, "$select": {every}},
		{"$filter": {stale(180)}, "$select": {every}},
		{"$filter": {stale(364)}, "$select": {every}},
		{"$filter": {stale(180)}},
	}
}

// lastSignInOf is the seeded last sign-in of user i: one of the past 365
// days, or never for one user in five.
func lastSignInOf(i int, now time.Time) time.Time {
	if i%5 == 4 {
		return time.Time{}
	}
	return now.AddDate(0, 0, -((i * 7919) % 365)).Add(-time.Duration(i%3600) * time.Second)
}

// queryLabel is a query as the report shows it ($select of every property
// shortened).
func queryLabel(q url.Values) string {
	label := "$filter=" + q.Get("$filter")
	if q.Has("$select") {
		label += " $select=(every property)"
	}
	return label
}

// seedAddress is the address seedDirectory gives user i.
func seedAddress(i int) string {
	return fmt.Sprintf("%s%07d@partner%d.example", string(rune('a'+(i*7919)%26)), i, i%97)
}

// seedUsersQuery creates a tenant with an app allowed to read users and
// seeds n users in it (nine guests in ten); guestgate's process runs it.
func seedUsersQuery(ctx context.Context, srv *server.Server, n int) (fixture, error) {
	ops, err := srv.Base().Operator()
	if err != nil {
		return fixture{}, err
	}
	tn, err := ops.CreateTenant(ctx, directory.NewTenantRequest{Name: benchTenantName(), Domains: []string{"bench-" + uuid.NewString()[:8] + ".example"}})
	if err != nil {
		return fixture{}, fmt.Errorf("users query: tenant: %w", err)
	}
	app, secret, err := ops.CreateApp(ctx, tn.ID, "Bench reader", []string{roles.UserReadAll, roles.AuditLogReadAll}, nil, nil, false)
	if err != nil {
		return fixture{}, fmt.Errorf("users query: app: %w", err)
	}
	start := time.Now()
	now := time.Now().UTC().Truncate(time.Second)
	if err := seedDirectory(ctx, srv, tn, n, now); err != nil {
		return fixture{}, err
	}
	logf("seeded %d users in one tenant in %s", n, time.Since(start).Round(time.Second))
	return fixture{TenantID: tn.ID, AppID: app.AppID, Secret: secret, SeededAt: now}, nil
}

// runUsersQuery times the first page of each of usersQueries over HTTP
// with the app's client-credentials token, reqs times each, one request at
// a time, over a directory of n users seeded by seedUsersQuery.
func runUsersQuery(ctx context.Context, base string, f fixture, n, reqs int) ([]UsersQuery, error) {
	cc := clientcredentials.Config{ClientID: f.AppID, ClientSecret: f.Secret, TokenURL: base + "/" + f.TenantID + "/oauth2/v2.0/token",
		Scopes: []string{"https://graph.microsoft.com/.default"}}
	client := cc.Client(ctx)
	var out []UsersQuery
	for _, v := range usersQueries(n, f.SeededAt) {
		u := base + "/v1.0/users?" + v.Encode()
		var times []time.Duration
		results := 0
		for i := 0; i < reqs+5; i++ { // five warm-ups
			t0 := time.Now()
			resp, err := client.Get(u)
			if err != nil {
				return nil, err
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return nil, fmt.Errorf("GET %s = %d %s", u, resp.StatusCode, body)
			}
			if i >= 5 {
				times = append(times, time.Since(t0))
			}
			results = countValues(body)
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		q := UsersQuery{Query: queryLabel(v), Requests: reqs, Results: results, P50ms: ms(pct(times, 0.50)), P99ms: ms(pct(times, 0.99))}
		fmt.Printf("%-75s first page of %3d: p50 %6.2f ms  p99 %6.2f ms  (%d requests)\n", q.Query, q.Results, q.P50ms, q.P99ms, reqs)
		out = append(out, q)
	}
	return out, nil
}

// countValues counts the users of a page without decoding them all.
func countValues(body []byte) int {
	n := 0
	for i := 0; i+5 < len(body); i++ {
		if string(body[i:i+5]) == `"id":` {
			n++
		}
	}
	return n
}

// seedDirectory stores n users in tn, 1 000 per transaction, four
// transactions at a time. Addresses and names start with varied letters so
// prefix filters select a realistic share.
func seedDirectory(ctx context.Context, srv *server.Server, tn directory.Tenant, n int, now time.Time) error {
	db := srv.DB()
	batches := make(chan int)
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for from := range batches {
				err := db.InTx(ctx, func(ctx context.Context) error {
					for i := from; i < min(from+1000, n); i++ {
						letter := string(rune('a' + (i*7919)%26))
						addr := seedAddress(i)
						u := directory.User{
							TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest,
							DisplayName: fmt.Sprintf("%s%s Guest %d", string(rune('A'+(i*31)%26)), letter, i), Mail: addr,
							UserPrincipalName: directory.GuestUserPrincipalName(addr, tn.InitialDomain), CreationType: "Invitation",
							AccountEnabled: true, ExternalUserState: directory.StateAccepted, ExternalUserStateChangedAt: now,
							IdP: directory.IdPMail, IdPIssuer: string(directory.IdPMail), CreatedAt: now,
						}
						if last := lastSignInOf(i, now); !last.IsZero() {
							id := uuid.NewString()
							u.SignInActivity = directory.SignInActivity{LastSignIn: last, LastSignInRequestID: id,
								LastSuccessfulSignIn: last, LastSuccessfulSignInRequestID: id}
						}
						if i%3 == 0 {
							u.Properties = map[string]any{"department": "Sales", "companyName": "Partner " + strconv.Itoa(i%97)}
						}
						if i%10 == 9 {
							u.UserType, u.CreationType, u.ExternalUserState = directory.UserTypeMember, "", ""
							u.UserPrincipalName = fmt.Sprintf("member%07d@%s", i, tn.InitialDomain)
						}
						if err := db.CreateUser(ctx, u); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					errs <- fmt.Errorf("seed users: %w", err)
					return
				}
				if from%100000 == 0 && from > 0 {
					logf("  %d of %d users", from, n)
				}
			}
		}()
	}
	var err error
feed:
	for from := 0; from < n; from += 1000 {
		select {
		case batches <- from:
		case err = <-errs:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(batches)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errs:
		default:
		}
	}
	return err
}
