package sqlstore

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
)

// MigrationsDigest returns a hex SHA-256 of every embedded migration's
// name and text, for both engines. Two binaries with the same digest build
// the same schema, so a database migrated by one needs nothing from the
// other; tests key their migrated template databases by it.
func MigrationsDigest() (string, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return "", fmt.Errorf("read migrations: %w", err)
	}
	h := sha256.New()
	for _, e := range entries { // ReadDir sorts by name
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return "", fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", e.Name(), len(body))
		h.Write(body)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
