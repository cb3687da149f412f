package sqlstore

import (
	"context"
	"fmt"
)

// SetTenantPrivacyURL stores the tenant's privacy statement URL ("" clears
// it), in the transaction of ctx if any. An unknown tenant is
// store.ErrNotFound.
func (db *DB) SetTenantPrivacyURL(ctx context.Context, tenantID, url string) error {
	res, err := db.exec(ctx, `UPDATE tenants SET privacy_url = $2 WHERE id = $1`, tenantID, url)
	if err != nil {
		return fmt.Errorf("set tenant privacy URL: %w", err)
	}
	return affectedOrNotFound(res, "set tenant privacy URL")
}
