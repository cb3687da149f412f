package sqlstore

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// pgTrace counts the transactions guestgate opens on PostgreSQL, as the
// server counts them (pg_stat_database's xact_commit and xact_rollback): a
// statement sent on a connection that is in no transaction block opens one,
// an autocommit read or write or a BEGIN alike; the statements inside a
// block open none. It is a pgx tracer, so it sees every statement sent on
// guestgate's pools, whichever store method sent it. Counting is an atomic
// add; an observer, when set, also sees each statement's text (tests list
// what a journey sends). Not counted: pgx preparing a statement the first
// time a connection runs it (once per connection and text, so it depends
// on which pooled connection a request gets), and pings.
type pgTrace struct {
	txs      atomic.Int64
	observer atomic.Pointer[func(sql string, opensTx bool)]
}

var _ pgx.QueryTracer = (*pgTrace)(nil)

// txIdle is the ReadyForQuery status of a connection in no transaction
// block.
const txIdle = 'I'

func (t *pgTrace) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	opens := conn.PgConn().TxStatus() == txIdle
	if opens {
		t.txs.Add(1)
	}
	if f := t.observer.Load(); f != nil {
		(*f)(data.SQL, opens)
	}
	return ctx
}

func (t *pgTrace) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// ServerTxCount returns how many transactions this DB has opened on
// PostgreSQL (read-only ones and single autocommit statements included),
// counted as the server counts them; 0 on SQLite. Tests pin a journey's
// round trips with it; the benchmark reads the server's own count.
func (db *DB) ServerTxCount() int64 {
	if db.trace == nil {
		return 0
	}
	return db.trace.txs.Load()
}

// ObserveStatements calls fn with the text of each statement this DB sends
// to PostgreSQL from now on, and whether it opens a transaction, until
// the returned stop is called; nothing on SQLite. For tests and
// diagnostics: fn runs on the querying goroutine and must be quick and
// safe for concurrent use.
func (db *DB) ObserveStatements(fn func(sql string, opensTx bool)) (stop func()) {
	if db.trace == nil {
		return func() {}
	}
	db.trace.observer.Store(&fn)
	return func() { db.trace.observer.CompareAndSwap(&fn, nil) }
}
