package graph

import (
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
)

// TestIdentityIssuer (issue 22, item 5): identities[].issuer takes Graph's
// objectIdentity values, not the upstream issuer URL.
func TestIdentityIssuer(t *testing.T) {
	cases := []struct {
		name   string
		idp    directory.IdP
		issuer string
		want   string
	}{
		{"passcode", directory.IdPMail, "mail", "mail"},
		{"other_entra_tenant_domain", directory.IdPHomeTenant, "https://login.guestgate.example/7f1c/v2.0", "fabrikam.example"},
		{"unmanaged_tenant_domain", directory.IdPUnmanaged, "https://login.guestgate.example/9e2d/v2.0", "fabrikam.example"},
		{"personal_account", directory.IdPPersonal, "https://login.guestgate.example/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0", "MicrosoftAccount"},
		{"google", directory.IdPFederation, "google.com", "google.com"},
		{"direct_federation", directory.IdPFederation, "https://idp.fabrikam.example/saml", "https://idp.fabrikam.example/saml"},
	}
	for _, c := range cases {
		u := directory.User{UserType: directory.UserTypeGuest, Mail: "Teri@Fabrikam.example", IdP: c.idp, IdPIssuer: c.issuer}
		if got := identityIssuer(u); got != c.want {
			t.Errorf("%s: issuer = %q, want %q", c.name, got, c.want)
		}
		ids := userOut(u, "contoso.example").Identities
		if len(ids) != 2 || ids[1].Issuer != c.want || ids[1].SignInType != "federated" {
			t.Errorf("%s: identities = %+v", c.name, ids)
		}
	}
}
