package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/guestgate/guestgate/internal/store"
)

// Statement budgets. Every statement runs under a time budget, so that one
// expensive query cannot hold a pooled connection, SQLite's writer or a CPU
// for long:
//
//   - a request's statements: Options.StatementTimeout (serve's
//     --query-timeout); a transaction, with its retries, and each statement
//     outside one, must finish within it;
//   - a background purge's (the store's methods that delete what expired
//     mark their context with asJob): Options.JobStatementTimeout, on
//     PostgreSQL on a small pool of its own, as such a delete grows with
//     the backlog;
//   - migrations: none.
//
// PostgreSQL enforces the budget itself: each connection is opened with
// statement_timeout set to it, so the server stops a statement even if this
// process is stuck or gone. A context deadline of the budget and pgGrace
// also bounds the wait for a pooled connection and a stalled network.
// SQLite enforces it with the context deadline alone: its driver
// interrupts the statement. A statement stopped by its budget fails with
// store.ErrTimeout.

// pgGrace lets PostgreSQL's own statement_timeout answer first (a clean
// error on a connection that stays usable) before the context deadline
// cuts the connection.
const pgGrace = time.Second

type budgetKind int

const (
	budgetRequest budgetKind = iota
	budgetJob
	budgetNone
)

type budgetKey struct{}

// asJob marks ctx as a background purge's: its statements run under
// Options.JobStatementTimeout instead of the request budget, on PostgreSQL
// on the jobs' own pool, so a long purge is neither cut at the request
// budget nor holding a request's connection.
func asJob(ctx context.Context) context.Context {
	return context.WithValue(ctx, budgetKey{}, budgetJob)
}

// withoutBudget marks ctx as unbounded (migrations, which may rebuild an
// index of a large table).
func withoutBudget(ctx context.Context) context.Context {
	return context.WithValue(ctx, budgetKey{}, budgetNone)
}

func budgetOf(ctx context.Context) budgetKind {
	k, _ := ctx.Value(budgetKey{}).(budgetKind)
	return k
}

// budget returns the statement budget of ctx (0: none).
func (db *DB) budget(ctx context.Context) time.Duration {
	switch budgetOf(ctx) {
	case budgetJob:
		return db.jobTimeout
	case budgetNone:
		return 0
	}
	return db.stmtTimeout
}

// bound returns ctx with the deadline of its budget, unless an earlier
// deadline (the transaction's) already bounds it. Call cancel when the
// statement or transaction is done.
func (db *DB) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	d := db.budget(ctx)
	if d <= 0 {
		return ctx, func() {}
	}
	d += db.d.budgetGrace
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, d)
}

// pools returns the pools a context's statements use: the jobs' own pool
// for a background job on PostgreSQL, else the request pools.
func (db *DB) pools(ctx context.Context) (read, write *sql.DB) {
	if db.jobs != nil && budgetOf(ctx) == budgetJob {
		return db.jobs, db.jobs
	}
	return db.read, db.write
}

// isTimeout reports a statement stopped by its budget: the context
// deadline, PostgreSQL's statement_timeout (query_canceled, 57014) or a
// network timeout of pgx, SQLite's interrupt.
func isTimeout(err error) bool {
	var (
		pgErr *pgconn.PgError
		sqErr *sqlite.Error
	)
	switch {
	case err == nil:
		return false
	case errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return true
	case errors.As(err, &pgErr):
		return pgErr.Code == "57014"
	case errors.As(err, &sqErr):
		return sqErr.Code()&0xff == sqlite3.SQLITE_INTERRUPT
	}
	return false
}

// timedOut marks err with store.ErrTimeout when a budget stopped it.
func timedOut(err error) error {
	if err != nil && !errors.Is(err, store.ErrTimeout) && isTimeout(err) {
		return fmt.Errorf("%w: %w", store.ErrTimeout, err)
	}
	return err
}

// rows is a result set read under its statement's budget, which ends when
// the rows are closed or read to the end.
type rows struct {
	*sql.Rows
	cancel context.CancelFunc
}

func (r *rows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.cancel()
	return false
}

func (r *rows) Close() error {
	err := r.Rows.Close()
	r.cancel()
	return err
}

// Err is the error that ended the rows, marked as unavailable or timed
// out as the statement's own error is.
func (r *rows) Err() error { return unavailable(r.Rows.Err()) }

// row is a single-row result read under its statement's budget, which
// ends when it is scanned.
type row struct {
	*sql.Row
	cancel context.CancelFunc
}

// Scan copies the row (sql.ErrNoRows when there is none), marking errors
// as unavailable or timed out as the statement's own error is.
func (r row) Scan(dest ...any) error {
	defer r.cancel()
	return unavailable(r.Row.Scan(dest...))
}
