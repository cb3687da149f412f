package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/store"
)

// getRedemption reads the tenant's redemption configuration, failing the test on error.
func getRedemption(t *testing.T, s Store, tenantID string) policy.RedemptionConfig {
	t.Helper()
	c, err := s.GetRedemptionPolicy(t.Context(), tenantID)
	must(t, "get redemption policy", err)
	return c
}

// setFallback updates the tenant's fallback identity provider.
func setFallback(ctx context.Context, s Store, tenantID, fallback string, at time.Time) error {
	return s.UpdateRedemptionPolicy(ctx, tenantID, func(c *policy.RedemptionConfig) error {
		c.Fallback, c.UpdatedAt = fallback, at
		return nil
	})
}

func testRedemption(t *testing.T, open Open) {
	t.Run("S3_never_set_is_default", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		got := getRedemption(t, s, tn.ID)
		wantEqual(t, "configuration of a new tenant", got, policy.DefaultRedemptionConfig())
		wantEqual(t, "isServiceDefault of a new tenant", got.IsServiceDefault(), true)
	})
	t.Run("S3_unknown_tenant_not_found", func(t *testing.T) {
		s := open(t)
		_, err := s.GetRedemptionPolicy(t.Context(), uuid.NewString())
		wantErr(t, "get configuration of an unknown tenant", err, store.ErrNotFound)
		err = setFallback(t.Context(), s, uuid.NewString(), policy.FallbackEmailOTP, at(time.Hour))
		wantErr(t, "update configuration of an unknown tenant", err, store.ErrNotFound)
	})
	t.Run("S3_update_round_trip", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		want := policy.RedemptionConfig{
			Precedence: []string{policy.PrimarySocial, policy.PrimaryAzureAD},
			Fallback:   policy.FallbackEmailOTP,
			UpdatedAt:  at(time.Hour),
		}
		var seen policy.RedemptionConfig
		must(t, "update", s.UpdateRedemptionPolicy(t.Context(), tn.ID, func(c *policy.RedemptionConfig) error {
			seen = *c
			*c = want
			return nil
		}))
		wantEqual(t, "value passed to the first update", seen, policy.DefaultRedemptionConfig())
		got := getRedemption(t, s, tn.ID)
		wantEqual(t, "configuration after update", got, want)
		wantEqual(t, "isServiceDefault after update", got.IsServiceDefault(), false)
		wantEqual(t, "other tenant's configuration", getRedemption(t, s, other.ID), policy.DefaultRedemptionConfig())
	})
	t.Run("S3_empty_order_stays_empty", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		must(t, "update", s.UpdateRedemptionPolicy(t.Context(), tn.ID, func(c *policy.RedemptionConfig) error {
			c.Precedence, c.UpdatedAt = nil, at(time.Hour)
			return nil
		}))
		wantEqual(t, "order after clearing it", getRedemption(t, s, tn.ID).Precedence, []string{})
	})
	t.Run("S3_failed_update_writes_nothing", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		err := s.UpdateRedemptionPolicy(t.Context(), tn.ID, func(c *policy.RedemptionConfig) error {
			c.Fallback, c.UpdatedAt = policy.FallbackPersonalMSA, at(time.Hour)
			return errRollback
		})
		wantErr(t, "update", err, errRollback)
		wantEqual(t, "configuration", getRedemption(t, s, tn.ID), policy.DefaultRedemptionConfig())
	})
	t.Run("S3_update_joins_outer_transaction", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			must(t, "update in tx", setFallback(ctx, s, tn.ID, policy.FallbackEmailOTP, at(time.Hour)))
			c, err := s.GetRedemptionPolicy(ctx, tn.ID)
			must(t, "read in tx", err)
			wantEqual(t, "fallback read in the transaction that wrote it", c.Fallback, policy.FallbackEmailOTP)
			return errRollback
		})
		wantErr(t, "tx", err, errRollback)
		got := getRedemption(t, s, tn.ID)
		wantEqual(t, "configuration after rollback", got, policy.DefaultRedemptionConfig())
		wantEqual(t, "isServiceDefault after rollback", got.IsServiceDefault(), true)
	})
	t.Run("S3_updates_see_previous", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		must(t, "first update", setFallback(t.Context(), s, tn.ID, policy.FallbackEmailOTP, at(time.Hour)))
		must(t, "second update", s.UpdateRedemptionPolicy(t.Context(), tn.ID, func(c *policy.RedemptionConfig) error {
			wantEqual(t, "value passed to the second update", *c, policy.RedemptionConfig{
				Precedence: policy.DefaultRedemptionConfig().Precedence, Fallback: policy.FallbackEmailOTP, UpdatedAt: at(time.Hour),
			})
			c.Precedence = []string{policy.PrimaryExternalFederation}
			return nil
		}))
		wantEqual(t, "configuration after two updates", getRedemption(t, s, tn.ID), policy.RedemptionConfig{
			Precedence: []string{policy.PrimaryExternalFederation}, Fallback: policy.FallbackEmailOTP, UpdatedAt: at(time.Hour),
		})
	})
}

// testRedemptionConcurrent: concurrent updates of one tenant's redemption
// configuration are serialized, each seeing the previous one's result (no
// lost update), from the first update of a tenant (no row yet) on.
func testRedemptionConcurrent(t *testing.T, open Open) {
	t.Run("S3_updates_serialized_none_lost", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		ok := race(t, nil, func(i int) error {
			return s.UpdateRedemptionPolicy(t.Context(), tn.ID, func(c *policy.RedemptionConfig) error {
				// Count updates in UpdatedAt: a lost update loses a second.
				if c.UpdatedAt.IsZero() {
					c.UpdatedAt = suiteEpoch
				}
				c.UpdatedAt = c.UpdatedAt.Add(time.Second)
				c.Fallback = policy.FallbackProviders()[i%3]
				return nil
			})
		})
		wantEqual(t, "successful updates", ok, racers)
		wantEqual(t, "updates counted", getRedemption(t, s, tn.ID).UpdatedAt, at(racers*time.Second))
	})
}
