package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

func newMigrateCommand(f *configFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply database migrations and exit",
		Long: `Apply the embedded schema migrations the database lacks. serve and demo also do this at start;
several processes may run it at once. With --public-url (or GUESTGATE_PUBLIC_URL) it also records
the deployment's public URL, which admin commands use to build links (serve records it too).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.loadWithDatabase(cmd)
			if err != nil {
				return err
			}
			log, err := f.logger(cmd, false)
			if err != nil {
				return err
			}
			so := cfg.DatabaseOptions()
			so.Logger = log
			db, err := sqlstore.Open(cmd.Context(), cfg.DatabaseURL, so)
			if err != nil {
				return err
			}
			defer db.Close()
			n, err := db.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("public-url") {
				if err := cfg.ValidatePublicURL(); err != nil {
					return err
				}
				if err := db.SetDeploymentSetting(cmd.Context(), sqlstore.SettingPublicURL, cfg.PublicURL, time.Now()); err != nil {
					return err
				}
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "applied %d migration(s) to the %s database\n", n, db.Engine())
			return err
		},
	}
}
