// Package testenv gives tests the real services they need: a fresh,
// migrated SQLite file or PostgreSQL database, Chromium. When a service is
// missing, a test skips with a message locally and fails under CI=true, so
// CI can never pass by silently not testing an engine.
//
// A fresh database is cheap: each test process migrates once into a
// template keyed by sqlstore.MigrationsDigest (template.go) and every test
// gets a copy, on which the store's Migrate finds nothing to do. Tests that
// need an unmigrated database use EmptySQLiteDSN or EmptyPostgresDSN.
//
// testenv imports sqlstore, so tests inside package sqlstore itself (not
// sqlstore_test) cannot import testenv.
package testenv

import (
	"context"
	"log/slog"
	"net/url"
	"os"
	"testing"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
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

// Engines lists the engines every store-backed test runs on, by name and a
// function returning a fresh, migrated DSN.
func Engines() []Engine {
	return []Engine{{Name: "sqlite", DSN: SQLiteDSN}, {Name: "postgres", DSN: PostgresDSN}}
}

// Engine is a named source of fresh databases.
type Engine struct {
	Name string
	DSN  func(testing.TB) string
}

// postgresBase returns the test server's DSN.
func postgresBase() string {
	if base := os.Getenv(PostgresEnv); base != "" {
		return base
	}
	return DefaultPostgres
}

// redact hides a password in a DSN for messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return PostgresEnv
	}
	return u.Redacted()
}

// Open opens a fresh, migrated database of e, closed when t ends: the
// store every service test builds its service on.
func (e Engine) Open(t testing.TB) *sqlstore.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, e.DSN(t), sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open the %s test database: %v", e.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate the %s test database: %v", e.Name, err)
	}
	return db
}
