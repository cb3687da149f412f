// Package sqlstore implements every domain's store interface on SQL, with
// two engines: SQLite (embedded default, pure Go via modernc.org/sqlite) and
// PostgreSQL (production, via pgx). Queries are written once in the
// PostgreSQL dialect; dialect.go holds the few rewrites and error
// classifiers that differ.
//
// SQLite runs in WAL mode with one writer connection (writes serialized in
// the process, BEGIN IMMEDIATE) beside a pool of read-only connections and a
// busy timeout. PostgreSQL uses one pool (and a small one for background
// purges); several guestgate processes may share the database.
//
// Every statement runs under a time budget (budget.go): a request's under
// Options.StatementTimeout, enforced by PostgreSQL's statement_timeout and
// a context deadline on both engines; one stopped there fails with
// store.ErrTimeout.
//
// Transactions travel in the context (see store.Transactor): every method
// joins the transaction in its ctx, if any. Migrations are embedded and
// numbered; Migrate applies the missing ones under a lock, so concurrent
// starts are safe.
package sqlstore
