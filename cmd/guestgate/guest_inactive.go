package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/server"
)

// Actions on an inactive guest, as the output names them.
const (
	actionDisabled = "disabled"
	actionDeleted  = "deleted"
	actionSkipped  = "skipped" // active again, or already disabled
	actionFailed   = "failed"
)

// inactiveSponsorJSON is a sponsor in --output json.
type inactiveSponsorJSON struct {
	ID                string `json:"id"`
	DisplayName       string `json:"displayName"`
	UserPrincipalName string `json:"userPrincipalName"`
	Mail              string `json:"mail,omitempty"`
}

// inactiveGuestJSON is one guest in --output json: Graph's names for the
// user's properties, and the listing's own.
type inactiveGuestJSON struct {
	ID                           string                `json:"id"`
	DisplayName                  string                `json:"displayName"`
	UserPrincipalName            string                `json:"userPrincipalName"`
	Mail                         string                `json:"mail"`
	AccountEnabled               bool                  `json:"accountEnabled"`
	ExternalUserState            string                `json:"externalUserState,omitempty"`
	CreatedDateTime              string                `json:"createdDateTime"`
	LastSuccessfulSignInDateTime *string               `json:"lastSuccessfulSignInDateTime"`
	Reason                       string                `json:"reason"`
	InvitedBy                    string                `json:"invitedBy,omitempty"`
	Sponsors                     []inactiveSponsorJSON `json:"sponsors"`
	Action                       string                `json:"action,omitempty"`
	Error                        string                `json:"error,omitempty"`
}

func newGuestInactiveCommand(f *configFlags) *cobra.Command {
	var (
		tenant            string
		days              int
		disable, doDelete bool
	)
	cmd := &cobra.Command{
		Use:   "inactive --tenant T --days N [--disable|--delete]",
		Short: "List (and disable or delete) guests who have not signed in for N days",
		Long: `List the tenant's guests whose last successful sign-in is more than N days old, or who never
signed in and were invited more than N days ago, never-signed-in first, with their sponsors and
inviter (from the latest invitation). Disabled guests are listed and marked.

--disable disables each listed guest that is still enabled; --delete deletes each one (restorable
for 30 days with "guestgate user restore"). Each guest is read again first and left alone if they
signed in since; each change is recorded in the audit log as done by the CLI. The command fails
if any change failed. --output json prints {"days", "value": [...]}.`,
		Example: "  guestgate guest inactive --tenant fabrikam.example --days 90\n  guestgate guest inactive --tenant fabrikam.example --days 180 --disable",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if disable && doDelete {
				return errors.New("--disable and --delete: choose one")
			}
			format, _ := cmd.Flags().GetString("output")
			return withTenant(cmd, f, tenant, (*server.Base).InactiveGuests, func(ops admin.InactiveGuests, t directory.Tenant) error {
				list, err := ops.List(cmd.Context(), t, days)
				if err != nil {
					return fmt.Errorf("list inactive guests: %w", err)
				}
				out := make([]inactiveGuestJSON, len(list))
				var failed int
				for i, g := range list {
					out[i] = inactiveJSON(g)
					if !disable && !doDelete {
						continue
					}
					act := ops.Disable
					if doDelete {
						act = ops.Delete
					}
					done, err := act(cmd.Context(), t, g.User.ID, days)
					out[i].Action = actionName(done, err, doDelete)
					if err != nil {
						out[i].Error, failed = err.Error(), failed+1
					}
				}
				if err := printResult(cmd.OutOrStdout(), format, map[string]any{"days": days, "value": out}, func(w io.Writer) {
					printInactive(w, out)
				}); err != nil {
					return err
				}
				if failed > 0 {
					return fmt.Errorf("%d of %d changes failed", failed, len(out))
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().IntVar(&days, "days", 90, "inactive for more than this many days (1 to 3650)")
	cmd.Flags().BoolVar(&disable, "disable", false, "disable each listed guest")
	cmd.Flags().BoolVar(&doDelete, "delete", false, "delete each listed guest (restorable for 30 days)")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

// actionName names what happened to one guest.
func actionName(done bool, err error, deleting bool) string {
	switch {
	case err != nil:
		return actionFailed
	case !done:
		return actionSkipped
	case deleting:
		return actionDeleted
	}
	return actionDisabled
}

// inactiveJSON shapes one listed guest.
func inactiveJSON(g admin.InactiveGuest) inactiveGuestJSON {
	u := g.User
	out := inactiveGuestJSON{
		ID: u.ID, DisplayName: u.DisplayName, UserPrincipalName: u.UserPrincipalName, Mail: u.Mail,
		AccountEnabled: u.AccountEnabled, ExternalUserState: string(u.ExternalUserState),
		CreatedDateTime: stamp(u.CreatedAt), Reason: string(g.Verdict.Reason), InvitedBy: g.InvitedBy,
		Sponsors: []inactiveSponsorJSON{},
	}
	if last := u.SignInActivity.LastSuccessfulSignIn; !last.IsZero() {
		s := stamp(last)
		out.LastSuccessfulSignInDateTime = &s
	}
	for _, s := range g.SponsorList {
		out.Sponsors = append(out.Sponsors, inactiveSponsorJSON{ID: s.ID, DisplayName: s.DisplayName, UserPrincipalName: s.UserPrincipalName, Mail: s.Mail})
	}
	return out
}

// printInactive prints the listing as a table for people.
func printInactive(w io.Writer, list []inactiveGuestJSON) {
	if len(list) == 0 {
		fmt.Fprintln(w, "no inactive guests")
		return
	}
	fmt.Fprintf(w, "%-36s  %-20s  %-8s  %-9s  %-50s  %s\n", "ID", "LAST SIGN-IN", "ENABLED", "ACTION", "USER PRINCIPAL NAME", "SPONSORS")
	for _, g := range list {
		last := "never"
		if g.LastSuccessfulSignInDateTime != nil {
			last = *g.LastSuccessfulSignInDateTime
		}
		var sponsors []string
		for _, s := range g.Sponsors {
			sponsors = append(sponsors, s.UserPrincipalName)
		}
		if len(sponsors) == 0 && g.InvitedBy != "" {
			sponsors = append(sponsors, "invited by "+g.InvitedBy)
		}
		action := g.Action
		if action == "" {
			action = "-"
		}
		fmt.Fprintf(w, "%-36s  %-20s  %-8t  %-9s  %-50s  %s\n", g.ID, last, g.AccountEnabled, action, g.UserPrincipalName, strings.Join(sponsors, ", "))
		if g.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", g.Error)
		}
	}
}
