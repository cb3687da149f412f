package sqlstore_test

import (
	"log/slog"
	"testing"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/store/storetest"
	"github.com/guestgate/guestgate/internal/testenv"
)

// openStore opens and migrates a store on dsn, closed when the test ends.
func openStore(t *testing.T, dsn string) storetest.Store {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), dsn, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

func openSQLite(t *testing.T) storetest.Store { return openStore(t, testenv.SQLiteDSN(t)) }

func TestSQLite(t *testing.T) { storetest.Run(t, openSQLite) }

func TestSQLiteConcurrent(t *testing.T) { storetest.RunConcurrent(t, openSQLite) }
