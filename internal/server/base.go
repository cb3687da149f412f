package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// Base is an open, migrated store with the configuration, clock and logger
// that every service is built from. Open builds all of them over one Base;
// an admin command opens one with OpenBase and builds only the services it
// uses (admin.go), so `guestgate tenant list` derives no key and builds no
// provider, pages or API.
type Base struct {
	cfg   Config
	db    *sqlstore.DB
	clock clock.Clock
	log   *slog.Logger
	// publicURLKnown: the public URL was given, or serve stored one. An
	// admin process without it refuses to build links rather than guess.
	publicURLKnown bool
	// secretKnown: the deployment secret was given (admin commands may run
	// without it: nothing they seal could then be opened by serve).
	secretKnown bool
}

// placeholderSecret stands in for the deployment secret in an admin
// process without one, so that the services' constructors get keys;
// passcodes, cookies, codes, keys and sealed secrets are never made with
// it (the operations that would, refuse: ErrSecretRequired, RotateKeys).
const placeholderSecret = "admin-commands-use-no-secret-000000"

// OpenBase opens and migrates the store for one-shot admin commands. It
// needs no secret or mail server and serves nothing (mail it causes waits
// in the outbox for a serving process). A secret that is set must be
// valid. Without Options.PublicURLGiven, the public URL serve stored is
// used.
func OpenBase(ctx context.Context, cfg Config, opts Options) (*Base, error) {
	secretKnown := len(cfg.Secrets()) > 0
	if !secretKnown {
		cfg.Secret, cfg.adminOnly = placeholderSecret, true
	} else if err := checkSecrets(cfg.Secrets()); err != nil {
		return nil, err
	}
	b, err := openBase(ctx, cfg, opts, sqlstore.Options{})
	if err != nil {
		return nil, err
	}
	b.secretKnown = secretKnown
	if opts.PublicURLGiven {
		return b, nil
	}
	stored, err := b.db.GetDeploymentSetting(ctx, sqlstore.SettingPublicURL)
	switch {
	case err == nil:
		b.cfg.PublicURL = stored
	case errors.Is(err, store.ErrNotFound):
		b.publicURLKnown = false
	default:
		b.db.Close()
		return nil, fmt.Errorf("read the stored public URL: %w", err)
	}
	return b, nil
}

// openBase opens and migrates the store.
func openBase(ctx context.Context, cfg Config, opts Options, so sqlstore.Options) (*Base, error) {
	log := cmp.Or(opts.Logger, slog.Default())
	clk := opts.Clock
	if clk == nil {
		clk = clock.Real{}
	}
	so.Logger = log
	so.Pooler, so.ListenURL = cfg.DatabasePooler, cfg.DatabaseListenURL
	db, err := sqlstore.Open(ctx, cfg.DatabaseURL, so)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return &Base{cfg: cfg, db: db, clock: clk, log: log, publicURLKnown: true, secretKnown: true}, nil
}

// DB is the store.
func (b *Base) DB() *sqlstore.DB { return b.db }

// Close closes the store.
func (b *Base) Close() error { return b.db.Close() }
