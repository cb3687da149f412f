package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/guestgate/guestgate/internal/policy"
)

// GetRedemptionPolicy reads the tenant's redemption configuration in one
// primary-key read joined to the tenant, in the transaction of ctx if any
// (a tenant without a row has the default configuration and a zero
// UpdatedAt). An unknown tenant is store.ErrNotFound.
func (db *DB) GetRedemptionPolicy(ctx context.Context, tenantID string) (policy.RedemptionConfig, error) {
	var (
		precedence, fallback sql.NullString
		updatedAt            sql.NullInt64
	)
	err := db.queryRow(ctx, `SELECT p.precedence, p.fallback, p.updated_at
		FROM tenants t LEFT JOIN redemption_policies p ON p.tenant_id = t.id
		WHERE t.id = $1`, tenantID).Scan(&precedence, &fallback, &updatedAt)
	if err != nil {
		return policy.RedemptionConfig{}, notFound(err, "get redemption policy")
	}
	if !precedence.Valid {
		return policy.DefaultRedemptionConfig(), nil
	}
	c, err := decodeRedemption(precedence.String, fallback.String, updatedAt.Int64)
	if err != nil {
		return c, fmt.Errorf("get redemption policy: %w", err)
	}
	return c, nil
}

// UpdateRedemptionPolicy reads the tenant's configuration for update,
// applies fn and writes the result, in one transaction (joining the
// caller's). The row is created first if missing, so that the lock always
// has a row to hold: concurrent updates of one tenant, in any process, run
// one after the other and each sees the previous result.
func (db *DB) UpdateRedemptionPolicy(ctx context.Context, tenantID string, fn func(*policy.RedemptionConfig) error) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.ensureRedemptionRow(ctx, tenantID); err != nil {
			return err
		}
		var (
			precedence, fallback string
			updatedAt            int64
		)
		err := db.queryRow(ctx, `SELECT precedence, fallback, updated_at
			FROM redemption_policies WHERE tenant_id = $1`+db.d.forUpdate, tenantID).Scan(&precedence, &fallback, &updatedAt)
		if err != nil {
			return notFound(err, "update redemption policy")
		}
		c, err := decodeRedemption(precedence, fallback, updatedAt)
		if err != nil {
			return fmt.Errorf("update redemption policy: %w", err)
		}
		if err := fn(&c); err != nil {
			return fmt.Errorf("update redemption policy: %w", err)
		}
		if precedence, err = encodeNames(c.Precedence); err != nil {
			return fmt.Errorf("update redemption policy: %w", err)
		}
		res, err := db.exec(ctx, `UPDATE redemption_policies SET precedence = $2, fallback = $3, updated_at = $4
			WHERE tenant_id = $1`, tenantID, precedence, c.Fallback, toDB(c.UpdatedAt))
		if err != nil {
			return fmt.Errorf("update redemption policy: %w", err)
		}
		return affectedOrNotFound(res, "update redemption policy")
	})
}

// ensureRedemptionRow inserts the default configuration (updated_at 0: still
// the service default until fn says otherwise) for a tenant without a row.
// A tenant that does not exist is store.ErrNotFound.
func (db *DB) ensureRedemptionRow(ctx context.Context, tenantID string) error {
	var exists int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM tenants WHERE id = $1`, tenantID).Scan(&exists); err != nil {
		return fmt.Errorf("update redemption policy: find tenant: %w", err)
	}
	if exists == 0 {
		return notFound(sql.ErrNoRows, "update redemption policy: tenant")
	}
	d := policy.DefaultRedemptionConfig()
	precedence, err := encodeNames(d.Precedence)
	if err != nil {
		return fmt.Errorf("update redemption policy: %w", err)
	}
	_, err = db.exec(ctx, `INSERT INTO redemption_policies (tenant_id, precedence, fallback, updated_at)
		VALUES ($1, $2, $3, 0)
		ON CONFLICT (tenant_id) DO NOTHING`, tenantID, precedence, d.Fallback)
	if err != nil {
		return fmt.Errorf("update redemption policy: create row: %w", err)
	}
	return nil
}

// encodeNames writes a precedence list as a JSON array ([] for none).
func encodeNames(ns []string) (string, error) {
	if ns == nil {
		ns = []string{}
	}
	b, err := json.Marshal(ns)
	if err != nil {
		return "", fmt.Errorf("encode precedence: %w", err)
	}
	return string(b), nil
}

func decodeRedemption(precedence, fallback string, updatedAt int64) (policy.RedemptionConfig, error) {
	c := policy.RedemptionConfig{Fallback: fallback, UpdatedAt: fromDB(updatedAt)}
	if err := json.Unmarshal([]byte(precedence), &c.Precedence); err != nil {
		return c, fmt.Errorf("decode precedence: %w", err)
	}
	if c.Precedence == nil {
		c.Precedence = []string{}
	}
	return c, nil
}
