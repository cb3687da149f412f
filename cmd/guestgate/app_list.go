package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/server"
)

// appListJSON is one app as `app list --output json` prints it (Graph's
// application names where they exist).
type appListJSON struct {
	AppID          string    `json:"appId"`
	DisplayName    string    `json:"displayName"`
	PublicClient   bool      `json:"isFallbackPublicClient"`
	Permissions    []string  `json:"permissions"`
	RedirectURIs   []string  `json:"redirectUris"`
	CreatedAt      time.Time `json:"createdDateTime"`
	PostLogoutURIs []string  `json:"postLogoutRedirectUris"`
	// IDTokenAlg is OpenID Connect Dynamic Client Registration's name.
	IDTokenAlg string `json:"id_token_signed_response_alg"`
}

func newAppListCommand(f *configFlags) *cobra.Command {
	var tenant string
	cmd := &cobra.Command{
		Use:     "list --tenant T",
		Short:   "List a tenant's apps: id (client_id), name, kind and permissions (never secrets)",
		Example: `  guestgate app list --tenant fabrikam.example`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Apps, func(ops admin.Apps, t directory.Tenant) error {
				apps, err := ops.ListApps(cmd.Context(), t.ID)
				if err != nil {
					return err
				}
				out := make([]appListJSON, 0, len(apps))
				for _, a := range apps {
					out = append(out, appListOut(a))
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, map[string]any{"value": out}, func(w io.Writer) {
					printAppTable(w, out)
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

func appListOut(a oidc.App) appListJSON {
	return appListJSON{AppID: a.AppID, DisplayName: a.DisplayName, PublicClient: a.PublicClient,
		Permissions: nonNil(a.Permissions), RedirectURIs: nonNil(a.RedirectURIs), PostLogoutURIs: nonNil(a.PostLogoutRedirectURIs), CreatedAt: a.CreatedAt.UTC(),
		IDTokenAlg: a.IDTokenAlg()}
}

// printAppTable prints the apps under a header, one a line.
func printAppTable(w io.Writer, apps []appListJSON) {
	if len(apps) == 0 {
		fmt.Fprintln(w, "no apps")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "APP ID (CLIENT_ID)\tNAME\tKIND\tPERMISSIONS")
	for _, a := range apps {
		kind := "confidential"
		if a.PublicClient {
			kind = "public"
		}
		perms := strings.Join(a.Permissions, ",")
		if perms == "" {
			perms = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.AppID, a.DisplayName, kind, perms)
	}
	_ = tw.Flush()
}
