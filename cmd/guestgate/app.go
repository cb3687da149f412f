package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
)

func newAppCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "app", Short: "Register applications (OAuth clients) in a tenant and choose who may sign in to them"}
	cmd.AddCommand(newAppCreateCommand(f), newAppListCommand(f), newAppUpdateCommand(f), newAppDeleteCommand(f), newAppSecretCommand(f),
		newAppRoleCommand(f), newAppAssignCommand(f), newAppUnassignCommand(f), newAppAssignmentsCommand(f))
	return cmd
}

// appJSON is the shape `app create --output json` prints (DESIGN section 6).
type appJSON struct {
	AppID        string `json:"appId"`
	ClientSecret string `json:"clientSecret,omitempty"`
	TenantID     string `json:"tenantId"`
	// SecretID names the secret for app secret remove (the app's id).
	SecretID string `json:"secretId,omitempty"`
}

func newAppCreateCommand(f *configFlags) *cobra.Command {
	var (
		tenant, name, idTokenAlg            string
		permissions, redirects, postLogouts []string
		public, signUp                      bool
	)
	cmd := &cobra.Command{
		Use:   "create --tenant T --name N [--permission P]... [--redirect-uri U]...",
		Short: "Register an app; prints its client id and (once) its secret",
		Example: `  guestgate app create --tenant fabrikam.example --name "Invite bot" --permission User.Invite.All --output json
  guestgate app create --tenant fabrikam.example --name Wiki --redirect-uri https://wiki.fabrikam.example/callback`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if idTokenAlg != "" {
				if err := oidc.CheckIDTokenAlg(idTokenAlg); err != nil {
					return err
				}
			}
			return withTenant(cmd, f, tenant, openAppsWithSignUp, func(ops appsWithSignUp, t directory.Tenant) error {
				app, secret, err := ops.CreateApp(cmd.Context(), t.ID, name, permissions, redirects, postLogouts, public)
				if err != nil {
					return err
				}
				if idTokenAlg != "" && idTokenAlg != app.IDTokenAlg() {
					if err := ops.SetAppIDTokenAlg(cmd.Context(), t.ID, app.AppID, idTokenAlg); err != nil {
						return err
					}
				}
				if signUp {
					if err := ops.SetAppSignUp(cmd.Context(), t.ID, app.AppID, true); err != nil {
						return err
					}
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, appJSON{AppID: app.AppID, ClientSecret: secret, TenantID: t.ID, SecretID: secretID(app.AppID, secret)}, func(w io.Writer) {
					fmt.Fprintf(w, "registered app %q in %s\n  appId (client_id): %s\n", name, t.DisplayName, app.AppID)
					if secret != "" {
						fmt.Fprintf(w, "  clientSecret:      %s\n  secretId:          %s\n  (shown only now; guestgate keeps only its hash)\n", secret, app.AppID)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&name, "name", "", "display name (required)")
	cmd.Flags().StringArrayVar(&permissions, "permission", nil, "Graph application permission, e.g. User.Invite.All; repeat for several")
	cmd.Flags().StringArrayVar(&redirects, "redirect-uri", nil, "OpenID Connect redirect URI (exact match); repeat for several")
	cmd.Flags().StringArrayVar(&postLogouts, "post-logout-redirect-uri", nil, "where sign-out may return to; repeat for several")
	cmd.Flags().BoolVar(&public, "public", false, "public client (no secret; PKCE required)")
	cmd.Flags().BoolVar(&signUp, "sign-up", false, "offer self-service sign-up to people without an invitation (R13)")
	addIDTokenAlgFlag(cmd, &idTokenAlg)
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("name")
	addOutputFlag(cmd)
	return cmd
}

// secretID is the id of the secret app create made: the app's id ("" for a public app).
func secretID(appID, secret string) string {
	if secret == "" {
		return ""
	}
	return appID
}

// addIDTokenAlgFlag adds --id-token-alg: how the app's ID tokens (and its
// other JWTs) are signed, id_token_signed_response_alg in OpenID Connect
// Dynamic Client Registration.
func addIDTokenAlgFlag(cmd *cobra.Command, alg *string) {
	cmd.Flags().StringVar(alg, "id-token-alg", "", "how the app's ID tokens are signed: RS256 (default) or ES256")
}
