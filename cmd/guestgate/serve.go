package main

import (
	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/server"
)

func newServeCommand(f *configFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run guestgate: sign-in pages, OpenID Connect, the admin API and the mail dispatcher",
		Long: `Run guestgate until interrupted. Migrations are applied at start.
Several processes may share one PostgreSQL database behind a load balancer; give them the same
GUESTGATE_SECRET. Without GUESTGATE_SMTP_URL mail stays in the dev mailbox at /dev/mailbox.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.load(cmd)
			if err != nil {
				return err
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			log, err := f.logger()
			if err != nil {
				return err
			}
			srv, err := server.Open(cmd.Context(), cfg, server.Options{Logger: log})
			if err != nil {
				return err
			}
			defer srv.Close()
			return srv.Run(cmd.Context())
		},
	}
}

// openAdmin opens the store and services for a one-shot admin command.
func openAdmin(cmd *cobra.Command, f *configFlags) (*server.Server, error) {
	cfg, err := f.load(cmd)
	if err != nil {
		return nil, err
	}
	log, err := f.logger()
	if err != nil {
		return nil, err
	}
	return server.OpenAdmin(cmd.Context(), cfg, server.Options{Logger: log})
}
