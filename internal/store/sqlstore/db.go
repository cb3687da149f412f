package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	_ "modernc.org/sqlite"           // registers the "sqlite" driver
)

// DB is an open store on one engine. It is safe for concurrent use.
type DB struct {
	d     *dialect
	write *sql.DB // SQLite: one connection; PostgreSQL: the pool
	read  *sql.DB // SQLite: read-only pool; PostgreSQL: same as write
	dsn   string
	log   *slog.Logger

	// jobs is PostgreSQL's pool for background jobs (asJob), opened
	// with their budget; nil when jobs share the request pools.
	jobs *sql.DB
	// pooled: PostgreSQL is reached through a pooler in transaction mode
	// (pooler.go); listenDSN is the URL of the LISTEN connection, "" for
	// none.
	pooled    bool
	listenDSN string
	// stmtTimeout and jobTimeout are the statement budgets (budget.go).
	stmtTimeout, jobTimeout time.Duration

	writeTxs atomic.Int64
	// trace counts PostgreSQL's transactions (pgtrace.go); nil on SQLite.
	trace *pgTrace
	// SQLite only: prepared statements of the writer and of the readers.
	writeStmts, readStmts stmtCache

	outboxWake wakeHub     // OutboxWakeups subscribers (outbox_wake.go)
	handoff    mailHandoff // mail passed to the local dispatcher (outbox_handoff.go)
}

// Options tune Open. The zero value is fine.
type Options struct {
	Logger *slog.Logger
	// MaxConns caps the PostgreSQL pool and the SQLite reader pool (default 16 / 2×CPUs).
	MaxConns int
	// StatementTimeout bounds each statement of a request, and each of
	// its transactions (budget.go); 0: no bound (admin commands, tests).
	StatementTimeout time.Duration
	// JobStatementTimeout bounds each statement of a background job (a
	// context from asJob); 0: no bound. On PostgreSQL, with a
	// StatementTimeout, jobs get a pool of their own of JobConns
	// connections (default 2).
	JobStatementTimeout time.Duration
	JobConns            int
	// Pooler names what stands between guestgate and PostgreSQL: "" (a
	// direct connection, or a pooler in session mode) or PoolerPgBouncer
	// (transaction pooling; pooler.go).
	Pooler string
	// ListenURL is a direct (session) connection URL for LISTEN; "" uses
	// the database URL unless Pooler is set (pooler.go).
	ListenURL string
}

// IsPostgresURL reports whether a GUESTGATE_DATABASE_URL names PostgreSQL.
func IsPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// Open connects to the database named by dsn: a postgres:// URL, or a SQLite
// file path (optionally "sqlite://path" or "file:path"). It does not migrate.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	var (
		db  *DB
		err error
	)
	if err := checkPooler(dsn, opts); err != nil {
		return nil, err
	}
	if IsPostgresURL(dsn) {
		db, err = openPostgres(dsn, opts)
	} else {
		db, err = openSQLite(dsn, opts)
	}
	if err != nil {
		return nil, err
	}
	db.stmtTimeout, db.jobTimeout = max(opts.StatementTimeout, 0), max(opts.JobStatementTimeout, 0)
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s database: %w%s", db.d.engine, err, poolerHint(err, opts))
	}
	return db, nil
}

func openPostgres(dsn string, opts Options) (*DB, error) {
	n := opts.MaxConns
	if n <= 0 {
		n = 16
	}
	pooled := opts.Pooler != ""
	trace := &pgTrace{}
	pool, err := openPostgresPool(dsn, opts.StatementTimeout, n, pooled, trace)
	if err != nil {
		return nil, err
	}
	db := &DB{d: postgresDialect, write: pool, read: pool, dsn: dsn, log: opts.Logger,
		pooled: pooled, listenDSN: listenDSN(dsn, opts), trace: trace}
	if opts.StatementTimeout > 0 {
		jobs := opts.JobConns
		if jobs <= 0 {
			jobs = 2
		}
		if db.jobs, err = openPostgresPool(dsn, opts.JobStatementTimeout, jobs, pooled, trace); err != nil {
			pool.Close()
			return nil, err
		}
	}
	return db, nil
}

// openPostgresPool opens a pool of at most n connections, each with
// statement_timeout set to timeout when it is positive (budget.go). A
// pooled pool names no statement and sets no startup parameter
// (pooler.go). trace counts its transactions.
func openPostgresPool(dsn string, timeout time.Duration, n int, pooled bool, trace *pgTrace) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	cfg.Tracer = trace
	if pooled {
		forTransactionPooling(cfg)
	} else {
		if timeout > 0 {
			cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(max(timeout.Milliseconds(), 1), 10)
		}
		noJIT(cfg)
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	return pool, nil
}

// noJIT turns PostgreSQL's JIT compilation off for the connection unless
// the URL sets it. guestgate's statements are short index lookups, but the
// planner prices a recursive walk of group memberships (the access read of
// every sign-in to an app) at its worst case, above jit_above_cost: the
// server then compiled the statement on every run, 40 ms for a read that
// takes 4. Behind a pooler, which refuses startup parameters, set it for
// guestgate's role instead (docs/operations.md).
func noJIT(cfg *pgx.ConnConfig) {
	if _, set := cfg.RuntimeParams["jit"]; !set {
		cfg.RuntimeParams["jit"] = "off"
	}
}

func openSQLite(dsn string, opts Options) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, fmt.Errorf("open sqlite: empty database path")
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		opts.Logger.Warn("the SQLite database is readable by other users; chmod 600 it and its -wal and -shm files",
			"path", path, "mode", fi.Mode().Perm().String())
	}
	// synchronous(FULL): a committed invitation or passcode survives power loss, not only a crash.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)"
	write, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?"+common+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite writer: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	// Ping the writer first so WAL mode is set before any reader opens the file.
	if err := write.Ping(); err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	n := opts.MaxConns
	if n <= 0 {
		n = 2 * runtime.NumCPU()
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	return &DB{d: sqliteDialect, write: write, read: read, dsn: dsn, log: opts.Logger}, nil
}

// createPrivate creates the SQLite file with mode 0600 if it does not
// exist. SQLite gives the -wal and -shm files it creates the database
// file's mode, so they are private too (TestSQLiteFilesPrivate checks it).
// An existing file keeps the mode its operator gave it.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("create sqlite database %s: %w", path, err)
	}
	// The umask may have narrowed 0600, never widened it; set it exactly.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("create sqlite database %s: %w", path, err)
	}
	return f.Close()
}

// Engine returns EngineSQLite or EnginePostgres.
func (db *DB) Engine() string { return db.d.engine }

// WriteTxCount returns how many write transactions (including single
// statements outside a transaction) this DB has committed or attempted.
// The benchmark divides it by sign-ins.
func (db *DB) WriteTxCount() int64 { return db.writeTxs.Load() }

// ReadConns is how many connections requests' reads may hold at once: the
// PostgreSQL pool, or SQLite's readers.
func (db *DB) ReadConns() int { return db.read.Stats().MaxOpenConnections }

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.write.PingContext(ctx) }

// Close closes every connection.
func (db *DB) Close() error {
	db.writeStmts.close()
	db.readStmts.close()
	err := db.write.Close()
	if db.jobs != nil {
		if jerr := db.jobs.Close(); err == nil {
			err = jerr
		}
	}
	if db.read != db.write {
		if rerr := db.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}
