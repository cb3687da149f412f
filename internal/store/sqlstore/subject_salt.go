package sqlstore

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/oidc"
)

var _ oidc.SubjectSaltStore = (*DB)(nil)

// SetTenantSubjectSalt stores salt for a tenant without one and returns
// the tenant's salt, in one transaction.
func (db *DB) SetTenantSubjectSalt(ctx context.Context, tenantID, salt string) (string, error) {
	var got string
	err := db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.exec(ctx, `UPDATE tenants SET subject_salt = $2 WHERE id = $1 AND subject_salt = ''`, tenantID, salt); err != nil {
			return err
		}
		return db.queryRow(ctx, `SELECT subject_salt FROM tenants WHERE id = $1`, tenantID).Scan(&got)
	})
	if err != nil {
		return "", notFound(err, "set tenant subject salt")
	}
	return got, nil
}

// FillTenantSubjectSalts stores salt for every tenant without one.
func (db *DB) FillTenantSubjectSalts(ctx context.Context, salt string) (int64, error) {
	res, err := db.exec(ctx, `UPDATE tenants SET subject_salt = $1 WHERE subject_salt = ''`, salt)
	if err != nil {
		return 0, fmt.Errorf("fill tenant subject salts: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("fill tenant subject salts: %w", err)
	}
	return n, nil
}
