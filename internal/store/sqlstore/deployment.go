package sqlstore

import (
	"context"
	"time"
)

// Deployment settings by name.
const (
	// SettingPublicURL is the public URL serve runs with; the admin CLI
	// builds links with it instead of guessing.
	SettingPublicURL = "public_url"
)

// SetDeploymentSetting stores a deployment-wide setting (an upsert).
func (db *DB) SetDeploymentSetting(ctx context.Context, name, value string, at time.Time) error {
	_, err := db.exec(ctx, `INSERT INTO deployment_settings (name, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
		name, value, toDB(at))
	if err != nil {
		return uniqueOr(err, "set deployment setting "+name)
	}
	return nil
}

// GetDeploymentSetting returns a deployment-wide setting, or
// store.ErrNotFound if it was never set.
func (db *DB) GetDeploymentSetting(ctx context.Context, name string) (string, error) {
	var v string
	if err := db.queryRow(ctx, `SELECT value FROM deployment_settings WHERE name = $1`, name).Scan(&v); err != nil {
		return "", notFound(err, "get deployment setting "+name)
	}
	return v, nil
}
