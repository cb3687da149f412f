package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// SQLiteDSN returns the path of a fresh, migrated SQLite file removed after
// the test: a copy of this process's migrated template.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	tmpl, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("SQLite template: %v", err)
	}
	path := EmptySQLiteDSN(t)
	if err := os.WriteFile(path, tmpl, 0o600); err != nil {
		t.Fatalf("copy SQLite template: %v", err)
	}
	return path
}

// EmptySQLiteDSN returns the path of a SQLite file that does not exist
// yet, removed after the test: for tests of migration itself.
func EmptySQLiteDSN(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "guestgate.db")
}

var sqliteTmpl struct {
	once  sync.Once
	bytes []byte
	err   error
}

// sqliteTemplate returns the bytes of a migrated SQLite database, built
// once per migration set and kept in the user's cache directory, then
// once per process in memory.
func sqliteTemplate() ([]byte, error) {
	sqliteTmpl.once.Do(func() {
		sqliteTmpl.bytes, sqliteTmpl.err = loadSQLiteTemplate(context.Background())
	})
	return sqliteTmpl.bytes, sqliteTmpl.err
}

func loadSQLiteTemplate(ctx context.Context) ([]byte, error) {
	digest, err := sqlstore.MigrationsDigest()
	if err != nil {
		return nil, err
	}
	dir := templateDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	path := filepath.Join(dir, "sqlite-"+digest[:16]+".db")
	if b, err := os.ReadFile(path); err == nil {
		now := time.Now()
		_ = os.Chtimes(path, now, now) // marks it in use for sweepSQLiteTemplates
		return b, nil
	}
	sweepSQLiteTemplates(dir, path)
	// Build under a private name and rename: processes racing here each
	// build a whole template, and the rename is atomic.
	f, err := os.CreateTemp(dir, "building-*.db")
	if err != nil {
		return nil, fmt.Errorf("create SQLite template: %w", err)
	}
	tmp := f.Name()
	f.Close()
	defer func() {
		for _, p := range []string{tmp, tmp + "-wal", tmp + "-shm"} {
			_ = os.Remove(p)
		}
	}()
	if err := migrate(ctx, tmp); err != nil {
		return nil, err
	}
	// Leave WAL mode so the template is one self-contained file; the
	// store's Open turns WAL on again in each copy.
	raw, err := sql.Open("sqlite", tmp)
	if err != nil {
		return nil, fmt.Errorf("open SQLite template: %w", err)
	}
	_, err = raw.ExecContext(ctx, "PRAGMA journal_mode=DELETE")
	raw.Close()
	if err != nil {
		return nil, fmt.Errorf("checkpoint SQLite template: %w", err)
	}
	b, err := os.ReadFile(tmp)
	if err != nil {
		return nil, fmt.Errorf("read SQLite template: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("install SQLite template: %w", err)
	}
	return b, nil
}

// migrate opens dsn with the store and applies every migration.
func migrate(ctx context.Context, dsn string) error {
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Logger: slog.New(slog.DiscardHandler), MaxConns: 1})
	if err != nil {
		return fmt.Errorf("open template: %w", err)
	}
	_, err = db.Migrate(ctx)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("migrate template: %w", err)
	}
	return nil
}

// templateDir is where SQLite templates live between runs.
func templateDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "guestgate-test")
}

// staleAfter is how long a template of another migration set (another
// branch, an older checkout) is kept unused before it is removed.
const staleAfter = 24 * time.Hour

// sweepSQLiteTemplates removes templates other than keep unused for
// staleAfter, and builds abandoned as long ago.
func sweepSQLiteTemplates(dir, keep string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if p == keep || !strings.HasSuffix(e.Name(), ".db") {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Mode().Type()&fs.ModeType == 0 && time.Since(fi.ModTime()) > staleAfter {
			_ = os.Remove(p)
		}
	}
}
