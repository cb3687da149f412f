package policy

import (
	"fmt"
	"strings"
)

// Graph property names of invitationRedemptionIdentityProviderConfiguration,
// used in validation errors and audit records.
const (
	PropPrecedence = "primaryIdentityProviderPrecedenceOrder"
	PropFallback   = "fallbackIdentityProvider"
)

// PrimaryProviders are the accepted primary identity provider names, in
// section 3's default order.
func PrimaryProviders() []string {
	return []string{PrimaryAzureAD, PrimaryExternalFederation, PrimarySocial}
}

// FallbackProviders are the accepted fallback identity provider names.
func FallbackProviders() []string {
	return []string{FallbackDefault, FallbackEmailOTP, FallbackPersonalMSA}
}

// RedemptionPatch is a partial update of a RedemptionConfig (Graph PATCH of
// crossTenantAccessPolicy/default): nil fields are left as they are.
type RedemptionPatch struct {
	Precedence *[]string
	Fallback   *string
}

// Validate checks every value the patch sets (section 3): each primary
// provider is one of PrimaryProviders and listed at most once, and the
// fallback is one of FallbackProviders. Names are compared exactly, as
// Graph's enumeration members are.
//
// The precedence list may name a subset of the providers (one left out is
// never tried) and may be empty: then no primary provider is tried and
// every guest redeems with the fallback. Graph accepts a subset; an empty
// list is its limit, and refusing it would only force admins to list a
// provider they do not want. A nil pointer is "not set"; the API refuses
// an explicit null before it gets here.
func (p RedemptionPatch) Validate() error {
	if p.Precedence != nil {
		seen := make(map[string]bool, len(*p.Precedence))
		for _, name := range *p.Precedence {
			if !oneOf(name, PrimaryProviders()) {
				return &ValidationError{Property: PropPrecedence, Message: fmt.Sprintf("%q is not one of %s", name, strings.Join(PrimaryProviders(), ", "))}
			}
			if seen[name] {
				return &ValidationError{Property: PropPrecedence, Message: fmt.Sprintf("%q is listed twice", name)}
			}
			seen[name] = true
		}
	}
	if p.Fallback != nil && !oneOf(*p.Fallback, FallbackProviders()) {
		return &ValidationError{Property: PropFallback, Message: fmt.Sprintf("%q is not one of %s", *p.Fallback, strings.Join(FallbackProviders(), ", "))}
	}
	return nil
}

func oneOf(v string, set []string) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}

// Apply returns cfg with the patch's values (the precedence list copied).
// It does not validate and leaves UpdatedAt alone.
func (p RedemptionPatch) Apply(cfg RedemptionConfig) RedemptionConfig {
	if p.Precedence != nil {
		cfg.Precedence = append([]string{}, *p.Precedence...)
	}
	if p.Fallback != nil {
		cfg.Fallback = *p.Fallback
	}
	return cfg
}
