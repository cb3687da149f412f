package server

import (
	"context"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/policy"
)

// RedemptionPolicy returns the tenant's redemption configuration (guestgate
// policy redemption show).
func (s *Server) RedemptionPolicy(ctx context.Context, t directory.Tenant) (policy.RedemptionConfig, error) {
	return s.policies.Redemption(ctx, t.ID)
}

// SetRedemptionPolicy applies a partial update of the tenant's redemption
// configuration, recorded in the audit log as done by the CLI (guestgate
// policy redemption set).
func (s *Server) SetRedemptionPolicy(ctx context.Context, t directory.Tenant, p policy.RedemptionPatch) (policy.RedemptionConfig, error) {
	return s.policies.UpdateRedemption(ctx, t, p, audit.CLI)
}

// SetTenantPrivacyURL checks and stores the tenant's privacy statement URL
// ("" clears it) and returns the tenant as stored (guestgate tenant update).
// Running processes see the change once their tenant cache entry expires.
func (s *Server) SetTenantPrivacyURL(ctx context.Context, t directory.Tenant, url string) (directory.Tenant, error) {
	if _, err := directory.SetPrivacyURL(ctx, s.db, t.ID, url); err != nil {
		return t, err
	}
	return s.db.GetTenant(ctx, t.ID)
}
