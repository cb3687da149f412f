package main

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/server"
)

// errNoDatabase is the refusal of a command that stores something when no
// database is set: it used to fall back to ./guestgate.db, so a shell that
// forgot the environment file reported success into a stray file.
var errNoDatabase = errors.New("no database is set: set GUESTGATE_DATABASE_URL (a postgres:// URL, or the path of a SQLite file) or GUESTGATE_DATABASE_URL_FILE (a file holding it), or give --database-url; a local try-out without one is guestgate demo")

// loadWithDatabase is load for every command but demo: the database must be
// set, never defaulted.
func (f *configFlags) loadWithDatabase(cmd *cobra.Command) (server.Config, error) {
	cfg, err := f.load(cmd)
	if err != nil {
		return cfg, err
	}
	if cfg.DatabaseURL == "" {
		return cfg, errNoDatabase
	}
	return cfg, nil
}
