// Package testenv gives tests the real services they need: a fresh SQLite
// file, a fresh PostgreSQL schema, Chromium. When a service is missing, a
// test skips with a message locally and fails under CI=true, so CI can never
// pass by silently not testing an engine.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // "pgx" driver for schema set-up
)

// PostgresEnv names the variable holding the test server's DSN.
const PostgresEnv = "GUESTGATE_TEST_POSTGRES"

// DefaultPostgres is the test server used when PostgresEnv is unset: the
// local one the README and .ci/run use.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// InCI reports whether the tests run in CI (CI=true).
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable skips the test locally, or fails it in CI, because a service is missing.
func Unavailable(t testing.TB, what string) {
	t.Helper()
	if InCI() {
		t.Fatalf("%s is required in CI but unavailable", what)
	}
	t.Skipf("%s unavailable; skipping (in CI this fails)", what)
}

// SQLiteDSN returns the path of a fresh SQLite file removed after the test.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "guestgate.db")
}

// PostgresDSN returns a DSN for an empty schema of its own on the test
// server named by GUESTGATE_TEST_POSTGRES (DefaultPostgres when unset); the
// schema is dropped after the test. An unreachable server skips locally
// and fails in CI.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		base = DefaultPostgres
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", PostgresEnv, err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		if InCI() {
			t.Fatalf("PostgreSQL at %s: %v", redact(base), err)
		}
		t.Skipf("PostgreSQL at %s unreachable (%v); skipping (in CI this fails)", redact(base), err)
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

// Engines lists the engines every store-backed test runs on, by name and a
// function returning a fresh DSN.
func Engines() []Engine {
	return []Engine{{Name: "sqlite", DSN: SQLiteDSN}, {Name: "postgres", DSN: PostgresDSN}}
}

// Engine is a named source of fresh databases.
type Engine struct {
	Name string
	DSN  func(testing.TB) string
}

// redact hides a password in a DSN for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return PostgresEnv
	}
	return u.Redacted()
}
