package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/server"
)

// newAppUpdateCommand changes an app registration: whether its sign-in
// offers self-service sign-up (R13), and how its ID tokens are signed.
func newAppUpdateCommand(f *configFlags) *cobra.Command {
	var (
		tenant, appID, idTokenAlg string
		signUp                    bool
	)
	cmd := &cobra.Command{
		Use:   "update --tenant T --app A [--sign-up[=false]] [--id-token-alg RS256|ES256]",
		Short: "Change an app: --sign-up lets people without an invitation sign up as guests from its sign-in; --id-token-alg signs its ID tokens RS256 or ES256",
		Example: `  guestgate app update --tenant fabrikam.example --app 0f1e… --sign-up
  guestgate app update --tenant fabrikam.example --app 0f1e… --sign-up=false
  guestgate app update --tenant fabrikam.example --app 0f1e… --id-token-alg ES256`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if appID == "" {
				return fmt.Errorf("required flag \"app\" not set: give the app's id (client_id), as app list shows it")
			}
			setSignUp, setAlg := cmd.Flags().Changed("sign-up"), cmd.Flags().Changed("id-token-alg")
			if !setSignUp && !setAlg {
				return fmt.Errorf("nothing to change: give --sign-up, --sign-up=false or --id-token-alg")
			}
			if setAlg {
				if err := oidc.CheckIDTokenAlg(idTokenAlg); err != nil {
					return err
				}
			}
			return withTenant(cmd, f, tenant, openAppsWithSignUp, func(ops appsWithSignUp, t directory.Tenant) error {
				out := map[string]any{"appId": appID, "tenantId": t.ID}
				if setAlg {
					if err := ops.SetAppIDTokenAlg(cmd.Context(), t.ID, appID, idTokenAlg); err != nil {
						return fmt.Errorf("app %s: %w", appID, err)
					}
					out["idTokenSignedResponseAlg"] = idTokenAlg
				}
				if setSignUp {
					if err := ops.SetAppSignUp(cmd.Context(), t.ID, appID, signUp); err != nil {
						return fmt.Errorf("app %s: %w", appID, err)
					}
					out["signUp"] = signUp
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, out, func(w io.Writer) {
					if setAlg {
						fmt.Fprintf(w, "app %s in %s: ID tokens signed %s\n", appID, t.DisplayName, idTokenAlg)
					}
					if setSignUp {
						fmt.Fprintf(w, "app %s in %s: self-service sign-up %s\n", appID, t.DisplayName, onOff(signUp))
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&appID, "app", "", "the app's id (client_id) (required)")
	appIDAlias(cmd, &appID)
	cmd.Flags().BoolVar(&signUp, "sign-up", false, "offer self-service sign-up to people without an invitation")
	addIDTokenAlgFlag(cmd, &idTokenAlg)
	_ = cmd.MarkFlagRequired("tenant")
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

// appIDAlias keeps --app-id, the flag's old name, working for scripts: the
// same value as --app, hidden from help. It prints no deprecation notice,
// which would break a script that reads both output streams as JSON.
func appIDAlias(cmd *cobra.Command, appID *string) {
	cmd.Flags().StringVar(appID, "app-id", "", "deprecated: the old name of --app")
	_ = cmd.Flags().MarkHidden("app-id")
}
