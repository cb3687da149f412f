package admin

import (
	"context"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/policy"
)

// Policies is the operator's email passcode and redemption policies
// (guestgate policy …).
type Policies struct {
	policies *policy.Service
}

// NewPolicies builds Policies over the policy service.
func NewPolicies(s *policy.Service) (Policies, error) {
	if s == nil {
		return Policies{}, errMissing("the policy service")
	}
	return Policies{policies: s}, nil
}

// EmailPolicy returns the tenant's email OTP policy and its effective state
// (guestgate policy email show).
func (p Policies) EmailPolicy(ctx context.Context, t directory.Tenant) (policy.View, error) {
	return p.policies.Get(ctx, t)
}

// SetEmailPolicy sets allowExternalIdToUseEmailOtp, recorded in the audit
// log as done by the CLI (guestgate policy email set).
func (p Policies) SetEmailPolicy(ctx context.Context, t directory.Tenant, v policy.AllowExternal) (policy.View, error) {
	return p.policies.Update(ctx, t, policy.Patch{AllowExternal: &v}, audit.CLI)
}

// RedemptionPolicy returns the tenant's redemption configuration (guestgate
// policy redemption show).
func (p Policies) RedemptionPolicy(ctx context.Context, t directory.Tenant) (policy.RedemptionConfig, error) {
	return p.policies.Redemption(ctx, t.ID)
}

// SetRedemptionPolicy applies a partial update of the tenant's redemption
// configuration, recorded in the audit log as done by the CLI (guestgate
// policy redemption set).
func (p Policies) SetRedemptionPolicy(ctx context.Context, t directory.Tenant, patch policy.RedemptionPatch) (policy.RedemptionConfig, error) {
	return p.policies.UpdateRedemption(ctx, t, patch, audit.CLI)
}
