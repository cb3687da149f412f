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
		Short: "Create a new signing key and retire the current one",
		Long: `Create a new token-signing key; new tokens are signed with it at once (running processes
pick it up within 30 seconds). The previous key stays published in every tenant's JWKS until the
tokens it signed have expired, then it is deleted. Keys are sealed at rest with the deployment's secret,
so this command needs it (GUESTGATE_SECRET or GUESTGATE_SECRET_FILE), as serve does.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAdmin(cmd, f, (*server.Base).Apps, func(ops admin.Apps) error {
				kid, err := ops.RotateKeys(cmd.Context())
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "new signing key %s is current; the previous key stays published until its tokens expire\n", kid)
				return err
			})
		},
	})
	return cmd
}
