package policy

import "time"

// Graph's names of the primary identity providers of section 3 step 1
// (invitationRedemptionIdentityProviderConfiguration.primaryIdentityProviderPrecedenceOrder).
const (
	PrimaryAzureAD            = "azureActiveDirectory"    // here: a member of another managed tenant
	PrimaryExternalFederation = "externalFederation"      // SAML / WS-Fed / OIDC federation for the domain
	PrimarySocial             = "socialIdentityProviders" // Google for gmail.com / googlemail.com
)

// Graph's names of the fallback identity provider of section 3 step 2.
const (
	FallbackDefault     = "defaultConfiguredIdp"
	FallbackEmailOTP    = "emailOneTimePasscode"
	FallbackPersonalMSA = "microsoftAccount"
)

// RedemptionConfig is a tenant's invitationRedemptionIdentityProviderConfiguration
// (Graph's crossTenantAccessPolicy/default): the order in which the primary
// identity providers are tried and the fallback when none applies.
type RedemptionConfig struct {
	// Precedence lists primary identity providers (Primary* names), first wins.
	// A provider left out is never used.
	Precedence []string
	// Fallback is one of the Fallback* names.
	Fallback string
	// UpdatedAt is when an admin last changed the configuration; zero for
	// a tenant that never did (Graph's isServiceDefault).
	UpdatedAt time.Time
}

// IsServiceDefault reports whether the tenant never changed its
// configuration (Graph's isServiceDefault). A change that happens to set
// the default values still counts as a change, as in the reproduced product.
func (c RedemptionConfig) IsServiceDefault() bool { return c.UpdatedAt.IsZero() }

// DefaultRedemptionConfig is the configuration of a tenant that never set
// one (section 3's default order).
func DefaultRedemptionConfig() RedemptionConfig {
	return RedemptionConfig{
		Precedence: []string{PrimaryAzureAD, PrimaryExternalFederation, PrimarySocial},
		Fallback:   FallbackDefault,
	}
}
