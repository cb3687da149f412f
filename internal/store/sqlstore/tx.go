package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/store"
)

var (
	_ store.Transactor     = (*DB)(nil)
	_ store.AfterCommitter = (*DB)(nil)
)

type txKey struct{}

// txState is the transaction a context carries, with work to run after commit.
type txState struct {
	tx    *sql.Tx
	after []func()
	// toPrepare lists queries that ran unprepared (SQLite, see stmtQuerier).
	toPrepare []string
	// policies are the email policies this transaction read with a user
	// (getUserWithPolicy), by tenant id; see keepPolicy.
	policies map[string]policy.Stored
}

// maxTxAttempts bounds how often InTx reruns fn after retryable errors.
const maxTxAttempts = 8

// InTx runs fn in a write transaction carried by the context it passes to fn.
// A context that already carries one joins it. Serialization and busy errors
// rerun fn with a short backoff. The transaction, with its reruns, runs
// under the context's statement budget (budget.go).
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*txState); ok {
		return fn(ctx)
	}
	ctx, cancel := db.bound(ctx)
	defer cancel()
	var err error
	for attempt := 1; attempt <= maxTxAttempts; attempt++ {
		err = db.runTx(ctx, fn)
		if err == nil || !isRetryable(err) || ctx.Err() != nil {
			return timedOut(err)
		}
		db.log.DebugContext(ctx, "retrying transaction", "attempt", attempt, "err", err)
		select {
		case <-time.After(time.Duration(attempt*attempt) * time.Millisecond):
		case <-ctx.Done():
			return timedOut(errors.Join(err, ctx.Err()))
		}
	}
	return fmt.Errorf("transaction failed after %d attempts: %w", maxTxAttempts, err)
}

func (db *DB) runTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	db.writeTxs.Add(1)
	_, pool := db.pools(ctx)
	tx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", unavailable(err))
	}
	st := &txState{tx: tx}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
		if len(st.toPrepare) > 0 {
			db.writeStmts.prepareLater(ctx, db.write, st.toPrepare)
		}
	}()
	txCtx := context.WithValue(ctx, txKey{}, st)
	if err = db.setTxBudget(txCtx); err != nil {
		return fmt.Errorf("set the statement budget: %w", unavailable(err))
	}
	if err = fn(txCtx); err != nil {
		return unavailable(err)
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", unavailable(err))
	}
	for _, f := range st.after {
		f()
	}
	return nil
}

// AfterCommit runs fn after the transaction in ctx commits, or now if ctx
// carries no transaction. fn does not run if the transaction rolls back.
func (db *DB) AfterCommit(ctx context.Context, fn func()) {
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		st.after = append(st.after, fn)
		return
	}
	fn()
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader returns the transaction in ctx, or the read pool.
func (db *DB) reader(ctx context.Context) querier {
	st, inTx := ctx.Value(txKey{}).(*txState)
	if db.d.cachedStatements {
		if inTx {
			return stmtQuerier{pool: db.write, cache: &db.writeStmts, tx: st}
		}
		return stmtQuerier{pool: db.read, cache: &db.readStmts}
	}
	if inTx {
		return st.tx
	}
	read, _ := db.pools(ctx)
	return read
}

// writer returns the transaction in ctx, or the write pool (a single
// statement then commits on its own and counts as one write transaction).
func (db *DB) writer(ctx context.Context) querier {
	st, inTx := ctx.Value(txKey{}).(*txState)
	if !inTx {
		db.writeTxs.Add(1)
	}
	if db.d.cachedStatements {
		q := stmtQuerier{pool: db.write, cache: &db.writeStmts}
		if inTx {
			q.tx = st
		}
		return q
	}
	if inTx {
		return st.tx
	}
	_, write := db.pools(ctx)
	return write
}

// execScript runs SQL holding several statements (a migration), unprepared.
func (db *DB) execScript(ctx context.Context, script string) error {
	var q querier = db.write
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		q = st.tx
	}
	_, err := q.ExecContext(ctx, script)
	return err
}

// exec runs a write statement written in the PostgreSQL dialect, under
// the statement budget of ctx.
func (db *DB) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	ctx, cancel := db.bound(ctx)
	defer cancel()
	res, err := db.writer(ctx).ExecContext(ctx, db.d.rebind(q), args...)
	return res, unavailable(err)
}

// query runs a read written in the PostgreSQL dialect, under the
// statement budget of ctx until the rows are closed.
func (db *DB) query(ctx context.Context, q string, args ...any) (*rows, error) {
	ctx, cancel := db.bound(ctx)
	rs, err := db.reader(ctx).QueryContext(ctx, db.d.rebind(q), args...)
	if err != nil {
		cancel()
		return nil, unavailable(err)
	}
	return &rows{Rows: rs, cancel: cancel}, nil
}

// queryDynamic runs a read whose text is built per request (a user query):
// it bypasses the rebind and prepared-statement caches, which would
// otherwise grow with every shape of filter a client sends.
func (db *DB) queryDynamic(ctx context.Context, q string, args ...any) (*rows, error) {
	q = db.d.rebindUncached(q)
	ctx, cancel := db.bound(ctx)
	var (
		rs  *sql.Rows
		err error
	)
	if st, ok := ctx.Value(txKey{}).(*txState); ok {
		rs, err = st.tx.QueryContext(ctx, q, args...)
	} else {
		read, _ := db.pools(ctx)
		rs, err = read.QueryContext(ctx, q, args...)
	}
	if err != nil {
		cancel()
		return nil, unavailable(err)
	}
	return &rows{Rows: rs, cancel: cancel}, nil
}

// queryRow runs a single-row read written in the PostgreSQL dialect,
// under the statement budget of ctx until the row is scanned.
func (db *DB) queryRow(ctx context.Context, q string, args ...any) row {
	ctx, cancel := db.bound(ctx)
	return row{Row: db.reader(ctx).QueryRowContext(ctx, db.d.rebind(q), args...), cancel: cancel}
}

// queryRowWrite runs a single-row statement that writes (… RETURNING).
func (db *DB) queryRowWrite(ctx context.Context, q string, args ...any) row {
	ctx, cancel := db.bound(ctx)
	return row{Row: db.writer(ctx).QueryRowContext(ctx, db.d.rebind(q), args...), cancel: cancel}
}

// toDB converts a time to unix microseconds; the zero time is 0.
func toDB(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromDB converts unix microseconds back; 0 is the zero time.
func fromDB(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// notFound maps sql.ErrNoRows to store.ErrNotFound, with context.
func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	return fmt.Errorf("%s: %w", what, unavailable(err))
}

// uniqueOr maps a unique-key violation to store.ErrAlreadyExists, with context.
func uniqueOr(err error, what string) error {
	if isUniqueViolation(err) {
		return fmt.Errorf("%s: %w", what, store.ErrAlreadyExists)
	}
	return fmt.Errorf("%s: %w", what, unavailable(err))
}

// oneRow checks that a conditional write touched a row, else store.ErrConflict.
func oneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %w", what, store.ErrConflict)
	}
	return nil
}
