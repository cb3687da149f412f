package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// Internals for the tests in package sqlstore_test, which (unlike tests in
// this package) may import testenv.

// HandoffLease is how long a hand-off to the local dispatcher holds a mail.
const HandoffLease = handoffLease

// ReadPool returns the readers' pool.
func (db *DB) ReadPool() *sql.DB { return db.read }

// ExecRaw runs a write statement in the PostgreSQL dialect.
func (db *DB) ExecRaw(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.exec(ctx, q, args...)
}

// ToDB is the stored form of a time.
func ToDB(t time.Time) int64 { return toDB(t) }

// AsJob marks a context as a background job's (its own statement budget).
func AsJob(ctx context.Context) context.Context { return asJob(ctx) }

// QueryDynamic runs q as the admin API's user queries run.
func (db *DB) QueryDynamic(ctx context.Context, q string, args ...any) (Rows, error) {
	return db.queryDynamic(ctx, q, args...)
}

// Rows is what QueryDynamic answers.
type Rows interface {
	Next() bool
	Close() error
	Err() error
}

// Row is what QueryRow answers.
type Row interface{ Scan(dest ...any) error }

// Bound applies the statement budget of ctx.
func (db *DB) Bound(ctx context.Context) (context.Context, context.CancelFunc) { return db.bound(ctx) }

// JobsPool returns the background jobs' pool.
func (db *DB) JobsPool() *sql.DB { return db.jobs }

// QueryRow reads one row in the PostgreSQL dialect.
func (db *DB) QueryRow(ctx context.Context, q string, args ...any) Row {
	return db.queryRow(ctx, q, args...)
}

// MigrationTx runs fn as migrations run (no statement budget).
func (db *DB) MigrationTx(ctx context.Context, fn func(context.Context) error) error {
	return db.migrationTx(ctx, fn)
}

// WithoutBudget marks a context as a migration's (no statement budget).
func WithoutBudget(ctx context.Context) context.Context { return withoutBudget(ctx) }

// PGGrace is how much longer than statement_timeout a request context lives on PostgreSQL.
const PGGrace = pgGrace

// QueryRowRaw reads one row of a query in the PostgreSQL dialect.
func (db *DB) QueryRowRaw(ctx context.Context, q string, args ...any) interface{ Scan(...any) error } {
	return db.queryRowWrite(ctx, q, args...)
}

// MigrationText is the embedded migration file name's text.
func MigrationText(name string) (string, error) {
	b, err := migrationFiles.ReadFile("migrations/" + name)
	return string(b), err
}
