package sqlstore

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
)

// The console's Overview reads these (console.Stats; the server passes
// the store there, which checks that it has them).

// CountGuestsByIdPAndState counts the tenant's guests by identity provider
// and by state (the console's Overview), in one grouped read.
func (db *DB) CountGuestsByIdPAndState(ctx context.Context, tenantID string) (map[directory.IdP]int, map[directory.ExternalUserState]int, error) {
	rows, err := db.query(ctx, `SELECT idp, external_user_state, COUNT(*) FROM users
		WHERE tenant_id = $1 AND user_type = 'Guest' GROUP BY idp, external_user_state`, tenantID)
	if err != nil {
		return nil, nil, fmt.Errorf("count guests: %w", err)
	}
	defer rows.Close()
	byIdP, byState := map[directory.IdP]int{}, map[directory.ExternalUserState]int{}
	for rows.Next() {
		var (
			idp, state string
			n          int
		)
		if err := rows.Scan(&idp, &state, &n); err != nil {
			return nil, nil, fmt.Errorf("count guests: %w", err)
		}
		byIdP[directory.IdP(idp)] += n
		byState[directory.ExternalUserState(state)] += n
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("count guests: %w", err)
	}
	return byIdP, byState, nil
}

// OutboxCounts counts the tenant's mail waiting to be sent and given up.
func (db *DB) OutboxCounts(ctx context.Context, tenantID string) (int, int, error) {
	var waiting, failed int
	err := db.queryRow(ctx, `SELECT
		COALESCE(SUM(CASE WHEN next_attempt_at > 0 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN next_attempt_at = 0 AND sent_at = 0 THEN 1 ELSE 0 END), 0)
		FROM outbox WHERE tenant_id = $1`, tenantID).Scan(&waiting, &failed)
	if err != nil {
		return 0, 0, fmt.Errorf("count outbox: %w", err)
	}
	return waiting, failed, nil
}

// LatestInvitation returns the user's newest invitation, or store.ErrNotFound.
func (db *DB) LatestInvitation(ctx context.Context, tenantID, userID string) (invitation.Invitation, error) {
	row := db.queryRow(ctx, `SELECT `+invitationColumns+` FROM invitations
		WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1`, tenantID, userID)
	inv, err := scanInvitation(row)
	if err != nil {
		return inv, notFound(err, "latest invitation")
	}
	return inv, nil
}
