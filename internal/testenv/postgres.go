package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// PostgresDSN returns a DSN for a fresh, migrated database of its own on
// the test server named by GUESTGATE_TEST_POSTGRES (DefaultPostgres when
// unset): a clone of this migration set's template database. The database
// is dropped after the test. An unreachable server skips locally and fails
// in CI.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := postgresBase()
	tmpl, err := postgresTemplate(base)
	if err != nil {
		unreachable(t, base, err)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", PostgresEnv, err)
	}
	defer admin.Close()
	name := fmt.Sprintf("%s%d_%s", clonePrefix, time.Now().Unix(), randomHex(4))
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name+" TEMPLATE "+tmpl); err != nil {
		unreachable(t, base, err)
	}
	t.Cleanup(func() { dropDatabase(base, name) })
	return withDatabase(t, base, name)
}

// EmptyPostgresDSN returns a DSN for an empty schema of its own on the
// test server, dropped after the test: for tests of migration itself.
func EmptyPostgresDSN(t testing.TB) string {
	t.Helper()
	base := postgresBase()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", PostgresEnv, err)
	}
	defer admin.Close()
	schema := "t_" + randomHex(6)
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		unreachable(t, base, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Names on the test server. Several processes (packages tested in
// parallel, several checkouts) share it, so each migration set has its own
// template and clones carry their creation time for sweepPostgres.
const (
	templatePrefix = "guestgate_tmpl_"
	clonePrefix    = "guestgate_t_"
	// templateLock serialises building templates across processes.
	templateLock = 7460714
)

var pgTmpl struct {
	mu    sync.Mutex
	names map[string]string // base DSN → template name
}

// postgresTemplate returns the name of the migrated template database for
// this migration set on the server at base, building it the first time.
func postgresTemplate(base string) (string, error) {
	pgTmpl.mu.Lock()
	defer pgTmpl.mu.Unlock()
	if name, ok := pgTmpl.names[base]; ok {
		return name, nil
	}
	name, err := buildPostgresTemplate(context.Background(), base)
	if err != nil {
		return "", err
	}
	if pgTmpl.names == nil {
		pgTmpl.names = make(map[string]string)
	}
	pgTmpl.names[base] = name
	return name, nil
}

func buildPostgresTemplate(ctx context.Context, base string) (string, error) {
	digest, err := sqlstore.MigrationsDigest()
	if err != nil {
		return "", err
	}
	name := templatePrefix + digest[:16]
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", err
	}
	defer admin.Close()
	conn, err := admin.Conn(ctx) // the session lock below lives on one connection
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", templateLock); err != nil {
		return "", err
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", templateLock) }()

	sweepPostgres(ctx, conn, name)
	var ready bool
	err = conn.QueryRowContext(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&ready)
	switch {
	case err == nil && ready:
		_, _ = conn.ExecContext(ctx, "COMMENT ON DATABASE "+name+" IS '"+lastUsed()+"'")
		return name, nil
	case err == nil: // a build that died half-way
		if _, err := conn.ExecContext(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			return "", err
		}
	case !errors.Is(err, sql.ErrNoRows):
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		return "", err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	if err := migrate(ctx, u.String()); err != nil {
		return "", err
	}
	// Marked ready last; refusing connections keeps clones from failing
	// on "source database is being accessed by other users".
	for _, q := range []string{
		"ALTER DATABASE " + name + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
		"COMMENT ON DATABASE " + name + " IS '" + lastUsed() + "'",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return "", err
		}
	}
	return name, nil
}

// lastUsed is the comment a template carries: when a process last took it.
func lastUsed() string {
	return "guestgate test template, last used " + strconv.FormatInt(time.Now().Unix(), 10)
}

// sweepPostgres drops templates of other migration sets unused for
// staleAfter, and clones older than that (left by killed test processes).
// Errors are ignored: a database in use stays for the next sweep.
func sweepPostgres(ctx context.Context, conn *sql.Conn, keep string) {
	rows, err := conn.QueryContext(ctx, `SELECT datname, COALESCE(shobj_description(oid, 'pg_database'), '')
		FROM pg_database WHERE datname LIKE 'guestgate\_t%'`)
	if err != nil {
		return
	}
	var stale []string
	cutoff := time.Now().Add(-staleAfter).Unix()
	for rows.Next() {
		var name, comment string
		if rows.Scan(&name, &comment) != nil {
			continue
		}
		var stamp string
		switch {
		case name == keep:
			continue
		case strings.HasPrefix(name, templatePrefix):
			_, stamp, _ = strings.Cut(comment, "last used ")
		case strings.HasPrefix(name, clonePrefix):
			stamp, _, _ = strings.Cut(strings.TrimPrefix(name, clonePrefix), "_")
		default:
			continue
		}
		if at, err := strconv.ParseInt(stamp, 10, 64); err == nil && at < cutoff {
			stale = append(stale, name)
		}
	}
	rows.Close()
	for _, name := range stale {
		_, _ = conn.ExecContext(ctx, "ALTER DATABASE "+name+" WITH IS_TEMPLATE false")
		_, _ = conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	}
}

// dropDatabase drops a test's clone, ending any connection a test left open.
func dropDatabase(base, name string) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return
	}
	defer db.Close()
	_, _ = db.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

// withDatabase returns base naming database name instead.
func withDatabase(t testing.TB, base, name string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}

// unreachable skips (locally) or fails (in CI) a test whose PostgreSQL
// server did not answer.
func unreachable(t testing.TB, base string, err error) {
	t.Helper()
	if InCI() {
		t.Fatalf("PostgreSQL at %s: %v", redact(base), err)
	}
	t.Skipf("PostgreSQL at %s unreachable (%v); skipping (in CI this fails)", redact(base), err)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
