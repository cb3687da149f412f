package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/inactive"
)

var _ inactive.Store = (*DB)(nil)

// ListInactiveGuests lists the tenant's guests inactive since cutoff
// (inactive.Store), on the partial index of migration 0024. The sponsors
// and inviter come from each guest's latest invitation, one indexed look-up
// each (invitations_user).
func (db *DB) ListInactiveGuests(ctx context.Context, tenantID string, cutoff time.Time, after inactive.Cursor, limit int) ([]inactive.Guest, error) {
	if limit <= 0 || limit > inactive.MaxPage {
		limit = inactive.MaxPage
	}
	before, afterAt := toDB(cutoff), toDB(after.LastSuccessfulSignIn)
	rows, err := db.query(ctx, `SELECT `+userColumns+`,
		COALESCE((SELECT i.sponsors FROM invitations i WHERE i.tenant_id = users.tenant_id AND i.user_id = users.id
			ORDER BY i.created_at DESC, i.id DESC LIMIT 1), '[]'),
		COALESCE((SELECT i.invited_by FROM invitations i WHERE i.tenant_id = users.tenant_id AND i.user_id = users.id
			ORDER BY i.created_at DESC, i.id DESC LIMIT 1), '')
		FROM users
		WHERE tenant_id = $1 AND user_type = 'Guest' AND last_successful_sign_in_at < $2
			AND (last_successful_sign_in_at > 0 OR created_at < $2)
			AND (last_successful_sign_in_at > $3 OR (last_successful_sign_in_at = $3 AND id > $4))
		ORDER BY last_successful_sign_in_at, id LIMIT $5`,
		tenantID, before, afterAt, after.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("list inactive guests: %w", err)
	}
	defer rows.Close()
	var out []inactive.Guest
	for rows.Next() {
		var g inactive.Guest
		var sponsors string
		if g.User, err = scanUser(rows, &sponsors, &g.InvitedBy); err != nil {
			return nil, fmt.Errorf("list inactive guests: %w", err)
		}
		if g.Sponsors, err = stringsFromJSON(sponsors); err != nil {
			return nil, fmt.Errorf("list inactive guests: sponsors: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list inactive guests: %w", err)
	}
	return out, nil
}
