package sqlstore

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/store"
)

// SetAppSignUp turns an app's self-service sign-up on or off (R13); an
// unknown app is ErrNotFound.
func (db *DB) SetAppSignUp(ctx context.Context, tenantID, appID string, enabled bool) error {
	dropAppMemo(ctx, tenantID, appID)
	res, err := db.exec(ctx, `UPDATE apps SET sign_up = $3 WHERE tenant_id = $1 AND app_id = $2`, tenantID, appID, enabled)
	if err != nil {
		return fmt.Errorf("set app sign-up: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("set app sign-up: app %s: %w", appID, store.ErrNotFound)
	}
	return nil
}

// AppSignUp reports whether an app offers sign-up; an unknown app is ErrNotFound.
func (db *DB) AppSignUp(ctx context.Context, tenantID, appID string) (bool, error) {
	var on bool
	err := db.queryRow(ctx, `SELECT sign_up FROM apps WHERE tenant_id = $1 AND app_id = $2`, tenantID, appID).Scan(&on)
	if err != nil {
		return false, notFound(err, "app sign-up")
	}
	return on, nil
}

// SetSignUpDomains replaces the domains a tenant restricts app sign-up to
// (none: any domain).
func (db *DB) SetSignUpDomains(ctx context.Context, tenantID string, domains []string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.exec(ctx, `DELETE FROM sign_up_domains WHERE tenant_id = $1`, tenantID); err != nil {
			return fmt.Errorf("set sign-up domains: %w", err)
		}
		for _, d := range domains {
			if _, err := db.exec(ctx, `INSERT INTO sign_up_domains (tenant_id, domain) VALUES ($1, $2) ON CONFLICT DO NOTHING`, tenantID, d); err != nil {
				return fmt.Errorf("set sign-up domains: %w", err)
			}
		}
		return nil
	})
}

// SignUpDomains returns the domains a tenant restricts app sign-up to, sorted.
func (db *DB) SignUpDomains(ctx context.Context, tenantID string) ([]string, error) {
	rows, err := db.query(ctx, `SELECT domain FROM sign_up_domains WHERE tenant_id = $1 ORDER BY domain`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("sign-up domains: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("sign-up domains: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
