package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/server"
)

func newBrandingCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "branding",
		Short: "Show and set a tenant's company branding (logo, colour, sign-in text, privacy link)",
		Long: `A tenant's company branding, Graph's organizationalBranding: a banner logo (PNG or JPEG,
at most 245 x 36 pixels and 50 KiB; SVG is refused because it can carry script), a background
colour (#RRGGBB), sign-in page text (at most 1024 characters), the address field's hint (at most 64) and a privacy statement link.
--lang sets a localization (a culture name such as ja-JP or fr-FR, kept as given); fields it
leaves empty come from the default, and a page shows the localization of its language.
Every guest page and the invitation and passcode mails show it. The admin API serves the same
as /v1.0/organization/{id}/branding.`,
	}
	cmd.AddCommand(newBrandingShowCommand(f), newBrandingSetCommand(f))
	return cmd
}

// brandingJSON is what `branding show|set --output json` prints.
type brandingJSON struct {
	TenantID        string `json:"tenantId"`
	Language        string `json:"language"`
	BackgroundColor string `json:"backgroundColor"`
	SignInPageText  string `json:"signInPageText"`
	UsernameHint    string `json:"usernameHintText"`
	PrivacyURL      string `json:"customPrivacyAndCookiesUrl"`
	BannerLogoURL   string `json:"bannerLogoUrl"`
}

func printBranding(cmd *cobra.Command, ops admin.Branding, t directory.Tenant, b branding.Branding) error {
	out := brandingJSON{TenantID: t.ID, Language: b.Lang, BackgroundColor: b.BackgroundColor, SignInPageText: b.SignInPageText,
		UsernameHint: b.UsernameHintText, PrivacyURL: b.PrivacyURL, BannerLogoURL: ops.LogoURL(b)}
	if out.Language == "" {
		out.Language = "default"
	}
	format, _ := cmd.Flags().GetString("output")
	return printResult(cmd.OutOrStdout(), format, out, func(w io.Writer) {
		fmt.Fprintf(w, "branding of %s (%s)\n", t.DisplayName, out.Language)
		fmt.Fprintf(w, "  background colour: %s\n", orNone(out.BackgroundColor))
		fmt.Fprintf(w, "  sign-in page text: %s\n", orNone(out.SignInPageText))
		fmt.Fprintf(w, "  username hint:     %s\n", orNone(out.UsernameHint))
		fmt.Fprintf(w, "  privacy link:      %s\n", orNone(out.PrivacyURL))
		fmt.Fprintf(w, "  banner logo:       %s\n", orNone(out.BannerLogoURL))
	})
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func newBrandingShowCommand(f *configFlags) *cobra.Command {
	var tenant, lang string
	cmd := &cobra.Command{
		Use:     "show --tenant T [--lang L]",
		Short:   "Show the tenant's branding (the default, or one language's)",
		Example: "  guestgate branding show --tenant fabrikam.example --lang ja",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := branding.LocaleID(lang)
			if err != nil {
				return err
			}
			return withTenant(cmd, f, tenant, (*server.Base).Branding, func(ops admin.Branding, t directory.Tenant) error {
				b, err := ops.Branding(cmd.Context(), t, l)
				if errors.Is(err, branding.ErrNotFound) {
					b, err = branding.Branding{TenantID: t.ID, Lang: l}, nil
				}
				if err != nil {
					return err
				}
				return printBranding(cmd, ops, t, b)
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&lang, "lang", "", "localization id (a culture name such as ja-JP, kept as given); empty: the default branding")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

func newBrandingSetCommand(f *configFlags) *cobra.Command {
	var tenant, lang, color, text, hint, privacy, logo string
	cmd := &cobra.Command{
		Use:   "set --tenant T [--lang L] [--background-color C] [--sign-in-text S] [--username-hint H] [--privacy-url U] [--logo FILE]",
		Short: "Set fields of the tenant's branding (an empty value clears a field)",
		Example: `  guestgate branding set --tenant fabrikam.example --background-color '#0078D4' \
      --sign-in-text 'Fabrikam partner portal' --privacy-url https://fabrikam.example/privacy --logo logo.png`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := branding.LocaleID(lang)
			if err != nil {
				return err
			}
			var p branding.Patch
			if cmd.Flags().Changed("background-color") {
				p.BackgroundColor = &color
			}
			if cmd.Flags().Changed("sign-in-text") {
				p.SignInPageText = &text
			}
			if cmd.Flags().Changed("username-hint") {
				p.UsernameHintText = &hint
			}
			if cmd.Flags().Changed("privacy-url") {
				p.PrivacyURL = &privacy
			}
			var data []byte
			if logo != "" {
				if data, err = os.ReadFile(logo); err != nil {
					return fmt.Errorf("--logo: %w", err)
				}
			}
			return withTenant(cmd, f, tenant, (*server.Base).Branding, func(ops admin.Branding, t directory.Tenant) error {
				b, err := ops.UpdateBranding(cmd.Context(), t, l, p)
				if err != nil {
					return err
				}
				if data != nil {
					if b, err = ops.SetBannerLogo(cmd.Context(), t, l, data); err != nil {
						return err
					}
				}
				return printBranding(cmd, ops, t, b)
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&lang, "lang", "", "localization id (a culture name such as ja-JP, kept as given); empty: the default branding")
	cmd.Flags().StringVar(&color, "background-color", "", "background colour, #RRGGBB")
	cmd.Flags().StringVar(&text, "sign-in-text", "", "text shown on the sign-in pages")
	cmd.Flags().StringVar(&hint, "username-hint", "", "hint shown in the sign-in page's address field")
	cmd.Flags().StringVar(&privacy, "privacy-url", "", "the tenant's privacy statement (http or https URL)")
	cmd.Flags().StringVar(&logo, "logo", "", "banner logo file (PNG or JPEG, at most 245x36 pixels)")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}
