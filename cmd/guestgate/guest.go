package main

import "github.com/spf13/cobra"

func newGuestCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "guest", Short: "Look after a tenant's guests"}
	cmd.AddCommand(newGuestInactiveCommand(f), newGuestInactivePolicyCommand(f))
	return cmd
}
