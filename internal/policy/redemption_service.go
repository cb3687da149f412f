package policy

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
)

// Redemption returns the tenant's redemption configuration (section 3):
// one indexed read, in the transaction of ctx if any, so the decision at
// redemption can read it inside the transaction that redeems.
func (s *Service) Redemption(ctx context.Context, tenantID string) (RedemptionConfig, error) {
	c, err := s.d.Store.GetRedemptionPolicy(ctx, tenantID)
	if err != nil {
		return RedemptionConfig{}, fmt.Errorf("read redemption configuration: %w", err)
	}
	return c, nil
}

// UpdateRedemption applies a partial update (PATCH of
// crossTenantAccessPolicy/default) and records it in the audit log, in one
// transaction. Invalid values are a *ValidationError and change nothing.
// Every update writes one record, even one that leaves the values as they
// were; afterwards the configuration is no longer the service default.
// Guests who already redeemed keep their identity provider (R7): the
// configuration governs only future redemptions.
func (s *Service) UpdateRedemption(ctx context.Context, t directory.Tenant, p RedemptionPatch, by audit.Actor) (RedemptionConfig, error) {
	if err := p.Validate(); err != nil {
		return RedemptionConfig{}, err
	}
	var after RedemptionConfig
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		now := s.d.Clock.Now()
		var changes []audit.Change
		err := s.d.Store.UpdateRedemptionPolicy(ctx, t.ID, func(c *RedemptionConfig) error {
			before := *c
			*c = p.Apply(*c)
			c.UpdatedAt = now
			var err error
			changes, err = RedemptionChanges(p, before, *c)
			after = *c
			return err
		})
		if err != nil {
			return fmt.Errorf("update redemption configuration: %w", err)
		}
		return audit.Write(ctx, s.d.Audit, redemptionAuditRecord(t.ID, by, changes), now)
	})
	if err != nil {
		return RedemptionConfig{}, err
	}
	return after, nil
}
