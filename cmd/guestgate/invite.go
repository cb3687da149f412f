package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/server"
)

func newInviteCommand(f *configFlags) *cobra.Command {
	var (
		tenant string
		req    invitation.Request
	)
	cmd := &cobra.Command{
		Use:   "invite --tenant T --email E --redirect-url U",
		Short: "Invite a guest; prints the redeem link",
		Long: `Invite an email address to a tenant. The guest user is created (or reused) in state
PendingAcceptance; the printed redeem link starts the guest's first sign-in. With --send-message
the invitation mail is queued and sent by the running guestgate's dispatcher.`,
		Example: "  guestgate invite --tenant fabrikam.example --email teri@gmail.example --redirect-url https://wiki.fabrikam.example --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Invitations, func(ops admin.Invitations, t directory.Tenant) error {
				res, err := ops.Invite(cmd.Context(), t, req)
				if err != nil {
					return err
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, graph.InvitationJSON(res), func(w io.Writer) {
					fmt.Fprintf(w, "invited %s to %s\n  user id:     %s\n  redeem link: %s\n", res.Invitation.Email, t.DisplayName, res.User.ID, res.RedeemURL)
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&req.Email, "email", "", "the guest's email address (required)")
	cmd.Flags().StringVar(&req.RedirectURL, "redirect-url", "", "where the guest lands after redeeming (required)")
	cmd.Flags().StringVar(&req.DisplayName, "display-name", "", "the guest's display name")
	addInvitationMailFlags(cmd, &req)
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("email")
	_ = cmd.MarkFlagRequired("redirect-url")
	addOutputFlag(cmd)
	return cmd
}

// addInvitationMailFlags adds the flags that shape an invitation mail
// (invite, user reset-redemption).
func addInvitationMailFlags(cmd *cobra.Command, req *invitation.Request) {
	cmd.Flags().BoolVar(&req.SendMessage, "send-message", false, "send the invitation mail")
	cmd.Flags().StringVar(&req.CustomMessage, "message", "", "a personal message for the invitation mail")
	cmd.Flags().StringVar(&req.MessageLanguage, "language", "", "language of the invitation mail (en, ja)")
}
