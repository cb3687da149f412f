// Package policy owns the tenant's email one-time passcode policy, Graph's
// emailAuthenticationMethodConfiguration (DESIGN section 4, R8–R11), and the
// one function that says whether passcodes are effectively enabled for
// guests: EffectiveEmailOTP (decide.go). Everything that needs to know asks
// Service.Effective, which applies it to the stored policy.
//
// Changes (Service.Update, PATCH; Service.Revert, DELETE) are serialized
// per tenant by the store (a read-modify-write under a row lock, in every
// process) and each writes one audit record in the same transaction.
// Setting allowExternalIdToUseEmailOtp to default clears the tenant's
// preview opt-in in that transaction too.
//
// It also owns the tenant's redemption configuration, Graph's
// crossTenantAccessPolicy/default invitationRedemptionIdentityProviderConfiguration
// (DESIGN section 3): the order of the primary identity providers and the
// fallback (redemption*.go). Service.Redemption reads it for the decision at
// redemption; Service.UpdateRedemption changes it, serialized per tenant by
// the store like the email policy, with one audit record per change.
//
// It imports directory (the tenant's cloud and preview flag), audit, store
// and clock; it does no I/O of its own.
package policy
