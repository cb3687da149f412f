// Package sqlstore implements every domain's store interface on SQL, with
// two engines: SQLite (embedded default, pure Go via modernc.org/sqlite) and
// PostgreSQL (production, via pgx). Queries are written once in the
// PostgreSQL dialect; dialect.go holds the few rewrites and error
// classifiers that differ.
//
// SQLite runs in WAL mode with one writer connection (writes serialized in
// the process, BEGIN IMMEDIATE) beside a pool of read-only connections and a
// busy timeout. PostgreSQL uses one pool; several guestgate processes may
// share the database.
//
// Transactions travel in the context (see store.Transactor): every method
// joins the transaction in its ctx, if any. Migrations are embedded and
// numbered; Migrate applies the missing ones under a lock, so concurrent
// starts are safe.
package sqlstore
