package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
)

// principalFlags are --user and --group: who is assigned (one of them).
type principalFlags struct{ user, group string }

func (p *principalFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.user, "user", "", "a user of the tenant: object id, userPrincipalName or email address")
	cmd.Flags().StringVar(&p.group, "group", "", "a security group of the tenant: object id, mailNickname or display name")
	cmd.MarkFlagsMutuallyExclusive("user", "group")
	cmd.MarkFlagsOneRequired("user", "group")
}

// resolve returns the principal's object id and what to call it.
func (p principalFlags) resolve(ctx context.Context, ops admin.Assignments, t directory.Tenant) (id, name string, err error) {
	if p.user != "" {
		u, err := ops.FindAssignedUser(ctx, t, p.user)
		if err != nil {
			return "", "", err
		}
		return u.ID, u.UserPrincipalName, nil
	}
	g, err := ops.FindAssignedGroup(ctx, t, p.group)
	if err != nil {
		return "", "", err
	}
	return g.ID, g.DisplayName, nil
}

// roleLabel is how a role is shown: its value, its name when it has none,
// or "Default Access".
func roleLabel(app assignment.App, roleID string) string {
	for _, r := range app.AppRoles {
		if r.ID == roleID {
			if r.Value == "" {
				return r.DisplayName
			}
			return r.Value
		}
	}
	return "Default Access"
}

func newAppAssignCommand(f *configFlags) *cobra.Command {
	var (
		tenant, app, role string
		who               principalFlags
	)
	cmd := &cobra.Command{
		Use:   "assign --tenant T --app A (--user U | --group G) [--role R]",
		Short: "Assign a user or a group to an app, with one of its roles",
		Long: `Members of an assigned group (at any depth) are assigned too. --role is the value (or id) of one
of the app's enabled roles; leave it out for an app without roles (Default Access). Once the app
requires assignment (app update --assignment-required), only assigned users sign in to it.
The assignment is written to the tenant's audit log.`,
		Example: `  guestgate app assign --tenant fabrikam.example --app Wiki --group "Contoso partners" --role Wiki.Editor
  guestgate app assign --tenant fabrikam.example --app Wiki --user ana@partner.example`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, f, tenant, app, func(ops admin.Assignments, t directory.Tenant, a assignment.App) error {
				id, name, err := who.resolve(cmd.Context(), ops, t)
				if err != nil {
					return err
				}
				if role == "" && len(a.AppRoles) > 0 {
					return fmt.Errorf("app %s defines roles: give --role (app role list shows them)", a.DisplayName)
				}
				got, err := ops.Assign(cmd.Context(), t, a.AppID, id, role)
				if err != nil {
					return fmt.Errorf("assign %s to app %s: %w", name, a.DisplayName, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, graph.AppRoleAssignmentJSON(got), func(w io.Writer) {
					fmt.Fprintf(w, "assigned %s %s to app %s as %s\n  id: %s\n", got.PrincipalType, name, a.DisplayName, roleLabel(a, got.AppRoleID), got.ID)
				})
			})
		},
	}
	appFlags(cmd, &tenant, &app)
	who.add(cmd)
	cmd.Flags().StringVar(&role, "role", "", "the app role's value or id (none: Default Access, for an app without roles)")
	addOutputFlag(cmd)
	return cmd
}

func newAppUnassignCommand(f *configFlags) *cobra.Command {
	var (
		tenant, app, role string
		who               principalFlags
	)
	cmd := &cobra.Command{
		Use:   "unassign --tenant T --app A (--user U | --group G) [--role R]",
		Short: "Take a user's or a group's assignment to an app away",
		Long: `Removes the assignment of --user or --group to the app; --role says which when they hold several
of its roles. Only direct assignments are removed: a user assigned through a group stays assigned
until they leave the group. The removal is written to the tenant's audit log.`,
		Example: `  guestgate app unassign --tenant fabrikam.example --app Wiki --group "Contoso partners"`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, f, tenant, app, func(ops admin.Assignments, t directory.Tenant, a assignment.App) error {
				id, name, err := who.resolve(cmd.Context(), ops, t)
				if err != nil {
					return err
				}
				found, err := heldAssignment(cmd.Context(), ops, t, a, id, role)
				if err != nil {
					return fmt.Errorf("unassign %s from app %s: %w", name, a.DisplayName, err)
				}
				if err := ops.Unassign(cmd.Context(), t, a.AppID, found.ID); err != nil {
					return fmt.Errorf("unassign %s from app %s: %w", name, a.DisplayName, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, graph.AppRoleAssignmentJSON(found), func(w io.Writer) {
					fmt.Fprintf(w, "removed the %s assignment of %s %s from app %s\n", roleLabel(a, found.AppRoleID), found.PrincipalType, name, a.DisplayName)
				})
			})
		},
	}
	appFlags(cmd, &tenant, &app)
	who.add(cmd)
	cmd.Flags().StringVar(&role, "role", "", "the app role's value or id, when the principal holds several")
	addOutputFlag(cmd)
	return cmd
}

// errNotHeld: the principal holds no (such) role on the app.
var errNotHeld = errors.New("not assigned to the app (app assignments lists who is)")

// heldAssignment is principalID's assignment to app, of role when given;
// several without role is an error that asks for it.
func heldAssignment(ctx context.Context, ops admin.Assignments, t directory.Tenant, app assignment.App, principalID, role string) (assignment.Assignment, error) {
	all, err := ops.PrincipalAssignments(ctx, t, principalID)
	if err != nil {
		return assignment.Assignment{}, err
	}
	var held []assignment.Assignment
	for _, x := range all {
		if x.AppID == app.AppID && (role == "" || x.AppRoleID == admin.RoleID(app, role)) {
			held = append(held, x)
		}
	}
	switch len(held) {
	case 0:
		return assignment.Assignment{}, errNotHeld
	case 1:
		return held[0], nil
	}
	return assignment.Assignment{}, fmt.Errorf("assigned with %d roles: give --role", len(held))
}

func newAppAssignmentsCommand(f *configFlags) *cobra.Command {
	var tenant, app string
	cmd := &cobra.Command{
		Use:     "assignments --tenant T --app A",
		Short:   "List the users and groups assigned to an app, with their roles",
		Example: `  guestgate app assignments --tenant fabrikam.example --app Wiki`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withApp(cmd, f, tenant, app, func(ops admin.Assignments, t directory.Tenant, a assignment.App) error {
				as, err := ops.AppAssignments(cmd.Context(), t, a.AppID)
				if err != nil {
					return fmt.Errorf("assignments of app %s: %w", a.DisplayName, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, graph.AppRoleAssignmentsJSON(a.ServicePrincipalID, as), func(w io.Writer) {
					fmt.Fprintf(w, "app %s: assignment required: %s\n", a.DisplayName, yesNo(a.AssignmentRequired))
					if len(as) == 0 {
						fmt.Fprintln(w, "no users or groups are assigned")
						return
					}
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "TYPE\tNAME\tROLE\tPRINCIPAL ID")
					for _, x := range as {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.PrincipalType, x.PrincipalDisplayName, roleLabel(a, x.AppRoleID), x.PrincipalID)
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
