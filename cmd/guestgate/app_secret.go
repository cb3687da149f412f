package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/server"
	"github.com/guestgate/guestgate/internal/store"
)

func newAppDeleteCommand(f *configFlags) *cobra.Command {
	var tenant, appID string
	cmd := &cobra.Command{
		Use:   "delete --tenant T --app ID",
		Short: "Delete an app registration; its tokens stop working at once",
		Long: `Delete an app registration with its secrets. Its refresh tokens and pending sign-ins are
deleted, and its access tokens (client-credentials tokens at the admin API, users' tokens at
userinfo) are refused from now on.`,
		Example: `  guestgate app delete --tenant fabrikam.example --app 6f1c…`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Apps, func(ops admin.Apps, t directory.Tenant) error {
				if err := ops.DeleteApp(cmd.Context(), t.ID, appID); err != nil {
					return appError(appID, err)
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "deleted app %s from %s\n", appID, t.DisplayName)
				return err
			})
		},
	}
	addAppFlags(cmd, &tenant, &appID)
	return cmd
}

func newAppSecretCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "Rotate an app's client secrets",
		Long: `An app may hold several client secrets at once, each of which authenticates it. To rotate:
add a new secret, give it to the app, then remove the old one.`,
	}
	cmd.AddCommand(newAppSecretAddCommand(f), newAppSecretListCommand(f), newAppSecretRemoveCommand(f))
	return cmd
}

// appSecretJSON is what `app secret add --output json` prints.
type appSecretJSON struct {
	AppID        string    `json:"appId"`
	SecretID     string    `json:"secretId"`
	ClientSecret string    `json:"clientSecret"`
	TenantID     string    `json:"tenantId"`
	Created      time.Time `json:"createdDateTime"`
}

func newAppSecretAddCommand(f *configFlags) *cobra.Command {
	var tenant, appID string
	cmd := &cobra.Command{
		Use:     "add --tenant T --app ID",
		Short:   "Add a client secret to an app; prints it once",
		Example: `  guestgate app secret add --tenant fabrikam.example --app 6f1c… --output json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Apps, func(ops admin.Apps, t directory.Tenant) error {
				sec, secret, err := ops.AddAppSecret(cmd.Context(), t.ID, appID)
				if err != nil {
					return appError(appID, err)
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, appSecretJSON{AppID: appID, SecretID: sec.ID, ClientSecret: secret, TenantID: t.ID, Created: sec.CreatedAt},
					func(w io.Writer) {
						fmt.Fprintf(w, "added a secret to app %s\n  secretId:     %s\n  clientSecret: %s\n  (shown only now; guestgate keeps only its hash; the app's other secrets stay valid until removed)\n",
							appID, sec.ID, secret)
					})
			})
		},
	}
	addAppFlags(cmd, &tenant, &appID)
	addOutputFlag(cmd)
	return cmd
}

func newAppSecretListCommand(f *configFlags) *cobra.Command {
	var tenant, appID string
	cmd := &cobra.Command{
		Use:   "list --tenant T --app ID",
		Short: "List an app's client secrets (ids and creation times, never the secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Apps, func(ops admin.Apps, t directory.Tenant) error {
				list, err := ops.AppSecrets(cmd.Context(), t.ID, appID)
				if err != nil {
					return appError(appID, err)
				}
				w := cmd.OutOrStdout()
				for _, s := range list {
					fmt.Fprintf(w, "%s  created %s\n", s.ID, s.CreatedAt.UTC().Format(time.RFC3339))
				}
				return nil
			})
		},
	}
	addAppFlags(cmd, &tenant, &appID)
	return cmd
}

func newAppSecretRemoveCommand(f *configFlags) *cobra.Command {
	var tenant, appID, secretID string
	cmd := &cobra.Command{
		Use:     "remove --tenant T --app ID --secret-id S",
		Short:   "Remove one client secret of an app; it stops authenticating the app at once",
		Example: `  guestgate app secret remove --tenant fabrikam.example --app 6f1c… --secret-id 0b7e…`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Apps, func(ops admin.Apps, t directory.Tenant) error {
				if err := ops.RemoveAppSecret(cmd.Context(), t.ID, appID, secretID); err != nil {
					if errors.Is(err, store.ErrNotFound) {
						return fmt.Errorf("app %s has no secret %s", appID, secretID)
					}
					return err
				}
				_, err := fmt.Fprintf(cmd.OutOrStdout(), "removed secret %s of app %s\n", secretID, appID)
				return err
			})
		},
	}
	addAppFlags(cmd, &tenant, &appID)
	cmd.Flags().StringVar(&secretID, "secret-id", "", "the secret's id, as app secret add or list printed it (required)")
	_ = cmd.MarkFlagRequired("secret-id")
	return cmd
}

func addAppFlags(cmd *cobra.Command, tenant, appID *string) {
	cmd.Flags().StringVar(tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(appID, "app", "", "the app's id (client_id) (required)")
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("app")
}

// appError names an unknown app instead of a store error.
func appError(appID string, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no app %s in this tenant", appID)
	}
	return err
}
