package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/server"
)

func newServeCommand(f *configFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run guestgate: sign-in pages, OpenID Connect, the admin API and the mail dispatcher",
		Long: `Run guestgate until interrupted. Migrations are applied at start.
Several processes may share one PostgreSQL database behind a load balancer; give them the same
GUESTGATE_SECRET. GUESTGATE_SMTP_URL is required: serve refuses to start without a mail server.
(--dev-mailbox keeps mail in the process instead and shows it at /dev/mailbox; it is allowed
only with a loopback public URL. For a local try-out, use guestgate demo.)`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.loadWithDatabase(cmd)
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			log, err := f.logger(cmd, false)
			if err != nil {
				return err
			}
			ln, err := listenOn("listen", cfg.Listen)
			if err != nil {
				return err
			}
			srv, err := server.Open(cmd.Context(), cfg, server.Options{Logger: log, Listener: ln})
			if err != nil {
				ln.Close()
				return err
			}
			defer srv.Close()
			return srv.Run(cmd.Context())
		},
	}
}

// withAdmin opens the store for a one-shot admin command, builds with
// build only the operations the command uses (e.g. (*server.Base).Directory
// for the store alone), runs fn over them, and closes the store.
func withAdmin[T any](cmd *cobra.Command, f *configFlags, build func(*server.Base) (T, error), fn func(ops T) error) error {
	b, err := openAdmin(cmd, f)
	if err != nil {
		return err
	}
	defer b.Close()
	ops, err := build(b)
	if err != nil {
		return err
	}
	return fn(ops)
}

// withTenant is withAdmin for commands about one tenant (--tenant: id or
// verified domain), resolved before the operations are built.
func withTenant[T any](cmd *cobra.Command, f *configFlags, tenant string, build func(*server.Base) (T, error), fn func(ops T, t directory.Tenant) error) error {
	b, err := openAdmin(cmd, f)
	if err != nil {
		return err
	}
	defer b.Close()
	dir, err := b.Directory()
	if err != nil {
		return err
	}
	t, err := dir.ResolveTenant(cmd.Context(), tenant)
	if err != nil {
		return fmt.Errorf("tenant %q: %w", tenant, err)
	}
	ops, err := build(b)
	if err != nil {
		return err
	}
	return fn(ops, t)
}

// openAdmin opens the store for a one-shot admin command.
func openAdmin(cmd *cobra.Command, f *configFlags) (*server.Base, error) {
	cfg, err := f.loadWithDatabase(cmd)
	if err != nil {
		return nil, err
	}
	log, err := f.logger(cmd, true)
	if err != nil {
		return nil, err
	}
	// A public URL given on this command line or in the environment wins;
	// otherwise the one serve stored is used, never a guess.
	given := cmd.Flags().Changed("public-url")
	return server.OpenBase(cmd.Context(), cfg, server.Options{Logger: log, PublicURLGiven: given})
}
