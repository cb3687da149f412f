package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/guestgate/guestgate/internal/collab"
)

var _ collab.Store = (*DB)(nil)

// GetCollaboration returns the tenant's settings, or store.ErrNotFound.
func (db *DB) GetCollaboration(ctx context.Context, tenantID string) (collab.Settings, error) {
	s := collab.Settings{TenantID: tenantID}
	var (
		domains string
		updated int64
	)
	err := db.queryRow(ctx, `SELECT allow_invites_from, guest_user_role_id, domain_mode, domains, updated_at
		FROM collaboration_settings WHERE tenant_id = $1`, tenantID).Scan(&s.AllowInvitesFrom, &s.GuestUserRoleID, &s.DomainMode, &domains, &updated)
	if err != nil {
		return s, notFound(err, "get collaboration settings")
	}
	if err := json.Unmarshal([]byte(domains), &s.Domains); err != nil {
		return s, fmt.Errorf("get collaboration settings: domains: %w", err)
	}
	s.UpdatedAt = fromDB(updated)
	return s, nil
}

// PutCollaboration stores s, replacing the tenant's settings (one upsert).
func (db *DB) PutCollaboration(ctx context.Context, s collab.Settings) error {
	domains := s.Domains
	if domains == nil {
		domains = []string{}
	}
	raw, err := json.Marshal(domains)
	if err != nil {
		return fmt.Errorf("put collaboration settings: %w", err)
	}
	_, err = db.exec(ctx, `INSERT INTO collaboration_settings (tenant_id, allow_invites_from, guest_user_role_id, domain_mode, domains, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (tenant_id) DO UPDATE SET allow_invites_from = excluded.allow_invites_from,
			guest_user_role_id = excluded.guest_user_role_id, domain_mode = excluded.domain_mode,
			domains = excluded.domains, updated_at = excluded.updated_at`,
		s.TenantID, string(s.AllowInvitesFrom), s.GuestUserRoleID, string(s.DomainMode), string(raw), toDB(s.UpdatedAt))
	if err != nil {
		return fmt.Errorf("put collaboration settings: %w", err)
	}
	return nil
}
