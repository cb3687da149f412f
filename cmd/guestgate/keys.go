package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/server"
)

func newKeysCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage the keys that sign tokens"}
	cmd.AddCommand(&cobra.Command{
		Use:   "rotate",
		Short: "Create new signing keys (RS256 and ES256) and retire the current ones",
		Long: `Create a new token-signing key per algorithm (an RSA key for RS256 and a P-256 key for ES256);
new tokens are signed with them at once (running processes pick them up within 30 seconds). The
previous keys stay published in every tenant's JWKS until the tokens they signed have expired, then
they are deleted. Keys are sealed at rest with the deployment's secret,
so this command needs it (GUESTGATE_SECRET or GUESTGATE_SECRET_FILE), as serve does.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAdmin(cmd, f, (*server.Base).Apps, func(ops admin.Apps) error {
				ids, err := ops.RotateKeys(cmd.Context())
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "new signing key %s (RS256) is current, and %s (ES256); the previous keys stay published until their tokens expire\n", ids.RS256, ids.ES256)
				return err
			})
		},
	})
	return cmd
}
