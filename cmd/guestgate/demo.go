package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/server"
)

func newDemoCommand(f *configFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Run a self-contained demo: embedded SQLite, the dev mailbox, a tenant and an invitation",
		Long: `Start guestgate on an embedded SQLite file in a temporary directory with the built-in dev
mailbox (no SMTP), create the demo tenant "Fabrikam" (verified domain fabrikam.example), an app and an
invitation for teri@gmail.example, and print the redeem link. Open it, press Send code, read the code
in the dev mailbox, type it, and you are signed in. Everything is discarded when the demo stops.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.load(cmd)
			if err != nil {
				return err
			}
			dir, err := os.MkdirTemp("", "guestgate-demo-")
			if err != nil {
				return fmt.Errorf("demo: temporary directory: %w", err)
			}
			defer os.RemoveAll(dir)
			if !cmd.Flags().Changed("database-url") && os.Getenv("GUESTGATE_DATABASE_URL") == "" {
				cfg.DatabaseURL = filepath.Join(dir, "guestgate-demo.db")
			}
			cfg.SMTPURL = ""
			if cfg.Secret == "" {
				cfg.Secret = randomSecret()
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
			if err := seedDemo(cmd, srv, cfg); err != nil {
				return err
			}
			return srv.Run(cmd.Context())
		},
	}
}

// seedDemo creates the demo tenant, app and invitation and prints how to use them.
func seedDemo(cmd *cobra.Command, srv *server.Server, cfg server.Config) error {
	ctx := cmd.Context()
	t, err := srv.CreateTenant(ctx, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}})
	if err != nil {
		return fmt.Errorf("demo: create tenant: %w", err)
	}
	app, _, err := srv.CreateApp(ctx, t.ID, "Fabrikam shared resource", nil, []string{cfg.PublicURL + "/demo-app/callback"}, []string{cfg.PublicURL + "/demo-app/"}, false)
	if err != nil {
		return fmt.Errorf("demo: create app: %w", err)
	}
	res, err := srv.Invite(ctx, t, invitation.Request{
		Email: "teri@gmail.example", DisplayName: "Teri", RedirectURL: cfg.PublicURL + "/" + t.ID + "/", SendMessage: true,
		CustomMessage: "Welcome to Fabrikam's shared resources!",
	})
	if err != nil {
		return fmt.Errorf("demo: invite: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), `
guestgate demo is running at %[1]s

  tenant      Fabrikam  id %[2]s  domain fabrikam.example
  app         %[3]s
  invitation  teri@gmail.example

  1. Open the redeem link:  %[4]s
  2. Press "Send code", then read the code in the dev mailbox:  %[1]s/dev/mailbox
  3. Type the code: you land on Fabrikam's My Apps page, signed in.

Press Ctrl+C to stop (the demo database is discarded).

`, cfg.PublicURL, t.ID, app.AppID, res.RedeemURL)
	return nil
}

func randomSecret() string {
	var b [48]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
