package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/server"
)

func newUserListCommand(f *configFlags) *cobra.Command {
	var (
		tenant  string
		deleted bool
	)
	cmd := &cobra.Command{
		Use:   "list --tenant T [--deleted]",
		Short: "List a tenant's users (or its deleted users)",
		Long: `List the tenant's users, members and guests, ordered by object id. With --deleted, list the
users deleted in the last 30 days instead, which "guestgate user restore" can bring back.
--output json prints one object shaped as Graph's GET /v1.0/users (or
/v1.0/directory/deletedItems/microsoft.graph.user) answers: {"@odata.context", "value": [...]}.`,
		Example: "  guestgate user list --tenant fabrikam.example --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Users, func(ops admin.Users, t directory.Tenant) error {
				format, _ := cmd.Flags().GetString("output")
				if deleted {
					list, err := ops.ListDeletedUsers(cmd.Context(), t)
					if err != nil {
						return fmt.Errorf("list deleted users: %w", err)
					}
					return printResult(cmd.OutOrStdout(), format, graph.DeletedUsersJSON(list, t.InitialDomain), func(w io.Writer) {
						fmt.Fprintf(w, "%-36s  %-20s  %-7s  %s\n", "ID", "DELETED", "TYPE", "USER PRINCIPAL NAME")
						for _, d := range list {
							fmt.Fprintf(w, "%-36s  %-20s  %-7s  %s\n", d.ID, d.DeletedAt.UTC().Format("2006-01-02T15:04:05Z"), d.UserType, d.UserPrincipalName)
						}
					})
				}
				users, err := ops.ListUsers(cmd.Context(), t)
				if err != nil {
					return fmt.Errorf("list users: %w", err)
				}
				return printResult(cmd.OutOrStdout(), format, graph.UsersJSON(users, t.InitialDomain), func(w io.Writer) {
					fmt.Fprintf(w, "%-36s  %-7s  %-8s  %-17s  %s\n", "ID", "TYPE", "ENABLED", "STATE", "USER PRINCIPAL NAME")
					for _, u := range users {
						state := string(u.ExternalUserState)
						if state == "" {
							state = "-"
						}
						fmt.Fprintf(w, "%-36s  %-7s  %-8t  %-17s  %s\n", u.ID, u.UserType, u.AccountEnabled, state, u.UserPrincipalName)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().BoolVar(&deleted, "deleted", false, "list the deleted users instead")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

func newUserShowCommand(f *configFlags) *cobra.Command {
	var tenant, user string
	cmd := &cobra.Command{
		Use:   "show --tenant T --user ID|UPN",
		Short: "Show a user",
		Long: `Show one user of the tenant, named by its object id or its userPrincipalName. --output json
prints the Graph user object, as GET /v1.0/users/{id} answers it.`,
		Example: "  guestgate user show --tenant fabrikam.example --user 'teri_gmail.example#EXT#@fabrikam.guestgate.local'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Users, func(ops admin.Users, t directory.Tenant) error {
				u, err := ops.FindUser(cmd.Context(), t, user)
				if err != nil {
					return fmt.Errorf("show user %s: %w", user, err)
				}
				return printUser(cmd, t, u, "user")
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
