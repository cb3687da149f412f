package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// slowQuery is a statement that runs far longer than any budget of the
// test: five seconds of pg_sleep, or a SQLite count that never ends.
func slowQuery(db *sqlstore.DB) string {
	if db.Engine() == sqlstore.EnginePostgres {
		return `SELECT 1 FROM pg_sleep(5)`
	}
	return `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c`
}

// generous bounds how long a stopped statement may take to answer on a
// loaded machine; the statements themselves would run 5 s or forever.
const generous = 3 * time.Second

// drain runs q as the admin API's user queries run (queryDynamic) and
// reads every row, returning the first error.
func drain(ctx context.Context, db *sqlstore.DB, q string) error {
	rs, err := db.QueryDynamic(ctx, q)
	if err != nil {
		return err
	}
	defer rs.Close()
	for rs.Next() {
	}
	return rs.Err()
}

// TestStatementBudget: security round 2, finding 3 (one query can stall
// every tenant). A request's statement, or transaction, that runs past the
// statement budget is stopped and fails with store.ErrTimeout (a 503, not
// a hang); the pool goes on serving; migrations and background jobs keep
// budgets of their own.
func TestStatementBudget(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			// Without a budget the slow statements would end only here.
			ctx, cancel := context.WithTimeout(context.Background(), 4*generous)
			defer cancel()
			const budget = 300 * time.Millisecond
			db, err := sqlstore.Open(ctx, e.DSN(t), sqlstore.Options{StatementTimeout: budget, JobStatementTimeout: time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}

			t.Run("request_statement_stopped", func(t *testing.T) {
				start := time.Now()
				err := drain(ctx, db, slowQuery(db))
				if !errors.Is(err, store.ErrTimeout) || !errors.Is(err, store.ErrUnavailable) {
					t.Fatalf("slow query = %v, want store.ErrTimeout (and ErrUnavailable)", err)
				}
				if took := time.Since(start); took > generous {
					t.Fatalf("the slow query answered after %s; the budget is %s", took, budget)
				}
				if err := drain(ctx, db, `SELECT 1`); err != nil {
					t.Fatalf("the pool after a timeout: %v", err)
				}
			})
			t.Run("request_transaction_stopped", func(t *testing.T) {
				start := time.Now()
				err := db.InTx(ctx, func(ctx context.Context) error {
					return drain(ctx, db, slowQuery(db))
				})
				if !errors.Is(err, store.ErrTimeout) {
					t.Fatalf("slow transaction = %v, want store.ErrTimeout", err)
				}
				if took := time.Since(start); took > generous {
					t.Fatalf("the slow transaction answered after %s; the budget is %s", took, budget)
				}
				if err := db.InTx(ctx, func(ctx context.Context) error { return drain(ctx, db, `SELECT 1`) }); err != nil {
					t.Fatalf("the writer after a timeout: %v", err)
				}
			})
			t.Run("budgets_by_context", func(t *testing.T) {
				ctx := context.Background()
				for _, c := range []struct {
					name string
					ctx  context.Context
					want time.Duration // 0: no deadline
				}{
					{"request", ctx, budget},
					{"job", sqlstore.AsJob(ctx), time.Minute},
					{"migration", sqlstore.WithoutBudget(ctx), 0},
				} {
					bctx, cancel := db.Bound(c.ctx)
					dl, ok := bctx.Deadline()
					cancel()
					left := time.Until(dl)
					if c.want == 0 && ok || c.want > 0 && (!ok || left > c.want+sqlstore.PGGrace || left < c.want-time.Second/10) {
						t.Errorf("%s: deadline in %s (set %v), want %s", c.name, left, ok, c.want)
					}
				}
			})
			if db.Engine() != sqlstore.EnginePostgres {
				return
			}
			t.Run("postgres_enforces_it_on_the_server", func(t *testing.T) {
				// A purge, whose delete grows with the backlog, has the jobs' budget and pool.
				if _, err := db.DeleteRateCounters(ctx, time.Now()); err != nil || db.JobsPool().Stats().OpenConnections == 0 {
					t.Errorf("a purge (%v) did not run on the jobs' pool", err)
				}
				// The server stops the statement itself, whatever the client does.
				for _, c := range []struct {
					ctx  context.Context
					want string
				}{{ctx, "300ms"}, {sqlstore.AsJob(ctx), "1min"}} {
					var got string
					if err := db.QueryRow(c.ctx, `SHOW statement_timeout`).Scan(&got); err != nil {
						t.Fatal(err)
					}
					if got != c.want {
						t.Errorf("statement_timeout = %q, want %q", got, c.want)
					}
				}
				var got string
				err := db.MigrationTx(ctx, func(ctx context.Context) error {
					return db.QueryRow(ctx, `SHOW statement_timeout`).Scan(&got)
				})
				if err != nil || got != "0" {
					t.Errorf("a migration's statement_timeout = %q (%v), want 0", got, err)
				}
			})
		})
	}
}
