package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// PoolerPgBouncer is Options.Pooler for PgBouncer in transaction pooling
// mode (pool_mode = transaction), or any pooler that hands a server
// connection to a client for one transaction only.
//
// Such a pooler breaks three things a direct connection allows:
//
//   - named prepared statements (pgx's statement cache) live on one server
//     connection, and the next transaction may get another: "prepared
//     statement … already exists" (42P05) or "does not exist" (26000).
//     Pooled connections use pgx's exec mode instead: each statement is
//     parsed unnamed, bound and run in one round trip, names nothing, and
//     a statement without arguments (a migration script) goes as a simple
//     query;
//   - startup parameters: PgBouncer refuses statement_timeout in the
//     startup packet unless ignore_startup_parameters lists it, and then
//     drops it. The statement budget is set per transaction instead
//     (SET LOCAL, one more statement per transaction); a statement outside
//     a transaction is bounded by its context deadline alone, which
//     cancels it on the server and drops the connection;
//   - LISTEN: the server connection that listens goes back to the pool,
//     and notifications reach no one. Options.ListenURL names a direct
//     connection for it; without one, mail queued by another process waits
//     for the dispatcher's fallback poll.
//
// Migrations are safe through the pooler: each runs in one transaction
// under a transaction-scoped advisory lock (pg_advisory_xact_lock).
const PoolerPgBouncer = "pgbouncer"

// checkPooler refuses a pooler the store does not know, or on SQLite.
func checkPooler(dsn string, opts Options) error {
	switch {
	case opts.Pooler != "" && opts.Pooler != PoolerPgBouncer:
		return fmt.Errorf("unknown database pooler %q: the only one is %q (transaction pooling)", opts.Pooler, PoolerPgBouncer)
	case opts.Pooler != "" && !IsPostgresURL(dsn):
		return fmt.Errorf("a database pooler applies only to PostgreSQL, not to a SQLite file")
	case opts.ListenURL != "" && !IsPostgresURL(opts.ListenURL):
		return fmt.Errorf("the LISTEN URL must be a postgres:// URL")
	}
	return nil
}

// forTransactionPooling makes a connection safe behind a transaction
// pooler: no named statement, no cached description, no startup parameter
// but those every pooler passes.
func forTransactionPooling(cfg *pgx.ConnConfig) {
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	cfg.StatementCacheCapacity = 0
	cfg.DescriptionCacheCapacity = 0
	delete(cfg.RuntimeParams, "statement_timeout")
}

// poolerHint explains a refusal by PgBouncer of a direct connection's
// startup parameters: the operator should say a pooler is there.
func poolerHint(err error, opts Options) string {
	if opts.Pooler == "" && strings.Contains(err.Error(), "unsupported startup parameter") {
		return " (this looks like PgBouncer: set GUESTGATE_DATABASE_POOLER=pgbouncer, or give guestgate a direct URL)"
	}
	return ""
}

// listenDSN is the URL the outbox listener connects to: Options.ListenURL,
// else the database URL unless it goes through a transaction pooler.
func listenDSN(dsn string, opts Options) string {
	switch {
	case opts.ListenURL != "":
		return opts.ListenURL
	case opts.Pooler != "":
		return ""
	}
	return dsn
}

// setTxBudget sets the statement budget of ctx for the rest of a
// transaction, on a pooled connection that was opened without one.
func (db *DB) setTxBudget(ctx context.Context) error {
	d := db.budget(ctx)
	if !db.pooled || d <= 0 {
		return nil
	}
	_, err := db.exec(ctx, "SET LOCAL statement_timeout = "+strconv.FormatInt(max(d.Milliseconds(), 1), 10))
	return err
}
