package e2e

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/roles"
)

// TestWriteBodiesWithAndWithoutODataType: every POST and PATCH route of
// the admin API takes its body as Graph SDKs send it (with the
// resource's "@odata.type") and as PowerShell hashtables and scripts send
// it (without). The exceptions are Graph's own: an identity provider is
// created with its type (identityProviderBase is abstract) and the email
// method configuration is patched with it (the update page requires it).
// Issue 22 item 8: rotating the Google secret with Graph's documented
// PATCH body (socialIdentityProvider, clientSecret only) was a 400.
// revokeSignInSessions and restore take no body.
func TestWriteBodiesWithAndWithoutODataType(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "User.ReadWrite.All",
			"Policy.ReadWrite.AuthenticationMethod", "Policy.ReadWrite.CrossTenantAccess", "IdentityProvider.ReadWrite.All",
			"OrganizationalBranding.ReadWrite.All", "RoleManagement.ReadWrite.Directory", "Policy.ReadWrite.Authorization")
		var member map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/users", map[string]any{
			"accountEnabled": true, "displayName": "Kim", "mailNickname": "kim", "userPrincipalName": "kim@fabrikam.example",
			"passwordProfile": map[string]any{"password": "tulip-Quarry-2026"},
		}, &member); s != http.StatusCreated {
			t.Fatalf("create member = %d %v", s, member)
		}
		var google map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/identity/identityProviders", map[string]any{
			"@odata.type": "#microsoft.graph.socialIdentityProvider", "displayName": "Google", "identityProviderType": "Google",
			"clientId": "google-client", "clientSecret": "google-secret",
		}, &google); s != http.StatusCreated {
			t.Fatalf("create Google = %d %v", s, google)
		}
		var oidc map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/identity/identityProviders", map[string]any{
			"@odata.type": "#microsoft.graph.oidcIdentityProvider", "displayName": "Partner", "issuer": "https://idp.partner.example",
			"clientId": "c", "clientAuthentication": map[string]any{"clientSecret": "s"}, "domains": []string{"partner.example"},
		}, &oidc); s != http.StatusCreated {
			t.Fatalf("create OIDC = %d %v", s, oidc)
		}
		_, cert := e2etest.NewKeyPair(t)
		saml := func(v int) map[string]any {
			return map[string]any{"displayName": "SAML", "issuerUri": fmt.Sprintf("https://sts%d.saml.example", v),
				"passiveSignInUri": fmt.Sprintf("https://sts%d.saml.example/sso", v), "preferredAuthenticationProtocol": "saml",
				"signingCertificate": base64.StdEncoding.EncodeToString(cert.Raw), "domains": []map[string]any{{"id": fmt.Sprintf("saml%d.example", v)}}}
		}
		var fed map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+e2etest.SAMLFedsPath, saml(9), &fed); s != http.StatusCreated {
			t.Fatalf("create SAML federation = %d %v", s, fed)
		}
		fedPath := "/v1.0/directory/federationConfigurations/" + fed["id"].(string)
		brand := "/v1.0/organization/" + tn.ID + "/branding"
		inviteRoles := []string{roles.GuestInviter.TemplateID, roles.ReportsReader.TemplateID}

		cases := []struct {
			method, path, typ string
			body              func(v int) map[string]any
			without, with     int
		}{
			{"POST", "/v1.0/invitations", "#microsoft.graph.invitation", func(v int) map[string]any {
				return map[string]any{"invitedUserEmailAddress": fmt.Sprintf("g%d@partner.example", v), "inviteRedirectUrl": "https://apps.fabrikam.example"}
			}, 201, 201},
			{"POST", "/v1.0/users", "#microsoft.graph.user", func(v int) map[string]any {
				return map[string]any{"accountEnabled": true, "displayName": "M", "mailNickname": fmt.Sprintf("m%d", v),
					"userPrincipalName": fmt.Sprintf("m%d@fabrikam.example", v), "passwordProfile": map[string]any{"password": "tulip-Quarry-2026"}}
			}, 201, 201},
			{"PATCH", "/v1.0/users/" + member["id"].(string), "#microsoft.graph.user", func(v int) map[string]any {
				return map[string]any{"displayName": fmt.Sprintf("Kim %d", v)}
			}, 204, 204},
			{"PATCH", "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email", "#microsoft.graph.emailAuthenticationMethodConfiguration",
				func(int) map[string]any { return map[string]any{"allowExternalIdToUseEmailOtp": "enabled"} }, 400, 204},
			{"PATCH", "/v1.0/policies/crossTenantAccessPolicy/default", "#microsoft.graph.crossTenantAccessPolicyConfigurationDefault", func(int) map[string]any {
				return map[string]any{"invitationRedemptionIdentityProviderConfiguration": map[string]any{"fallbackIdentityProvider": "defaultConfiguredIdp"}}
			}, 204, 204},
			{"POST", "/v1.0/identity/identityProviders", "#microsoft.graph.oidcIdentityProvider", func(v int) map[string]any {
				return map[string]any{"displayName": "P", "issuer": fmt.Sprintf("https://idp%d.example", v), "clientId": "c",
					"clientAuthentication": map[string]any{"clientSecret": "s"}, "domains": []string{fmt.Sprintf("p%d.example", v)}}
			}, 400, 201},
			{"PATCH", "/v1.0/identity/identityProviders/Google-OAUTH", "#microsoft.graph.socialIdentityProvider",
				func(v int) map[string]any { return map[string]any{"clientSecret": fmt.Sprintf("rotated-%d", v)} }, 204, 204},
			{"PATCH", "/v1.0/identity/identityProviders/" + oidc["id"].(string), "#microsoft.graph.oidcIdentityProvider",
				func(v int) map[string]any { return map[string]any{"displayName": fmt.Sprintf("Partner %d", v)} }, 204, 204},
			{"POST", e2etest.SAMLFedsPath, "#microsoft.graph.samlOrWsFedExternalDomainFederation", saml, 201, 201},
			{"PATCH", fedPath, "#microsoft.graph.samlOrWsFedExternalDomainFederation",
				func(v int) map[string]any { return map[string]any{"displayName": fmt.Sprintf("SAML %d", v)} }, 204, 204},
			{"POST", fedPath + "/microsoft.graph.samlOrWsFedExternalDomainFederation/domains", "#microsoft.graph.externalDomainName",
				func(v int) map[string]any { return map[string]any{"id": fmt.Sprintf("more%d.saml.example", v)} }, 201, 201},
			{"PATCH", brand, "#microsoft.graph.organizationalBranding",
				func(v int) map[string]any { return map[string]any{"signInPageText": fmt.Sprintf("Welcome %d", v)} }, 204, 204},
			{"PATCH", brand + "/localizations/ja-JP", "#microsoft.graph.organizationalBrandingLocalization",
				func(v int) map[string]any { return map[string]any{"signInPageText": fmt.Sprintf("ようこそ %d", v)} }, 204, 204},
			{"POST", "/v1.0/roleManagement/directory/roleAssignments", "#microsoft.graph.unifiedRoleAssignment", func(v int) map[string]any {
				return map[string]any{"roleDefinitionId": inviteRoles[v], "principalId": member["id"], "directoryScopeId": "/"}
			}, 201, 201},
			{"PATCH", "/v1.0/policies/authorizationPolicy", "#microsoft.graph.authorizationPolicy",
				func(int) map[string]any { return map[string]any{"allowInvitesFrom": "everyone"} }, 204, 204},
			{"PATCH", "/v1.0/policies/b2bManagementPolicy", "#microsoft.graph.b2bManagementPolicy", func(v int) map[string]any {
				return map[string]any{"invitationsAllowedAndBlockedDomainsPolicy": map[string]any{"blockedDomains": []string{fmt.Sprintf("b%d.example", v)}}}
			}, 204, 204},
		}
		for _, c := range cases {
			for v, typed := range []bool{false, true} {
				body := maps.Clone(c.body(v))
				want := c.without
				if typed {
					body["@odata.type"], want = c.typ, c.with
				}
				if s, _, raw := e2etest.GraphCall(t, admin, c.method, in.URL+c.path, body); s != want {
					t.Errorf("%s %s (@odata.type sent: %v) = %d %s, want %d", c.method, c.path, typed, s, raw, want)
				}
			}
		}
		// Another type is still refused.
		if s, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, in.URL+"/v1.0/identity/identityProviders/Google-OAUTH", map[string]any{
			"@odata.type": "#microsoft.graph.oidcIdentityProvider", "clientSecret": "x"}); s != http.StatusBadRequest {
			t.Errorf("PATCH Google with the OIDC type = %d %s, want 400", s, raw)
		}
	})
}
