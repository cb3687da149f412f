package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/graph"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/server"
)

func newPolicyRedemptionCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "redemption",
		Short: "The invitation redemption order (crossTenantAccessPolicy/default)",
		Long: `Which identity provider a guest redeems an invitation with: the primary identity providers,
tried in order, and the fallback when none of them applies.

Primary identity providers (primaryIdentityProviderPrecedenceOrder; one left out is never tried):
  azureActiveDirectory     the address is a member of another managed tenant
  externalFederation       the tenant federates the address's domain (SAML, WS-Fed or OIDC)
  socialIdentityProviders  gmail.com / googlemail.com, with Google federation configured

Fallback identity provider (fallbackIdentityProvider):
  defaultConfiguredIdp     an existing personal account, then an email one-time passcode if
                           passcodes are on, then (public cloud) an unmanaged or personal account
  emailOneTimePasscode     always an email one-time passcode
  microsoftAccount         always a personal account (an existing one, or a new one)

Guests who already redeemed keep their identity provider; the order applies to future
redemptions. Every change is written to the tenant's audit log (GET /v1.0/auditLogs/directoryAudits).`,
	}
	cmd.AddCommand(newPolicyRedemptionShowCommand(f), newPolicyRedemptionSetCommand(f))
	return cmd
}

// redemptionJSON is what `policy redemption show|set --output json` prints:
// the Graph crossTenantAccessPolicyConfigurationDefault and when it last changed.
type redemptionJSON struct {
	Configuration   any     `json:"configuration"`
	UpdatedDateTime *string `json:"updatedDateTime"` // null while isServiceDefault
}

func redemptionOut(c policy.RedemptionConfig) redemptionJSON {
	out := redemptionJSON{Configuration: graph.CrossTenantDefaultJSON(c)}
	if !c.IsServiceDefault() {
		at := c.UpdatedAt.UTC().Format(time.RFC3339)
		out.UpdatedDateTime = &at
	}
	return out
}

func printRedemption(cmd *cobra.Command, t directory.Tenant, c policy.RedemptionConfig) error {
	format, _ := cmd.Flags().GetString("output")
	return printResult(cmd.OutOrStdout(), format, redemptionOut(c), func(w io.Writer) {
		state := "the service default"
		if !c.IsServiceDefault() {
			state = "changed " + c.UpdatedAt.UTC().Format(time.RFC3339)
		}
		order := strings.Join(c.Precedence, ", ")
		if len(c.Precedence) == 0 {
			order = "none (every guest redeems with the fallback)"
		}
		fmt.Fprintf(w, "invitation redemption of %s: %s\n", t.DisplayName, state)
		fmt.Fprintf(w, "  primary identity providers, in order: %s\n", order)
		fmt.Fprintf(w, "  fallback identity provider:           %s\n", c.Fallback)
	})
}

func newPolicyRedemptionShowCommand(f *configFlags) *cobra.Command {
	var tenant string
	cmd := &cobra.Command{
		Use:     "show --tenant T",
		Short:   "Show the redemption order and the fallback identity provider",
		Example: "  guestgate policy redemption show --tenant fabrikam.example --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Policies, func(ops admin.Policies, t directory.Tenant) error {
				c, err := ops.RedemptionPolicy(cmd.Context(), t)
				if err != nil {
					return err
				}
				return printRedemption(cmd, t, c)
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

// errNothingToSet is `policy redemption set` without --order or --fallback.
var errNothingToSet = errors.New("nothing to set: give --order, --fallback or both")

// redemptionPatchFromFlags builds the patch of `policy redemption set`:
// only the flags given are set; --order "" sets an empty order.
func redemptionPatchFromFlags(cmd *cobra.Command, order, fallback string) (policy.RedemptionPatch, error) {
	var p policy.RedemptionPatch
	if cmd.Flags().Changed("order") {
		names := []string{}
		for _, n := range strings.Split(order, ",") {
			if n = strings.TrimSpace(n); n != "" {
				names = append(names, n)
			}
		}
		p.Precedence = &names
	}
	if cmd.Flags().Changed("fallback") {
		p.Fallback = &fallback
	}
	if p.Precedence == nil && p.Fallback == nil {
		return p, errNothingToSet
	}
	return p, p.Validate()
}

func newPolicyRedemptionSetCommand(f *configFlags) *cobra.Command {
	var tenant, order, fallback string
	cmd := &cobra.Command{
		Use:   "set --tenant T [--order P1,P2,...] [--fallback F]",
		Short: "Change the redemption order, the fallback identity provider, or both",
		Long: `Change the redemption order, the fallback identity provider, or both; what is not given stays.
--order takes primary identity providers separated by commas, first tried first, each at most
once: azureActiveDirectory, externalFederation, socialIdentityProviders. --order "" tries none,
so every guest redeems with the fallback. --fallback is one of defaultConfiguredIdp,
emailOneTimePasscode, microsoftAccount.`,
		Example: `  guestgate policy redemption set --tenant fabrikam.example --order externalFederation,azureActiveDirectory,socialIdentityProviders
  guestgate policy redemption set --tenant fabrikam.example --fallback emailOneTimePasscode --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := redemptionPatchFromFlags(cmd, order, fallback)
			if err != nil {
				return err
			}
			return withTenant(cmd, f, tenant, (*server.Base).Policies, func(ops admin.Policies, t directory.Tenant) error {
				c, err := ops.SetRedemptionPolicy(cmd.Context(), t, p)
				if err != nil {
					return err
				}
				return printRedemption(cmd, t, c)
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&order, "order", "", "primary identity providers in order, comma-separated: "+strings.Join(policy.PrimaryProviders(), ","))
	cmd.Flags().StringVar(&fallback, "fallback", "", "fallback identity provider: "+strings.Join(policy.FallbackProviders(), "|"))
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}
