package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/server"
)

// newAppRoleCommand is `app role add|list|disable`: the roles an app
// defines (Graph's appRoles), which assignments give and the roles claim
// carries.
func newAppRoleCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "role", Short: "Define an app's roles (the roles claim), list them, disable one"}
	cmd.AddCommand(newAppRoleAddCommand(f), newAppRoleListCommand(f), newAppRoleDisableCommand(f))
	return cmd
}

func newAppRoleAddCommand(f *configFlags) *cobra.Command {
	var tenant, app, value, name, description string
	cmd := &cobra.Command{
		Use:   "add --tenant T --app A --value V --name N [--description D]",
		Short: "Add a role to an app, enabled, for users and groups",
		Long: `--value is what the app reads in the roles claim of a user who holds the role: at most 120
characters, no spaces, not starting with a dot, unique in the app. --name is what admins see.
The change is written to the tenant's audit log ("Update application").`,
		Example: `  guestgate app role add --tenant fabrikam.example --app Wiki --value Wiki.Editor --name "Wiki editor"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, f, tenant, app, func(ops admin.Assignments, t directory.Tenant, a assignment.App) error {
				r := assignment.AppRole{ID: uuid.NewString(), Value: value, DisplayName: name, Description: description,
					AllowedMemberTypes: []string{assignment.MemberTypeUser}, IsEnabled: true}
				if _, err := ops.SetAppRoles(cmd.Context(), t, a.AppID, append(slices.Clone(a.AppRoles), r)); err != nil {
					return fmt.Errorf("add role %q to app %s: %w", value, a.DisplayName, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, r, func(w io.Writer) {
					fmt.Fprintf(w, "added role %s (%s) to app %s\n  id: %s\n", r.Value, r.DisplayName, a.DisplayName, r.ID)
				})
			})
		},
	}
	appFlags(cmd, &tenant, &app)
	cmd.Flags().StringVar(&value, "value", "", "the value the roles claim carries (required)")
	cmd.Flags().StringVar(&name, "name", "", "the role's display name (required)")
	cmd.Flags().StringVar(&description, "description", "", "what the role allows")
	for _, n := range []string{"value", "name"} {
		_ = cmd.MarkFlagRequired(n)
	}
	addOutputFlag(cmd)
	return cmd
}

func newAppRoleListCommand(f *configFlags) *cobra.Command {
	var tenant, app string
	cmd := &cobra.Command{
		Use:     "list --tenant T --app A",
		Short:   "List an app's roles",
		Example: `  guestgate app role list --tenant fabrikam.example --app Wiki`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, f, tenant, app, func(_ admin.Assignments, _ directory.Tenant, a assignment.App) error {
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, map[string]any{"value": nonNilRoles(a.AppRoles)}, func(w io.Writer) {
					if len(a.AppRoles) == 0 {
						fmt.Fprintf(w, "app %s defines no roles: assignments give Default Access\n", a.DisplayName)
						return
					}
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "VALUE\tNAME\tENABLED\tID")
					for _, r := range a.AppRoles {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Value, r.DisplayName, yesNo(r.IsEnabled), r.ID)
					}
					_ = tw.Flush()
				})
			})
		},
	}
	appFlags(cmd, &tenant, &app)
	addOutputFlag(cmd)
	return cmd
}

func newAppRoleDisableCommand(f *configFlags) *cobra.Command {
	var tenant, app, value string
	cmd := &cobra.Command{
		Use:   "disable --tenant T --app A --value V",
		Short: "Disable an app's role: it is no longer assigned nor put in the roles claim",
		Long: `--value names the role by its value or its id. Users and groups that hold the role keep their
assignment (so they still may sign in), but the roles claim no longer carries it.`,
		Example: `  guestgate app role disable --tenant fabrikam.example --app Wiki --value Wiki.Editor`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, f, tenant, app, func(ops admin.Assignments, t directory.Tenant, a assignment.App) error {
				rs := slices.Clone(a.AppRoles)
				i := slices.IndexFunc(rs, func(r assignment.AppRole) bool { return r.ID == admin.RoleID(a, value) })
				if value == "" || i < 0 {
					return fmt.Errorf("app %s has no role %q (app role list shows them)", a.DisplayName, value)
				}
				rs[i].IsEnabled = false
				if _, err := ops.SetAppRoles(cmd.Context(), t, a.AppID, rs); err != nil {
					return fmt.Errorf("disable role %q of app %s: %w", value, a.DisplayName, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, rs[i], func(w io.Writer) {
					fmt.Fprintf(w, "disabled role %s of app %s\n", rs[i].Value, a.DisplayName)
				})
			})
		},
	}
	appFlags(cmd, &tenant, &app)
	cmd.Flags().StringVar(&value, "value", "", "the role's value or id (required)")
	_ = cmd.MarkFlagRequired("value")
	addOutputFlag(cmd)
	return cmd
}

// appFlags adds --tenant and --app, both required.
func appFlags(cmd *cobra.Command, tenant, app *string) {
	cmd.Flags().StringVar(tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(app, "app", "", "the app's id (client_id) or display name (required)")
	for _, n := range []string{"tenant", "app"} {
		_ = cmd.MarkFlagRequired(n)
	}
}

// withApp runs fn with the assignment operations, the tenant and its app
// named by id or display name.
func withApp(cmd *cobra.Command, f *configFlags, tenant, app string, fn func(ops admin.Assignments, t directory.Tenant, a assignment.App) error) error {
	return withTenant(cmd, f, tenant, (*server.Base).Assignments, func(ops admin.Assignments, t directory.Tenant) error {
		a, err := ops.FindApp(cmd.Context(), t, app)
		if err != nil {
			return err
		}
		return fn(ops, t, a)
	})
}

func nonNilRoles(rs []assignment.AppRole) []assignment.AppRole {
	if rs == nil {
		return []assignment.AppRole{}
	}
	return rs
}
