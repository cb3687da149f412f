package graph

import (
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
)

// identityIssuer is the issuer of a redeemed guest's federated identity
// as Graph's objectIdentity names it (docs/graph.md cites the reference):
// the home organisation's domain for a guest of another Entra
// organisation (guestgate's home and unmanaged tenants; the domain of the
// address it was found by), "MicrosoftAccount" for a personal account,
// "mail" for passcodes, "google.com" for Google, and a direct
// federation's own issuer. The ID token's idp claim is another thing and
// keeps the issuer URL.
func identityIssuer(u directory.User) string {
	switch u.IdP {
	case directory.IdPHomeTenant, directory.IdPUnmanaged:
		if _, domain, ok := strings.Cut(u.Mail, "@"); ok && domain != "" {
			return strings.ToLower(domain)
		}
	case directory.IdPPersonal:
		return "MicrosoftAccount"
	}
	return u.IdPIssuer
}
