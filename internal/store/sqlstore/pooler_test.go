package sqlstore_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/store/storetest"
	"github.com/guestgate/guestgate/internal/testenv"
)

// openPooled opens a store as it runs behind PgBouncer in transaction
// mode (no named statements, the budget per transaction), on a direct
// connection: every query of the store must work in that mode.
func openPooled(t *testing.T) storetest.Store {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), testenv.PostgresDSN(t), sqlstore.Options{
		Logger: slog.New(slog.DiscardHandler), Pooler: sqlstore.PoolerPgBouncer, StatementTimeout: time.Minute})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// TestPostgresPooled runs the store suite in the mode of a transaction
// pooler: pgx's exec mode names no prepared statement.
func TestPostgresPooled(t *testing.T) { storetest.Run(t, openPooled) }

// TestPooledBudget: behind a transaction pooler the connection carries no
// statement_timeout; a transaction's statements are still stopped by the
// server at the budget (SET LOCAL), and the pool goes on serving.
func TestPooledBudget(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*generous)
	defer cancel()
	const budget = 300 * time.Millisecond
	db, err := sqlstore.Open(ctx, testenv.PostgresDSN(t), sqlstore.Options{StatementTimeout: budget, Pooler: sqlstore.PoolerPgBouncer})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err = db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.ExecRaw(ctx, slowQuery(db))
		return err
	})
	if !errors.Is(err, store.ErrTimeout) {
		t.Fatalf("slow transaction = %v, want store.ErrTimeout", err)
	}
	if took := time.Since(start); took > generous {
		t.Fatalf("slow transaction stopped after %v, budget %v", took, budget)
	}
	var setting string
	err = db.InTx(ctx, func(ctx context.Context) error {
		return db.QueryRowRaw(ctx, `SELECT current_setting('statement_timeout')`).Scan(&setting)
	})
	if err != nil || setting != "300ms" {
		t.Fatalf("statement_timeout in a transaction = %q, %v; want 300ms", setting, err)
	}
}

// TestPoolerOptions: an unknown pooler, a pooler on SQLite and a LISTEN
// URL that is not PostgreSQL's are refused at open.
func TestPoolerOptions(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		dsn  string
		opts sqlstore.Options
	}{
		{"unknown pooler", "postgres://127.0.0.1:1/x", sqlstore.Options{Pooler: "pgpool"}},
		{"pooler on SQLite", testenv.SQLiteDSN(t), sqlstore.Options{Pooler: sqlstore.PoolerPgBouncer}},
		{"LISTEN URL not postgres", "postgres://127.0.0.1:1/x", sqlstore.Options{ListenURL: "guestgate.db"}},
	} {
		if db, err := sqlstore.Open(ctx, c.dsn, c.opts); err == nil {
			db.Close()
			t.Errorf("%s: opened", c.name)
		}
	}
}

// TestDirectConnectionsRunWithoutJIT: a direct connection turns
// PostgreSQL's JIT off (the access read's recursive walk was priced above
// jit_above_cost and compiled on every sign-in), unless the URL says
// otherwise.
func TestDirectConnectionsRunWithoutJIT(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	for _, c := range []struct{ name, dsn, want string }{
		{"default", dsn, "off"},
		{"the URL's own setting", dsn + map[bool]string{true: "&", false: "?"}[strings.Contains(dsn, "?")] + "jit=on", "on"},
	} {
		db, err := sqlstore.Open(t.Context(), c.dsn, sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := db.QueryRow(t.Context(), "SHOW jit").Scan(&got); err != nil {
			t.Fatal(err)
		}
		db.Close()
		if got != c.want {
			t.Errorf("%s: jit = %s, want %s", c.name, got, c.want)
		}
	}
}
