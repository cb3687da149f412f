package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/server"
)

func newIdPCommand(f *configFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "idp", Short: "List, add and remove a tenant's partner identity providers (SAML, OpenID Connect, Google)"}
	cmd.AddCommand(newIdPListCommand(f), newIdPAddCommand(f), newIdPRemoveCommand(f))
	return cmd
}

// idpJSON is what `idp list|add --output json` prints; never a secret.
type idpJSON struct {
	ID          string   `json:"id"`
	Type        string   `json:"type"`
	DisplayName string   `json:"displayName"`
	Issuer      string   `json:"issuer"`
	IdP         string   `json:"idp"`
	Domains     []string `json:"domains"`
	ClientID    string   `json:"clientId,omitempty"`
}

func idpOut(x federation.Federation) idpJSON {
	ds := x.Domains
	if x.Kind == federation.KindGoogle {
		ds = federation.GoogleDomains
	}
	return idpJSON{ID: x.ID, Type: string(x.Kind), DisplayName: x.DisplayName, Issuer: x.Issuer, IdP: x.IdPIssuer(),
		Domains: append([]string{}, ds...), ClientID: x.Settings.ClientID}
}

func printIdP(w io.Writer, x idpJSON) {
	fmt.Fprintf(w, "%s  %s  %q\n  issuer: %s\n  domains: %s\n", x.ID, x.Type, x.DisplayName, x.Issuer, strings.Join(x.Domains, ", "))
}

func newIdPListCommand(f *configFlags) *cobra.Command {
	var tenant string
	cmd := &cobra.Command{
		Use:   "list --tenant T",
		Short: "List a tenant's partner identity providers (secrets are never shown)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Federations, func(ops admin.Federations, t directory.Tenant) error {
				fs, err := ops.ListFederations(cmd.Context(), t)
				if err != nil {
					return err
				}
				out := []idpJSON{}
				for _, x := range fs {
					out = append(out, idpOut(x))
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, out, func(w io.Writer) {
					if len(out) == 0 {
						fmt.Fprintf(w, "tenant %q has no partner identity providers\n", t.DisplayName)
					}
					for _, x := range out {
						printIdP(w, x)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	_ = cmd.MarkFlagRequired("tenant")
	addOutputFlag(cmd)
	return cmd
}

func newIdPAddCommand(f *configFlags) *cobra.Command {
	var (
		tenant, kind, certFile string
		d                      federation.Draft
	)
	cmd := &cobra.Command{
		Use:   "add --tenant T --type saml|oidc|google [flags]",
		Short: "Add a partner identity provider: SAML or OpenID Connect for domains, or Google",
		Long: `Add a partner identity provider to a tenant. Guests whose address is in one of its
domains (gmail.com and googlemail.com for Google) then redeem and sign in there, never with a
passcode.

  saml    --domain D... and either --metadata-url (read now; the issuer, sign-in URL and
          certificate are taken from it) or --issuer, --sign-in-url and --certificate-file
          (base64 or PEM). WS-Fed is not supported.
  oidc    --domain D... --issuer (discovery) --client-id; --authoritative takes the email
          claim even without email_verified.
  google  --client-id.

A client secret (oidc, google) is read from standard input, or asked for on a terminal; never
from a flag. It is sealed with the deployment secret, so GUESTGATE_SECRET must be set.`,
		Example: `  guestgate idp add --tenant fabrikam.example --type saml --name "Partner" --domain partner.example --metadata-url https://idp.partner.example/metadata
  printf '%s\n' "$SECRET" | guestgate idp add --tenant fabrikam.example --type google --client-id 123.apps.googleusercontent.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d.Kind = federation.Kind(kind)
			switch d.Kind {
			case federation.KindSAML:
				d.Settings.Protocol = federation.ProtocolSAML
				if certFile != "" {
					raw, err := os.ReadFile(certFile)
					if err != nil {
						return fmt.Errorf("--certificate-file: %w", err)
					}
					d.Settings.SigningCertificates = []string{string(raw)}
				}
			case federation.KindOIDC, federation.KindGoogle:
				secret, err := readClientSecret(cmd)
				if err != nil {
					return err
				}
				d.ClientSecret = secret
			default:
				return errors.New("--type must be saml, oidc or google")
			}
			return withTenant(cmd, f, tenant, (*server.Base).Federations, func(ops admin.Federations, t directory.Tenant) error {
				x, err := ops.AddFederation(cmd.Context(), t, d)
				if err != nil {
					return err
				}
				format, _ := cmd.Flags().GetString("output")
				return printResult(cmd.OutOrStdout(), format, idpOut(x), func(w io.Writer) { printIdP(w, idpOut(x)) })
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	fl.StringVar(&kind, "type", "", "saml, oidc or google (required)")
	fl.StringVar(&d.DisplayName, "name", "", "display name")
	fl.StringSliceVar(&d.Domains, "domain", nil, "a domain of the partner's addresses (repeat)")
	fl.StringVar(&d.Issuer, "issuer", "", "SAML issuer URI, or OpenID Connect issuer")
	fl.StringVar(&d.Settings.PassiveSignInURI, "sign-in-url", "", "SAML: the partner's sign-in URL (HTTP-Redirect binding)")
	fl.StringVar(&certFile, "certificate-file", "", "SAML: the partner's signing certificate (base64 or PEM)")
	fl.StringVar(&d.Settings.MetadataURL, "metadata-url", "", "SAML: the partner's metadata URL, read now")
	fl.StringVar(&d.Settings.EmailAttribute, "email-attribute", "", "SAML: attribute carrying the address (default: NameID)")
	fl.StringVar(&d.Settings.ClientID, "client-id", "", "OpenID Connect and Google: the client id")
	fl.BoolVar(&d.Settings.Authoritative, "authoritative", false, "OpenID Connect: the provider is authoritative for its domains")
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("type")
	addOutputFlag(cmd)
	return cmd
}

func newIdPRemoveCommand(f *configFlags) *cobra.Command {
	var tenant, id string
	cmd := &cobra.Command{
		Use:   "remove --tenant T --id ID",
		Short: "Remove a partner identity provider; its guests cannot sign in until their redemption is reset",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withTenant(cmd, f, tenant, (*server.Base).Federations, func(ops admin.Federations, t directory.Tenant) error {
				if err := ops.RemoveFederation(cmd.Context(), t, id); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "removed identity provider %s from tenant %q\n", id, t.DisplayName)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or verified domain (required)")
	cmd.Flags().StringVar(&id, "id", "", "the identity provider's id, from idp list (required)")
	_ = cmd.MarkFlagRequired("tenant")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

// readClientSecret asks for the client secret without echo on a terminal,
// and otherwise reads the first line of standard input.
func readClientSecret(cmd *cobra.Command) (string, error) {
	in := cmd.InOrStdin()
	if fl, ok := in.(*os.File); ok && term.IsTerminal(int(fl.Fd())) {
		fmt.Fprint(cmd.ErrOrStderr(), "Client secret: ")
		b, err := term.ReadPassword(int(fl.Fd()))
		fmt.Fprintln(cmd.ErrOrStderr())
		if err != nil {
			return "", fmt.Errorf("read the client secret: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReaderSize(in, 4096).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the client secret from standard input: %w", err)
	}
	secret := strings.TrimRight(line, "\r\n")
	if secret == "" {
		return "", errors.New("no client secret: give it on the first line of standard input, or run on a terminal to be asked")
	}
	return secret, nil
}
