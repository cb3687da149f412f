package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	adminops "github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/server"
)

func newRoleCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "role", Short: "Assign, list and remove members' directory roles (Global Administrator, Guest Inviter, …)"}
	cmd.AddCommand(newRoleAssignCommand(f), newRoleListCommand(f), newRoleRemoveCommand(f))
	return cmd
}

// roleAssignmentJSON is Graph's unifiedRoleAssignment, as the CLI prints it.
type roleAssignmentJSON struct {
	ID               string `json:"id"`
	RoleDefinitionID string `json:"roleDefinitionId"`
	RoleName         string `json:"roleDisplayName"`
	PrincipalID      string `json:"principalId"`
	DirectoryScopeID string `json:"directoryScopeId"`
}

func roleAssignmentOut(a roles.Assignment) roleAssignmentJSON {
	r, _ := roles.Lookup(a.RoleDefinitionID)
	return roleAssignmentJSON{ID: a.ID, RoleDefinitionID: a.RoleDefinitionID, RoleName: r.DisplayName, PrincipalID: a.PrincipalID, DirectoryScopeID: a.DirectoryScopeID}
}

func roleNames() string {
	s := ""
	for i, r := range roles.All() {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", r.DisplayName)
	}
	return s
}

func newRoleAssignCommand(f *configFlags) *cobra.Command {
	var tenant, user, role string
	cmd := &cobra.Command{
		Use:   "assign --tenant T --user ID|UPN --role R",
		Short: "Give a member a directory role",
		Long: `Give a member of the tenant a directory role, tenant-wide. --role is a role's name or its
template id: ` + roleNames() + `. --user is the member's object id or userPrincipalName. Guests
cannot hold roles. The assignment is written to the tenant's audit log.`,
		Example: `  guestgate role assign --tenant fabrikam.example --user kim@fabrikam.example --role "Global Administrator"
  guestgate role assign --tenant fabrikam.example --user 0b6f… --role "Guest Inviter"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Roles, func(ops adminops.Roles, t directory.Tenant) error {
				u, err := ops.FindUser(cmd.Context(), t, user)
				if err != nil {
					return fmt.Errorf("assign role %q to %s: %w", role, user, err)
				}
				a, err := ops.AssignRole(cmd.Context(), t, u.ID, role)
				if err != nil {
					return fmt.Errorf("assign role %q to %s: %w", role, user, err)
				}
				out := roleAssignmentOut(a)
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, out, func(w io.Writer) {
					fmt.Fprintf(w, "assigned %s to %s (%s) in %s\n  id: %s\n", out.RoleName, u.UserPrincipalName, a.PrincipalID, t.DisplayName, a.ID)
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&user, "user", "", "the member's object id or userPrincipalName (required)")
	cmd.Flags().StringVar(&role, "role", "", "role name or template id (required)")
	for _, n := range []string{"tenant", "user", "role"} {
		_ = cmd.MarkFlagRequired(n)
	}
	addOutputFlag(cmd)
	return cmd
}

func newRoleRemoveCommand(f *configFlags) *cobra.Command {
	var tenant, id string
	var force bool
	cmd := &cobra.Command{
		Use:   "remove --tenant T --id A [--force]",
		Short: "Take a directory role away from a member",
		Long: `Take a role away: --id is the assignment's id (role list shows it). The removal is written
to the tenant's audit log. The last enabled Global Administrator of a tenant keeps the role unless
--force is given: with it the tenant may be left without an administrator until another is
assigned (a recovery step for the operator only; the admin API and the console never allow it).`,
		Example: `  guestgate role list --tenant fabrikam.example
  guestgate role remove --tenant fabrikam.example --id 7c1e…`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Roles, func(ops adminops.Roles, t directory.Tenant) error {
				if err := ops.RemoveRole(cmd.Context(), t, id, force); err != nil {
					if errors.Is(err, roles.ErrLastGlobalAdmin) {
						return fmt.Errorf("remove role assignment %s: %w (assign the role to another member first, or use --force)", id, err)
					}
					return fmt.Errorf("remove role assignment %s: %w", id, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, map[string]string{"id": id, "removed": "true"}, func(w io.Writer) {
					fmt.Fprintf(w, "removed role assignment %s in %s\n", id, t.DisplayName)
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&id, "id", "", "the role assignment's id (required)")
	cmd.Flags().BoolVar(&force, "force", false, "remove the last Global Administrator too")
	for _, n := range []string{"tenant", "id"} {
		_ = cmd.MarkFlagRequired(n)
	}
	addOutputFlag(cmd)
	return cmd
}

func newRoleListCommand(f *configFlags) *cobra.Command {
	var tenant string
	cmd := &cobra.Command{
		Use:   "list --tenant T",
		Short: "List a tenant's role assignments",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Roles, func(ops adminops.Roles, t directory.Tenant) error {
				as, err := ops.RoleAssignments(cmd.Context(), t)
				if err != nil {
					return err
				}
				out := make([]roleAssignmentJSON, 0, len(as))
				for _, a := range as {
					out = append(out, roleAssignmentOut(a))
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, out, func(w io.Writer) {
					printRoleTable(w, out, func(id string) string {
						u, err := ops.GetUser(cmd.Context(), t, id)
						if err != nil {
							return "-"
						}
						return u.UserPrincipalName
					})
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

// createTenantWithAdmin is tenant create --admin-email: the tenant, then
// its first member (password from a prompt or standard input) as a
// Global Administrator.
func createTenantWithAdmin(cmd *cobra.Command, ops adminops.Roles, req directory.NewTenantRequest, admin member.NewMember) error {
	password, err := readPassword(cmd)
	if err != nil {
		return err
	}
	admin.Password, admin.AccountEnabled = password, true
	t, u, err := ops.CreateTenantWithAdmin(cmd.Context(), req, admin)
	if err != nil {
		return err
	}
	out := struct {
		tenantJSON
		AdminID string `json:"adminId"`
	}{tenantOut(t), u.ID}
	format, _ := cmd.Flags().GetString("output")
	return printResult(cmd.OutOrStdout(), format, out, func(w io.Writer) {
		fmt.Fprintf(w, "created tenant %q\n  id:      %s\n  admin:   %s (%s), Global Administrator\n", t.DisplayName, t.ID, u.UserPrincipalName, u.ID)
	})
}

// printRoleTable prints role assignments under a header, each member's
// sign-in name beside its id (name looks it up; "-" when it cannot).
func printRoleTable(w io.Writer, as []roleAssignmentJSON, name func(id string) string) {
	if len(as) == 0 {
		fmt.Fprintln(w, "no role assignments")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tMEMBER\tMEMBER ID\tASSIGNMENT ID")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.RoleName, name(a.PrincipalID), a.PrincipalID, a.ID)
	}
	_ = tw.Flush()
}
