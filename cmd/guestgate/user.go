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

func newUserCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage a tenant's users"}
	cmd.AddCommand(
		newUserListCommand(f),
		newUserShowCommand(f),
		newUserCreateCommand(f),
		newUserUpdateCommand(f),
		newUserDeleteCommand(f),
		newUserRestoreCommand(f),
		newUserEnableCommand(f, false),
		newUserEnableCommand(f, true),
		newUserResetRedemptionCommand(f),
	)
	return cmd
}

func newUserResetRedemptionCommand(f *configFlags) *cobra.Command {
	var (
		tenant, userID string
		req            invitation.Request
	)
	cmd := &cobra.Command{
		Use:   "reset-redemption --tenant T --user ID --redirect-url U",
		Short: "Reset a guest's redemption status and invite them again",
		Long: `Reset a guest's redemption status: the user keeps its object id, group memberships and app
assignments, goes back to PendingAcceptance, and its next redemption chooses the identity provider
again (for example after passcodes were disabled, or when the guest now has another account).
The guest's sessions end. --email gives the guest a new address (and userPrincipalName). A new
redeem link is printed; with --send-message the invitation mail is queued as well. The reset is
written to the tenant's audit log.`,
		Example: "  guestgate user reset-redemption --tenant fabrikam.example --user 0b6f… --redirect-url https://wiki.fabrikam.example --send-message",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Invitations, func(ops admin.Invitations, t directory.Tenant) error {
				res, err := ops.ResetRedemption(cmd.Context(), t, userID, req)
				if err != nil {
					return fmt.Errorf("reset redemption of user %s: %w", userID, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, graph.ResetRedemptionJSON(res), func(w io.Writer) {
					fmt.Fprintf(w, "reset the redemption status of %s (%s) in %s\n  state:       %s\n  redeem link: %s\n",
						res.User.Mail, res.User.ID, t.DisplayName, res.User.ExternalUserState, res.RedeemURL)
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&userID, "user", "", "the guest's object id (required)")
	cmd.Flags().StringVar(&req.Email, "email", "", "a new address for the guest (default: keep the current one)")
	cmd.Flags().StringVar(&req.RedirectURL, "redirect-url", "", "where the guest lands after redeeming (required)")
	addInvitationMailFlags(cmd, &req)
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("user")
	_ = cmd.MarkFlagRequired("redirect-url")
	addOutputFlag(cmd)
	return cmd
}
