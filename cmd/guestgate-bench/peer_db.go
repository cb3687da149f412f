package main

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// openPeerDatabase watches a peer's PostgreSQL database (dsn names the
// database the peer uses, which nothing else should use): the CPU time of
// the sessions on it and of the server's background processes, as for
// guestgate (see database.serverPIDs), its commit count and its size.
// Without dsn nothing of PostgreSQL is measured.
func openPeerDatabase(ctx context.Context, dsn string) (*database, error) {
	none := &database{engine: "postgres", cleanup: func() {}, size: func(context.Context) (int64, error) { return 0, nil }}
	if dsn == "" {
		return none, nil
	}
	if !sqlstore.IsPostgresURL(dsn) {
		return nil, fmt.Errorf("-peer-kratos-db %q: want a postgres:// URL", dsn)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, err
	}
	admin.SetMaxOpenConns(1) // one session: the one pg_backend_pid() leaves out
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return nil, fmt.Errorf("the peer's database: %w", err)
	}
	db := *none
	db.cleanup = func() { admin.Close() }
	db.size = func(ctx context.Context) (int64, error) {
		var n int64
		err := admin.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n)
		return n, err
	}
	db.commits = func(ctx context.Context) (int64, error) {
		var n int64
		err := admin.QueryRowContext(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
		return n, err
	}
	db.serverPIDs = func(ctx context.Context, sessionsOnly bool) ([]int, error) {
		rows, err := admin.QueryContext(ctx, `SELECT pid FROM pg_stat_activity
			WHERE (datname = current_database() AND pid <> pg_backend_pid()) OR (NOT $1 AND backend_type <> 'client backend')`, sessionsOnly)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var pids []int
		for rows.Next() {
			var pid int
			if err := rows.Scan(&pid); err != nil {
				return nil, err
			}
			pids = append(pids, pid)
		}
		return pids, rows.Err()
	}
	return &db, nil
}
