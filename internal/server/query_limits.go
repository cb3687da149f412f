package server

import (
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// QueryLimits bound what one request may cost the database, so that one
// tenant's queries cannot stall the others (security round 2, finding 3).
// The size of $filter and $search is capped by internal/odata.
type QueryLimits struct {
	// Timeout bounds each database statement of a request, and each of its
	// transactions; past it the statement is stopped and the request
	// answers 503 (--query-timeout). 0 turns it off.
	Timeout time.Duration
	// ReadLimit is how many admin API reads (GET) one app, or one member
	// through a delegated token, may make in a tenant per window, counted
	// in each process (--graph-read-limit, --graph-read-window; 0: off).
	ReadLimit ratelimit.Rule
	// ReadConcurrency is how many admin API reads of one tenant run at
	// once in a process (--graph-read-concurrency; 0: no bound). All
	// tenants' reads together also hold at most half of the database's
	// read connections, so sign-ins and tokens always find one.
	ReadConcurrency int
}

// DefaultQueryLimits: 5 s per statement; Graph's resource-unit quota of a
// small tenant, 3,500 per 10 seconds per app per tenant, counting a read
// as one; 4 reads of a tenant at once.
var DefaultQueryLimits = QueryLimits{
	Timeout:         5 * time.Second,
	ReadLimit:       ratelimit.Rule{Limit: 3500, Window: 10 * time.Second},
	ReadConcurrency: 4,
}

// jobQueryTimeout bounds each statement of the background purges (expired
// mail, counters, grants, finished bulk jobs), which grow with the backlog.
const jobQueryTimeout = 10 * time.Minute

// Validate reports limits that make no sense.
func (q QueryLimits) Validate() error {
	switch {
	case q.Timeout < 0 || q.Timeout > 0 && q.Timeout < 100*time.Millisecond:
		return fmt.Errorf("GUESTGATE_QUERY_TIMEOUT %s: give at least 100ms (or 0 for none)", q.Timeout)
	case q.ReadLimit.Limit < 0 || q.ReadLimit.Limit > 0 && q.ReadLimit.Window < time.Second:
		return fmt.Errorf("GUESTGATE_GRAPH_READ_LIMIT %d per %s: the limit must not be negative and the window at least 1s", q.ReadLimit.Limit, q.ReadLimit.Window)
	case q.ReadConcurrency < 0:
		return fmt.Errorf("GUESTGATE_GRAPH_READ_CONCURRENCY %d must not be negative", q.ReadConcurrency)
	}
	return nil
}

// readGate bounds the admin API's reads: ReadConcurrency per tenant, and
// half of the database's read connections in all. A read waits for a
// place at most the query timeout (a second without one), then answers 429.
func readGate(cfg Config, db *sqlstore.DB, c clock.Clock) *ratelimit.Gate {
	wait := cfg.Queries.Timeout
	if wait <= 0 {
		wait = time.Second
	}
	return ratelimit.NewGate(cfg.Queries.ReadConcurrency, max(1, db.ReadConns()/2), wait, c)
}
