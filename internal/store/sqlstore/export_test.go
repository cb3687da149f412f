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
