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

// appIDAlias keeps --app-id, the flag's old name, working for scripts: the
// same value as --app, hidden from help. It prints no deprecation notice,
// which would break a script that reads both output streams as JSON.
func appIDAlias(cmd *cobra.Command, appID *string) {
	cmd.Flags().StringVar(appID, "app-id", "", "deprecated: the old name of --app")
	_ = cmd.Flags().MarkHidden("app-id")
}
