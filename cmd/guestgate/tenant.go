package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	adminops "github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/server"
)

func newTenantCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "tenant", Short: "Create, list and update tenants (organizations)"}
	cmd.AddCommand(newTenantCreateCommand(f), newTenantListCommand(f), newTenantUpdateCommand(f), newTenantSignUpDomainsCommand(f))
	return cmd
}

// tenantJSON is the shape `tenant create --output json` prints (DESIGN section 6).
type tenantJSON struct {
	ID          string   `json:"id"`
	DisplayName string   `json:"displayName"`
	Domains     []string `json:"domains"`
	Cloud       string   `json:"cloud"`
	// PrivacyURL is the privacy statement linked from the consent page ("" = none).
	PrivacyURL string `json:"privacyUrl"`
}

func tenantOut(t directory.Tenant) tenantJSON {
	return tenantJSON{ID: t.ID, DisplayName: t.DisplayName, Domains: t.Domains, Cloud: string(t.Cloud), PrivacyURL: t.PrivacyURL}
}

func newTenantUpdateCommand(f *configFlags) *cobra.Command {
	var tenant, privacyURL string
	cmd := &cobra.Command{
		Use:   "update --tenant T --privacy-url URL",
		Short: "Change a tenant's settings (its privacy statement URL)",
		Long: `Change a tenant's settings. --privacy-url is the tenant's privacy statement, linked from the
page where a guest reviews what the tenant may read: an absolute https URL (http only for
localhost), or "" to remove the link. Running servers show a change within seconds.`,
		Example: `  guestgate tenant update --tenant fabrikam.example --privacy-url https://fabrikam.example/privacy
  guestgate tenant update --tenant fabrikam.example --privacy-url "" --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := directory.CheckPrivacyURL(privacyURL); err != nil {
				return fmt.Errorf("--privacy-url: %w", err)
			}
			return withTenant(cmd, f, tenant, (*server.Base).Directory, func(ops adminops.Directory, t directory.Tenant) error {
				t, err := ops.SetTenantPrivacyURL(cmd.Context(), t, privacyURL)
				if err != nil {
					return err
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, tenantOut(t), func(w io.Writer) {
					if t.PrivacyURL == "" {
						fmt.Fprintf(w, "tenant %q has no privacy statement URL\n", t.DisplayName)
						return
					}
					fmt.Fprintf(w, "tenant %q\n  privacy statement: %s\n", t.DisplayName, t.PrivacyURL)
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&privacyURL, "privacy-url", "", `privacy statement URL (https; "" removes it) (required)`)
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("privacy-url")
	addOutputFlag(cmd)
	return cmd
}

func newTenantCreateCommand(f *configFlags) *cobra.Command {
	var (
		req     directory.NewTenantRequest
		cloud   string
		domains []string
		admin   member.NewMember
	)
	cmd := &cobra.Command{
		Use:     "create --name NAME [--domain DOMAIN]... [--cloud public|usgov]",
		Short:   "Create a tenant",
		Example: "  guestgate tenant create --name Fabrikam --domain fabrikam.example --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAdmin(cmd, f, (*server.Base).Roles, func(ops adminops.Roles) error {
				req.Domains, req.Cloud = domains, directory.Cloud(cloud)
				if admin.UserPrincipalName != "" {
					return createTenantWithAdmin(cmd, ops, req, admin)
				}
				t, err := ops.CreateTenant(cmd.Context(), req)
				if err != nil {
					return err
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, tenantOut(t), func(w io.Writer) {
					fmt.Fprintf(w, "created tenant %q\n  id:      %s\n  domains: %s\n", t.DisplayName, t.ID, strings.Join(t.Domains, ", "))
				})
			})
		},
	}
	cmd.Flags().StringVar(&req.Name, "name", "", "display name (required)")
	cmd.Flags().StringArrayVar(&domains, "domain", nil, "verified domain; repeat for several")
	cmd.Flags().StringVar(&cloud, "cloud", "public", "cloud: public or usgov")
	cmd.Flags().BoolVar(&req.PreviewOptIn, "preview-opt-in", false, "mark the tenant as having opted into the email OTP preview")
	cmd.Flags().StringVar(&admin.UserPrincipalName, "admin-email", "", "create the first member, a Global Administrator, with this address in a --domain (password from a prompt or the first line of standard input)")
	cmd.Flags().StringVar(&admin.DisplayName, "admin-name", "Administrator", "the first member's display name (with --admin-email)")
	_ = cmd.MarkFlagRequired("name")
	addOutputFlag(cmd)
	return cmd
}

func newTenantListCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List tenants",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAdmin(cmd, f, (*server.Base).Directory, func(ops adminops.Directory) error {
				ts, err := ops.ListTenants(cmd.Context())
				if err != nil {
					return err
				}
				out := make([]tenantJSON, 0, len(ts))
				for _, t := range ts {
					out = append(out, tenantOut(t))
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, map[string]any{"value": out}, func(w io.Writer) {
					if len(ts) == 0 {
						fmt.Fprintln(w, "no tenants")
						return
					}
					tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "NAME\tID\tDOMAINS")
					for _, t := range ts {
						fmt.Fprintf(tw, "%s\t%s\t%s\n", t.DisplayName, t.ID, strings.Join(t.Domains, ", "))
					}
					_ = tw.Flush()
				})
			})
		},
	}
	addOutputFlag(cmd)
	return cmd
}
