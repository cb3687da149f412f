package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/server"
)

func newPolicyCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "policy", Short: "Show and change a tenant's policies"}
	email := &cobra.Command{
		Use:   "email",
		Short: "The email one-time passcode policy (emailAuthenticationMethodConfiguration)",
		Long: `Whether guests may redeem invitations and sign in with email one-time passcodes.

allowExternalIdToUseEmailOtp is one of:
  default   enabled once the deployment's auto-enable date has passed (GUESTGATE_OTP_AUTO_ENABLE_DATE),
            except for tenants that opted into the preview, and always disabled in the US Government cloud
  enabled   passcodes on: guests without another identity provider redeem with a passcode
  disabled  passcodes off: guests who redeemed with a passcode can no longer sign in until their
            redemption status is reset (guestgate user reset-redemption)

Every change is written to the tenant's audit log (GET /v1.0/auditLogs/directoryAudits).`,
	}
	email.AddCommand(newPolicyEmailShowCommand(f), newPolicyEmailSetCommand(f))
	cmd.AddCommand(email, newPolicyRedemptionCommand(f))
	return cmd
}

// policyJSON is what `policy email show|set --output json` prints: the Graph
// configuration, the tenant's preview flag and the effective state.
type policyJSON struct {
	Configuration any           `json:"configuration"`
	PreviewOptIn  bool          `json:"previewOptIn"`
	Cloud         string        `json:"cloud"`
	Effective     effectiveJSON `json:"effective"`
}

type effectiveJSON struct {
	State  string `json:"state"` // enabled or disabled
	Reason string `json:"reason"`
}

func policyOut(t directory.Tenant, v policy.View) policyJSON {
	state := policy.StateDisabled
	if v.Effective.Enabled {
		state = policy.StateEnabled
	}
	return policyJSON{
		Configuration: graph.EmailConfigJSON(v.Config), PreviewOptIn: v.PreviewOptIn, Cloud: string(t.Cloud),
		Effective: effectiveJSON{State: state, Reason: string(v.Effective.Reason)},
	}
}

func printPolicy(cmd *cobra.Command, t directory.Tenant, v policy.View) error {
	out := policyOut(t, v)
	format, _ := cmd.Flags().GetString("output")
	return printResult(cmd.OutOrStdout(), format, out, func(w io.Writer) {
		fmt.Fprintf(w, "email one-time passcodes for guests of %s: %s\n", t.DisplayName, out.Effective.State)
		fmt.Fprintf(w, "  why:                          %s\n", out.Effective.Reason)
		fmt.Fprintf(w, "  allowExternalIdToUseEmailOtp: %s\n", v.Config.AllowExternal)
		fmt.Fprintf(w, "  state (members):              %s\n", v.Config.State)
		fmt.Fprintf(w, "  preview opt-in:               %t\n", v.PreviewOptIn)
		fmt.Fprintf(w, "  cloud:                        %s\n", t.Cloud)
	})
}

func newPolicyEmailShowCommand(f *configFlags) *cobra.Command {
	var tenant string
	cmd := &cobra.Command{
		Use:     "show --tenant T",
		Short:   "Show the policy and whether passcodes are effectively on, and why",
		Example: "  guestgate policy email show --tenant fabrikam.example --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Policies, func(ops admin.Policies, t directory.Tenant) error {
				v, err := ops.EmailPolicy(cmd.Context(), t)
				if err != nil {
					return err
				}
				return printPolicy(cmd, t, v)
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

func newPolicyEmailSetCommand(f *configFlags) *cobra.Command {
	var tenant string
	cmd := &cobra.Command{
		Use:   "set --tenant T default|enabled|disabled",
		Short: "Set allowExternalIdToUseEmailOtp",
		Long: `Set allowExternalIdToUseEmailOtp. Enabling affects only future redemptions: guests who
already redeemed keep their identity provider. Disabling refuses every guest who redeemed with a
passcode until their redemption status is reset. Setting default on a tenant that opted into the
preview returns it to the three options (and it no longer counts as a preview tenant).`,
		Example:   "  guestgate policy email set --tenant fabrikam.example disabled",
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{string(policy.AllowDefault), string(policy.AllowEnabled), string(policy.AllowDisabled)},
		RunE: func(cmd *cobra.Command, args []string) error {
			value := policy.AllowExternal(args[0])
			if !value.Valid() {
				return fmt.Errorf("%q: want default, enabled or disabled", args[0])
			}
			return withTenant(cmd, f, tenant, (*server.Base).Policies, func(ops admin.Policies, t directory.Tenant) error {
				v, err := ops.SetEmailPolicy(cmd.Context(), t, value)
				if err != nil {
					return err
				}
				return printPolicy(cmd, t, v)
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}
