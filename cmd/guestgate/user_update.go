package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/server"
)

func newUserUpdateCommand(f *configFlags) *cobra.Command {
	var (
		tenant, user, name, mail string
		enabled                  bool
	)
	cmd := &cobra.Command{
		Use:   "update --tenant T --user ID|UPN [--display-name N] [--mail M] [--account-enabled=true|false]",
		Short: "Change a user's name, address or accountEnabled",
		Long: `Change a user, as PATCH /v1.0/users/{id} does. --mail is the address the user signs in with
from now on; a guest's userPrincipalName keeps the address it was invited with.
--account-enabled=false disables the account and ends its sessions and tokens at once. Only the
flags given change anything. The change is written to the tenant's audit log ("Update user").`,
		Example: "  guestgate user update --tenant fabrikam.example --user 0b6f… --mail teri@outlook.example",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var p lifecycle.Patch
			if cmd.Flags().Changed("display-name") {
				p.DisplayName = &name
			}
			if cmd.Flags().Changed("mail") {
				p.Mail = &mail
			}
			if cmd.Flags().Changed("account-enabled") {
				p.AccountEnabled = &enabled
			}
			if p.DisplayName == nil && p.Mail == nil && p.AccountEnabled == nil {
				return errors.New("nothing to change: give --display-name, --mail or --account-enabled")
			}
			return withTenant(cmd, f, tenant, (*server.Base).Users, func(ops admin.Users, t directory.Tenant) error {
				u, err := ops.FindUser(cmd.Context(), t, user)
				if err != nil {
					return fmt.Errorf("update user %s: %w", user, err)
				}
				if u, err = ops.UpdateUser(cmd.Context(), t, u.ID, p); err != nil {
					return fmt.Errorf("update user %s: %w", user, err)
				}
				return printUser(cmd, t, u, "updated")
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&user, "user", "", "the user's object id or userPrincipalName (required)")
	cmd.Flags().StringVar(&name, "display-name", "", "a new display name")
	cmd.Flags().StringVar(&mail, "mail", "", "a new address (the sign-in address; never the userPrincipalName)")
	cmd.Flags().BoolVar(&enabled, "account-enabled", true, "enable (true) or disable (false) the account")
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("user")
	addOutputFlag(cmd)
	return cmd
}

func newUserDeleteCommand(f *configFlags) *cobra.Command {
	var tenant, user string
	cmd := &cobra.Command{
		Use:   "delete --tenant T --user ID|UPN",
		Short: "Delete a user (restorable for 30 days)",
		Long: `Delete a user, as DELETE /v1.0/users/{id} does: its sessions and tokens end at once, its redeem
links and passcodes stop working, and it moves to the deleted users ("guestgate user list
--deleted"), from which "guestgate user restore" brings it back with the same object id. After
30 days it is purged for good. The deletion is written to the tenant's audit log ("Delete user").`,
		Example: "  guestgate user delete --tenant fabrikam.example --user 0b6f…",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Users, func(ops admin.Users, t directory.Tenant) error {
				u, err := ops.FindUser(cmd.Context(), t, user)
				if err != nil {
					return fmt.Errorf("delete user %s: %w", user, err)
				}
				if err := ops.DeleteUser(cmd.Context(), t, u.ID); err != nil {
					return fmt.Errorf("delete user %s: %w", user, err)
				}
				d, err := ops.FindDeletedUser(cmd.Context(), t, u.ID)
				if err != nil {
					return fmt.Errorf("delete user %s: %w", user, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, graph.DeletedUsersJSON([]directory.DeletedUser{d}, t.InitialDomain), func(w io.Writer) {
					fmt.Fprintf(w, "deleted %s (%s) from %s; restorable until %s\n", d.UserPrincipalName, d.ID, t.DisplayName,
						d.DeletedAt.Add(directory.PurgeAfter).UTC().Format("2006-01-02T15:04:05Z"))
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&user, "user", "", "the user's object id or userPrincipalName (required)")
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("user")
	addOutputFlag(cmd)
	return cmd
}

func newUserRestoreCommand(f *configFlags) *cobra.Command {
	var tenant, user string
	cmd := &cobra.Command{
		Use:   "restore --tenant T --user ID|UPN",
		Short: "Restore a deleted user",
		Long: `Restore a user deleted in the last 30 days, with the same object id and properties, as POST
/v1.0/directory/deletedItems/{id}/restore does. Its sessions and tokens from before the deletion
stay dead: the user signs in again. A user created since with its address is refused. The
restore is written to the tenant's audit log ("Restore user").`,
		Example: "  guestgate user restore --tenant fabrikam.example --user 0b6f…",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Users, func(ops admin.Users, t directory.Tenant) error {
				d, err := ops.FindDeletedUser(cmd.Context(), t, user)
				if err != nil {
					return fmt.Errorf("restore user %s: %w", user, err)
				}
				u, err := ops.RestoreUser(cmd.Context(), t, d.ID)
				if err != nil {
					return fmt.Errorf("restore user %s: %w", user, err)
				}
				return printUser(cmd, t, u, "restored")
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&user, "user", "", "the deleted user's object id or userPrincipalName (required)")
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("user")
	addOutputFlag(cmd)
	return cmd
}
