package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	adminops "github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/server"
)

func newGroupCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "group", Short: "Create and list security groups and change their members"}
	cmd.AddCommand(newGroupCreateCommand(f), newGroupListCommand(f), newGroupMembersCommand(f),
		newGroupMemberCommand(f, true), newGroupMemberCommand(f, false))
	return cmd
}

func newGroupCreateCommand(f *configFlags) *cobra.Command {
	var tenant string
	var in groups.Input
	cmd := &cobra.Command{
		Use:   "create --tenant T --name N --mail-nickname M [--description D]",
		Short: "Create a security group",
		Long: `Create a security group (Graph's group with securityEnabled true, mailEnabled false).
--mail-nickname is at most 64 ASCII characters without spaces or @ ( ) \ [ ] " ; : < > ,.
The creation is written to the tenant's audit log ("Add group").`,
		Example: `  guestgate group create --tenant fabrikam.example --name "Partners" --mail-nickname partners`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Groups, func(ops adminops.Groups, t directory.Tenant) error {
				g, err := ops.CreateGroup(cmd.Context(), t, in)
				if err != nil {
					return fmt.Errorf("create group %q: %w", in.DisplayName, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, graph.GroupJSON(g), func(w io.Writer) {
					fmt.Fprintf(w, "created group %s (%s) in %s\n  id: %s\n", g.DisplayName, g.MailNickname, t.DisplayName, g.ID)
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&in.DisplayName, "name", "", "the group's display name (required)")
	cmd.Flags().StringVar(&in.MailNickname, "mail-nickname", "", "the group's mailNickname (required)")
	cmd.Flags().StringVar(&in.Description, "description", "", "what the group is for")
	for _, n := range []string{"tenant", "name", "mail-nickname"} {
		_ = cmd.MarkFlagRequired(n)
	}
	addOutputFlag(cmd)
	return cmd
}

func newGroupListCommand(f *configFlags) *cobra.Command {
	var tenant string
	cmd := &cobra.Command{
		Use:   "list --tenant T",
		Short: "List a tenant's security groups",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Groups, func(ops adminops.Groups, t directory.Tenant) error {
				gs, err := ops.ListGroups(cmd.Context(), t)
				if err != nil {
					return err
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, graph.GroupsJSON(gs), func(w io.Writer) {
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tNAME\tMAIL NICKNAME")
					for _, g := range gs {
						fmt.Fprintf(tw, "%s\t%s\t%s\n", g.ID, g.DisplayName, g.MailNickname)
					}
					_ = tw.Flush()
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

// groupMemberJSON is a member as the CLI prints it.
type groupMemberJSON struct {
	ID                string `json:"id"`
	Type              string `json:"type"`
	DisplayName       string `json:"displayName"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
}

func newGroupMembersCommand(f *configFlags) *cobra.Command {
	var tenant, group string
	cmd := &cobra.Command{
		Use:   "members --tenant T --group G",
		Short: "List a group's direct members",
		Long:  `List the users and groups directly in --group (the group's id or mailNickname).`,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Groups, func(ops adminops.Groups, t directory.Tenant) error {
				_, ms, err := ops.Members(cmd.Context(), t, group)
				if err != nil {
					return fmt.Errorf("members of group %q: %w", group, err)
				}
				out := make([]groupMemberJSON, 0, len(ms))
				for _, m := range ms {
					out = append(out, groupMemberJSON{ID: m.ID, Type: m.Type, DisplayName: m.DisplayName, UserPrincipalName: m.UserPrincipalName})
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, out, func(w io.Writer) {
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tTYPE\tNAME\tUSER PRINCIPAL NAME")
					for _, m := range out {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, m.Type, m.DisplayName, m.UserPrincipalName)
					}
					_ = tw.Flush()
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&group, "group", "", "the group's id or mailNickname (required)")
	for _, n := range []string{"tenant", "group"} {
		_ = cmd.MarkFlagRequired(n)
	}
	addOutputFlag(cmd)
	return cmd
}

// newGroupMemberCommand is add-member (add) or remove-member.
func newGroupMemberCommand(f *configFlags, add bool) *cobra.Command {
	var tenant, group, member string
	use, short, verb := "remove-member", "Take a user or a group out of a group", "removed"
	if add {
		use, short, verb = "add-member", "Put a user (a guest too) or a group in a group", "added"
	}
	cmd := &cobra.Command{
		Use:   use + " --tenant T --group G --member M",
		Short: short,
		Long: `--group is the group's id or mailNickname; --member is a user's id or userPrincipalName, or a
group's id or mailNickname, of the same tenant. Groups nest, but never inside themselves. The
change is written to the tenant's audit log.`,
		Example: "  guestgate group " + use + ` --tenant fabrikam.example --group partners --member 'ana_partner.example#EXT#@fabrikam.guestgate.local'`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Groups, func(ops adminops.Groups, t directory.Tenant) error {
				change := ops.RemoveMember
				if add {
					change = ops.AddMember
				}
				g, id, err := change(cmd.Context(), t, group, member)
				if err != nil {
					return fmt.Errorf("%s %s: %w", use, member, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, map[string]string{"groupId": g.ID, "memberId": id, "result": verb}, func(w io.Writer) {
					fmt.Fprintf(w, "%s %s (%s) %s group %s\n", verb, member, id, map[bool]string{true: "to", false: "from"}[add], g.DisplayName)
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&group, "group", "", "the group's id or mailNickname (required)")
	cmd.Flags().StringVar(&member, "member", "", "the member: a user's id or userPrincipalName, or a group's id or mailNickname (required)")
	for _, n := range []string{"tenant", "group", "member"} {
		_ = cmd.MarkFlagRequired(n)
	}
	addOutputFlag(cmd)
	return cmd
}
