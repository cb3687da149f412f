package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/server"
)

// inactivePolicyJSON is the policy in --output json.
type inactivePolicyJSON struct {
	Enabled  bool `json:"enabled"`
	Days     int  `json:"days"`
	WarnDays int  `json:"warnDays"`
	// SetBy is the object id of the member who set the policy in the
	// console; absent when the operator set it (or it is off).
	SetBy string `json:"setBy,omitempty"`
}

func inactivePolicyOut(p inactivepolicy.Policy) inactivePolicyJSON {
	out := inactivePolicyJSON{Enabled: p.On(), Days: p.Days, WarnDays: p.WarnDays}
	if p.On() {
		out.SetBy = p.SetBy
	}
	return out
}

func newGuestInactivePolicyCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "inactive-policy",
		Short: "Show or set the policy that disables inactive guests automatically",
		Long: `The inactive guest policy, off by default, disables guests who have not signed in for N days
(or who were invited more than N days ago and never signed in), and warns each such guest's
sponsors by mail some days before. Every guestgate process applies it about hourly; one at a
time works on a tenant. Each disable is recorded in the audit log ("Update user" and "Disable
account", initiated by the policy). The policy disables with the authority of whoever set it:
set here, the operator's (every guest, but never the last Global Administrator); set in the
console, the member's current roles, so a guest holding an administrator role that member may
not manage (R14) is left to an administrator.`,
	}
	cmd.AddCommand(newInactivePolicyShowCommand(f), newInactivePolicySetCommand(f))
	return cmd
}

func newInactivePolicyShowCommand(f *configFlags) *cobra.Command {
	var tenant string
	cmd := &cobra.Command{
		Use:     "show --tenant T",
		Short:   "Show the tenant's inactive guest policy",
		Example: "  guestgate guest inactive-policy show --tenant fabrikam.example",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, _ := cmd.Flags().GetString("output")
			return withTenant(cmd, f, tenant, (*server.Base).InactivePolicy, func(s inactivepolicy.Settings, t directory.Tenant) error {
				p, err := s.Get(cmd.Context(), t)
				if err != nil {
					return err
				}
				return printInactivePolicy(cmd.OutOrStdout(), format, p)
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

func newInactivePolicySetCommand(f *configFlags) *cobra.Command {
	var (
		tenant         string
		days, warnDays int
		off            bool
	)
	cmd := &cobra.Command{
		Use:   "set --tenant T (--days N [--warn-days W] | --off)",
		Short: "Turn the tenant's inactive guest policy on (with its days) or off",
		Example: "  guestgate guest inactive-policy set --tenant fabrikam.example --days 90 --warn-days 14\n" +
			"  guestgate guest inactive-policy set --tenant fabrikam.example --off",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := policyFromFlags(cmd, days, warnDays, off)
			if err != nil {
				return err
			}
			format, _ := cmd.Flags().GetString("output")
			return withTenant(cmd, f, tenant, (*server.Base).InactivePolicy, func(s inactivepolicy.Settings, t directory.Tenant) error {
				p, err := s.Set(cmd.Context(), t, p, audit.CLI)
				if err != nil {
					return err
				}
				return printInactivePolicy(cmd.OutOrStdout(), format, p)
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().IntVar(&days, "days", 0, "disable guests inactive for more than this many days (1 to 3650)")
	cmd.Flags().IntVar(&warnDays, "warn-days", inactivepolicy.DefaultWarnDays, "warn the sponsors this many days before (0: no warning)")
	cmd.Flags().BoolVar(&off, "off", false, "turn the policy off")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

// policyFromFlags is the policy set asks for: --off, or --days with
// --warn-days.
func policyFromFlags(cmd *cobra.Command, days, warnDays int, off bool) (inactivepolicy.Policy, error) {
	switch {
	case off && (cmd.Flags().Changed("days") || cmd.Flags().Changed("warn-days")):
		return inactivepolicy.Policy{}, errors.New("--off and --days or --warn-days: choose one")
	case off:
		return inactivepolicy.Policy{}, nil
	case !cmd.Flags().Changed("days"):
		return inactivepolicy.Policy{}, errors.New("give --days N (with --warn-days W) or --off")
	}
	return inactivepolicy.Policy{Days: days, WarnDays: warnDays}, nil
}

func printInactivePolicy(w io.Writer, format string, p inactivepolicy.Policy) error {
	return printResult(w, format, inactivePolicyOut(p), func(w io.Writer) {
		if !p.On() {
			fmt.Fprintln(w, "inactive guest policy: off")
			return
		}
		fmt.Fprintf(w, "inactive guest policy: on\ndisable after: %d days without sign-in\nwarn sponsors: %d days before\n", p.Days, p.WarnDays)
		if p.SetBy == "" {
			fmt.Fprintln(w, "set by: the operator (guestgate CLI); disables admin-role holders too, never the last Global Administrator")
			return
		}
		fmt.Fprintf(w, "set by: member %s; disables with their current roles: an admin-role holder they may not manage is left to an administrator (R14)\n", p.SetBy)
	})
}
