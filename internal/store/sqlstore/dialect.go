package sqlstore

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/guestgate/guestgate/internal/store"
)

// Engine names.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// dialect holds everything that differs between the engines.
type dialect struct {
	engine string
	// forUpdate is appended to a SELECT that reads a row to rewrite it. SQLite
	// needs none: its write transactions are exclusive (BEGIN IMMEDIATE).
	forUpdate string
	// skipLocked is appended to the claim query so concurrent dispatchers
	// take different rows.
	skipLocked string
	// byteOrder is appended to a text key so comparisons and ORDER BY use
	// byte (code point) order, the order of the key indexes of migration
	// 0006: COLLATE "C" on PostgreSQL; SQLite's default BINARY already is.
	byteOrder string
	// cachedStatements: every statement goes through a pool's cache of
	// prepared statements (stmtQuerier), in a transaction too. SQLite's
	// pools are small and its statements costly to prepare; PostgreSQL's
	// driver caches statements per connection itself.
	cachedStatements bool
	// notifyOutbox, run in a transaction that queues mail, wakes every
	// process's dispatcher at commit; with it, OutboxWakeups listens for
	// that wake-up. "" when the engine has no notifications: one process
	// per SQLite file wakes its own dispatcher (outbox_wake.go).
	notifyOutbox string
	// liftBudget lifts the statement budget for the rest of a transaction
	// (migrations); "" when the engine has no server-side budget.
	liftBudget string
	// lockMigrations serialises migrating processes for the rest of a
	// transaction; "" when write transactions are exclusive already.
	lockMigrations string
	// forNoKeyUpdate is appended to a SELECT that locks a row against
	// changes but not against inserts referring to it; "" when write
	// transactions are exclusive already (SQLite).
	forNoKeyUpdate string
	// budgetGrace is added to a statement budget's context deadline so
	// the engine's own statement timeout answers first (budget.go).
	budgetGrace time.Duration
	rebindMu    sync.Map // query → rewritten query
}

var postgresDialect = &dialect{engine: EnginePostgres, forUpdate: " FOR UPDATE", skipLocked: " FOR UPDATE SKIP LOCKED", byteOrder: ` COLLATE "C"`,
	notifyOutbox: `SELECT pg_notify('` + outboxChannel + `', '')`, liftBudget: `SET LOCAL statement_timeout = 0`,
	lockMigrations: `SELECT pg_advisory_xact_lock(7460713)`, forNoKeyUpdate: " FOR NO KEY UPDATE", budgetGrace: pgGrace}
var sqliteDialect = &dialect{engine: EngineSQLite, cachedStatements: true}

// jsonStrings returns a FROM item listing the strings of the JSON array
// in the text column col, one row each with the string in column value.
func (d *dialect) jsonStrings(col string) string {
	if d.engine == EnginePostgres {
		return "jsonb_array_elements_text(" + col + "::jsonb) AS e(value)"
	}
	return "json_each(" + col + ") AS e"
}

// jsonField returns the text of a top-level field of the JSON object in
// the text column col (name is a constant of this package, never input).
func (d *dialect) jsonField(col, name string) string {
	if d.engine == EnginePostgres {
		return "(" + col + "::jsonb ->> '" + name + "')"
	}
	return "json_extract(" + col + ", '$." + name + "')"
}

// jsonObjects returns a FROM item listing the objects of the JSON array in
// the text column col, one row each, and the expression of a field name
// (a constant) of the row's object.
func (d *dialect) jsonObjects(col string) (from string, field func(name string) string) {
	if d.engine == EnginePostgres {
		return "jsonb_array_elements(" + col + "::jsonb) AS e(value)", func(name string) string { return "(e.value ->> '" + name + "')" }
	}
	return "json_each(" + col + ") AS e", func(name string) string { return "json_extract(e.value, '$." + name + "')" }
}

var pgPlaceholder = regexp.MustCompile(`\$(\d+)`)

// rebind rewrites $N placeholders for the engine ($N → ?N on SQLite).
func (d *dialect) rebind(q string) string {
	if d.engine == EnginePostgres {
		return q
	}
	if v, ok := d.rebindMu.Load(q); ok {
		return v.(string)
	}
	out := pgPlaceholder.ReplaceAllString(q, "?$1")
	d.rebindMu.Store(q, out)
	return out
}

// rebindUncached is rebind for query texts built per request, which must
// not fill the cache.
func (d *dialect) rebindUncached(q string) string {
	if d.engine == EnginePostgres {
		return q
	}
	return pgPlaceholder.ReplaceAllString(q, "?$1")
}

// isUniqueViolation reports a duplicate key.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isForeignKeyViolation reports a reference to a row that does not exist.
func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// isRetryable reports errors after which the whole transaction may simply be
// run again: serialization failures and deadlocks on PostgreSQL, busy and
// locked databases on SQLite.
func isRetryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		c := sqErr.Code() & 0xff // primary result code
		return c == sqlite3.SQLITE_BUSY || c == sqlite3.SQLITE_LOCKED
	}
	return strings.Contains(err.Error(), "database is locked")
}

// isUnavailable reports errors that mean the database cannot be reached,
// as opposed to a statement it refused: connection failures and broken
// connections, PostgreSQL's connection-exception class (08) and shutdown
// codes (57P01–57P03), SQLite failing to open or read its file.
func isUnavailable(err error) bool {
	var (
		connErr *pgconn.ConnectError
		netErr  net.Error
		pgErr   *pgconn.PgError
		sqErr   *sqlite.Error
	)
	switch {
	case err == nil:
		return false
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return true
	case errors.As(err, &pgErr):
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" || pgErr.Code == "57P02" || pgErr.Code == "57P03"
	case errors.As(err, &sqErr):
		c := sqErr.Code() & 0xff
		return c == sqlite3.SQLITE_CANTOPEN || c == sqlite3.SQLITE_IOERR
	}
	return strings.Contains(err.Error(), "conn closed")
}

// unavailable marks err with store.ErrUnavailable when the database could
// not be reached, so callers answer 503 instead of 500, and with
// store.ErrTimeout (which is also ErrUnavailable) when a statement budget
// stopped it (budget.go).
func unavailable(err error) error {
	if isTimeout(err) {
		return timedOut(err)
	}
	if err != nil && !errors.Is(err, store.ErrUnavailable) && isUnavailable(err) {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}
