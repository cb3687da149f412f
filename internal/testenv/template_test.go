package testenv_test

import (
	"log/slog"
	"testing"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestFreshDatabases: a fresh database from Engines is already migrated
// (Migrate applies nothing) and is a database of its own; the Empty
// variants are unmigrated, for tests of migration itself.
func TestFreshDatabases(t *testing.T) {
	empty := map[string]func(testing.TB) string{"sqlite": testenv.EmptySQLiteDSN, "postgres": testenv.EmptyPostgresDSN}
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			a, b := e.DSN(t), e.DSN(t)
			if a == b {
				t.Fatalf("two fresh databases share the DSN %s", a)
			}
			if n := migrate(t, a); n != 0 {
				t.Fatalf("a fresh database needed %d migrations; want none (cloned from the template)", n)
			}
			if n := migrate(t, empty[e.Name](t)); n == 0 {
				t.Fatal("an empty database needed no migrations")
			}
		})
	}
}

func migrate(t *testing.T, dsn string) int {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), dsn, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.Migrate(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
