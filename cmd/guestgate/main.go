// Command guestgate is a self-hosted identity service for B2B guest access:
// organizations invite outside people, who sign in with an email one-time
// passcode when they have no identity the organization accepts.
//
// main.go only assembles the command tree; each subcommand has its own file.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := newRootCommand().ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "guestgate:", err)
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "guestgate",
		Short: "Guest access with email one-time passcodes, for many organizations",
		Long: `guestgate lets organizations (tenants) invite outside people (guests) to their apps.
A guest signs in with an email one-time passcode; apps sign people in with OpenID Connect;
admins use a Microsoft-Graph-shaped API and this CLI.

Every flag can also be set with the GUESTGATE_* variable named in its help. The server's
tuning flags (listeners, limits, throttles, timeouts) are listed by serve --help and demo --help;
every command accepts them, so one environment file serves all.

` + secretHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(), // --version, as the version command
	}
	root.SetVersionTemplate("guestgate {{.Version}}\n")
	flags := bindConfigFlags(root)
	tuningHelp(root)
	root.AddCommand(
		newServeCommand(flags),
		newMigrateCommand(flags),
		newDemoCommand(flags),
		newTenantCommand(flags),
		newAppCommand(flags),
		newInviteCommand(flags),
		newUserCommand(flags),
		newGuestCommand(flags),
		newRoleCommand(flags),
		newGroupCommand(flags),
		newPolicyCommand(flags),
		newKeysCommand(flags),
		newIdPCommand(flags),
		newBrandingCommand(flags),
		newOutboxCommand(flags),
		newVersionCommand(),
	)
	return root
}
