package sqlstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change. A file named NNNN_name.sql
// applies to both engines; NNNN_name.postgres.sql or NNNN_name.sqlite.sql
// to one only.
type migration struct {
	version int
	name    string
	sql     string
}

func (db *DB) migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		base := strings.TrimSuffix(name, ".sql")
		if eng := engineSuffix(base); eng != "" {
			if eng != db.d.engine {
				continue
			}
		}
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and '_'", name)
		}
		body, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", name, err)
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share version %d", out[i-1].name, out[i].name, out[i].version)
		}
	}
	return out, nil
}

func engineSuffix(base string) string {
	for _, eng := range []string{EnginePostgres, EngineSQLite} {
		if strings.HasSuffix(base, "."+eng) {
			return eng
		}
	}
	return ""
}

// Migrate applies the embedded migrations the database lacks, each in its
// own transaction, and returns how many it applied. Concurrent callers (several
// processes starting at once) wait for each other: PostgreSQL takes an
// advisory lock, SQLite's write transaction is exclusive. Migrations have
// no statement budget: one may rebuild an index of a large table.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	ctx = withoutBudget(ctx)
	ms, err := db.migrations()
	if err != nil {
		return 0, err
	}
	err = db.migrationTx(ctx, func(ctx context.Context) error {
		_, err := db.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	if done, err := db.allApplied(ctx, ms); err != nil || done {
		return 0, err
	}
	applied := 0
	for _, m := range ms {
		did, err := db.applyMigration(ctx, m)
		if err != nil {
			return applied, err
		}
		if did {
			applied++
			db.log.DebugContext(ctx, "applied migration", "version", m.version, "name", m.name, "engine", db.d.engine)
		}
	}
	return applied, nil
}

// migrationTx runs fn in a transaction without a statement budget: on
// PostgreSQL the connection's statement_timeout (the request budget) is
// lifted for the transaction.
func (db *DB) migrationTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return db.InTx(withoutBudget(ctx), func(ctx context.Context) error {
		if db.d.liftBudget != "" {
			if _, err := db.exec(ctx, db.d.liftBudget); err != nil {
				return fmt.Errorf("lift the statement budget: %w", err)
			}
		}
		return fn(ctx)
	})
}

func (db *DB) applyMigration(ctx context.Context, m migration) (bool, error) {
	did := false
	err := db.migrationTx(ctx, func(ctx context.Context) error {
		if db.d.lockMigrations != "" {
			if _, err := db.exec(ctx, db.d.lockMigrations); err != nil {
				return fmt.Errorf("lock migrations: %w", err)
			}
		}
		var n int
		if err := db.queryRow(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = $1`, m.version).Scan(&n); err != nil {
			return fmt.Errorf("read schema_migrations: %w", err)
		}
		if n > 0 {
			return nil
		}
		if err := db.execScript(ctx, m.sql); err != nil {
			return fmt.Errorf("apply migration %s: %w", m.name, err)
		}
		if _, err := db.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, toDB(time.Now())); err != nil {
			return fmt.Errorf("record migration %s: %w", m.name, err)
		}
		did = true
		return nil
	})
	return did, err
}

// allApplied reports whether every migration is already recorded, so an
// up-to-date database (every start but the first after an upgrade) is
// checked in one query, without taking the migration lock. Recorded
// migrations are never removed, so a true answer cannot go stale.
func (db *DB) allApplied(ctx context.Context, ms []migration) (bool, error) {
	rows, err := db.write.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return false, fmt.Errorf("read schema_migrations: %w", err)
	}
	defer rows.Close()
	have := make(map[int]bool)
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return false, fmt.Errorf("read schema_migrations: %w", err)
		}
		have[v] = true
	}
	if err := rows.Err(); err != nil {
		return false, fmt.Errorf("read schema_migrations: %w", err)
	}
	for _, m := range ms {
		if !have[m.version] {
			return false, nil
		}
	}
	return true, nil
}
