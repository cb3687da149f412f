package sqlstore

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

var _ directory.TakeoverStore = (*DB)(nil)

// ManageTenant makes an unmanaged tenant managed (a domain takeover) and
// appends domains to its verified domains, in one transaction.
func (db *DB) ManageTenant(ctx context.Context, id, name string, cloud directory.Cloud, domains []string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		res, err := db.exec(ctx, `UPDATE tenants SET managed = TRUE, display_name = $2, cloud = $3 WHERE id = $1 AND managed = FALSE`,
			id, name, string(cloud))
		if err != nil {
			return fmt.Errorf("manage tenant: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return fmt.Errorf("manage tenant %s: not an unmanaged tenant: %w", id, store.ErrConflict)
		}
		var pos int
		if err := db.queryRow(ctx, `SELECT COALESCE(MAX(position), 0) FROM tenant_domains WHERE tenant_id = $1`, id).Scan(&pos); err != nil {
			return fmt.Errorf("manage tenant: %w", err)
		}
		for _, d := range domains {
			pos++
			if _, err := db.exec(ctx, `INSERT INTO tenant_domains (domain, tenant_id, position) VALUES ($1, $2, $3)`, d, id, pos); err != nil {
				return uniqueOr(err, fmt.Sprintf("manage tenant: domain %q", d))
			}
		}
		return nil
	})
}
