package sqlstore

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSQLiteFilesPrivate: the database file and its -wal and -shm files
// (passcode hashes, sessions, signing keys, mail waiting to be sent) are
// readable by the owner only, whatever the process umask.
func TestSQLiteFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022) // a common default that leaves files world-readable
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "guestgate.db")
	db, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(p), err)
		}
		if mode := fi.Mode().Perm(); mode != 0o600 {
			t.Errorf("%s has mode %v, want -rw-------", filepath.Base(p), mode)
		}
	}
}
