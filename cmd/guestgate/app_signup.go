package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/server"
)

// newAppUpdateCommand changes an app registration: today, whether its
// sign-in offers self-service sign-up (R13).
func newAppUpdateCommand(f *configFlags) *cobra.Command {
	var (
		tenant, appID string
		signUp        bool
	)
	cmd := &cobra.Command{
		Use:   "update --tenant T --app-id A --sign-up[=false]",
		Short: "Change an app: --sign-up lets people without an invitation sign up as guests from its sign-in",
		Example: `  guestgate app update --tenant fabrikam.example --app-id 0f1e… --sign-up
  guestgate app update --tenant fabrikam.example --app-id 0f1e… --sign-up=false`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("sign-up") {
				return fmt.Errorf("nothing to change: give --sign-up or --sign-up=false")
			}
			return withTenant(cmd, f, tenant, (*server.Base).Directory, func(ops admin.Directory, t directory.Tenant) error {
				if err := ops.SetAppSignUp(cmd.Context(), t.ID, appID, signUp); err != nil {
					return fmt.Errorf("app %s: %w", appID, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, map[string]any{"appId": appID, "tenantId": t.ID, "signUp": signUp}, func(w io.Writer) {
					fmt.Fprintf(w, "app %s in %s: self-service sign-up %s\n", appID, t.DisplayName, onOff(signUp))
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&appID, "app-id", "", "the app's appId (client_id) (required)")
	cmd.Flags().BoolVar(&signUp, "sign-up", false, "offer self-service sign-up to people without an invitation (R13)")
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("app-id")
	addOutputFlag(cmd)
	return cmd
}

// newTenantSignUpDomainsCommand restricts a tenant's app sign-up to domains.
func newTenantSignUpDomainsCommand(f *configFlags) *cobra.Command {
	var (
		tenant  string
		domains []string
	)
	cmd := &cobra.Command{
		Use:   "sign-up-domains --tenant T [--domain D]...",
		Short: "Restrict self-service sign-up to the tenant's apps to addresses in these domains (none: any domain)",
		Example: `  guestgate tenant sign-up-domains --tenant fabrikam.example --domain contoso.example --domain tailspin.example
  guestgate tenant sign-up-domains --tenant fabrikam.example   # any domain again`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Directory, func(ops admin.Directory, t directory.Tenant) error {
				got, err := ops.SetSignUpDomains(cmd.Context(), t, domains)
				if err != nil {
					return err
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, map[string]any{"tenantId": t.ID, "signUpDomains": nonNil(got)}, func(w io.Writer) {
					if len(got) == 0 {
						fmt.Fprintf(w, "%s: app sign-up open to any domain\n", t.DisplayName)
						return
					}
					fmt.Fprintf(w, "%s: app sign-up open to %s\n", t.DisplayName, strings.Join(got, ", "))
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringArrayVar(&domains, "domain", nil, "a domain whose addresses may sign up; repeat for several")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
