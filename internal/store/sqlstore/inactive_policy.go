package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/inactive"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
)

var _ inactivepolicy.Store = (*DB)(nil)

const inactivePolicyColumns = `tenant_id, days, warn_days, updated_at, set_by`

// GetInactivePolicy returns the tenant's policy, off when it has none.
func (db *DB) GetInactivePolicy(ctx context.Context, tenantID string) (inactivepolicy.Policy, error) {
	p, err := scanInactivePolicy(db.queryRow(ctx, `SELECT `+inactivePolicyColumns+`
		FROM inactive_guest_policies WHERE tenant_id = $1`, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return inactivepolicy.Policy{TenantID: tenantID}, nil
	}
	if err != nil {
		return inactivepolicy.Policy{}, fmt.Errorf("get inactive guest policy: %w", unavailable(err))
	}
	return p, nil
}

// PutInactivePolicy stores p (an upsert), due at once: the next run of any
// process applies it. The lease is left to its holder.
func (db *DB) PutInactivePolicy(ctx context.Context, p inactivepolicy.Policy) error {
	_, err := db.exec(ctx, `INSERT INTO inactive_guest_policies (`+inactivePolicyColumns+`, next_run_at, lease_owner, lease_until)
		VALUES ($1, $2, $3, $4, $5, 0, '', 0)
		ON CONFLICT (tenant_id) DO UPDATE SET days = excluded.days, warn_days = excluded.warn_days,
			updated_at = excluded.updated_at, set_by = excluded.set_by, next_run_at = 0`,
		p.TenantID, p.Days, p.WarnDays, toDB(p.UpdatedAt), p.SetBy)
	if err != nil {
		return fmt.Errorf("put inactive guest policy: %w", err)
	}
	return nil
}

// DueInactivePolicies lists the policies that are on, due and unleased at
// now, across tenants, longest due first.
func (db *DB) DueInactivePolicies(ctx context.Context, now time.Time, limit int) ([]inactivepolicy.Policy, error) {
	rows, err := db.query(ctx, `SELECT `+inactivePolicyColumns+` FROM inactive_guest_policies
		WHERE days > 0 AND next_run_at <= $1 AND lease_until <= $1 ORDER BY next_run_at, tenant_id LIMIT $2`, toDB(now), limit)
	if err != nil {
		return nil, fmt.Errorf("due inactive guest policies: %w", err)
	}
	defer rows.Close()
	var out []inactivepolicy.Policy
	for rows.Next() {
		p, err := scanInactivePolicy(rows)
		if err != nil {
			return nil, fmt.Errorf("scan inactive guest policy: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("due inactive guest policies: %w", unavailable(err))
	}
	return out, nil
}

func scanInactivePolicy(row interface{ Scan(...any) error }) (inactivepolicy.Policy, error) {
	var (
		p       inactivepolicy.Policy
		updated int64
	)
	if err := row.Scan(&p.TenantID, &p.Days, &p.WarnDays, &updated, &p.SetBy); err != nil {
		return inactivepolicy.Policy{}, err
	}
	p.UpdatedAt = fromDB(updated)
	return p, nil
}

// LeaseInactivePolicy gives the tenant's run to owner until until: the
// conditional update locks the row until the transaction ends, so a
// concurrent lease of another runner waits, then finds the lease taken.
func (db *DB) LeaseInactivePolicy(ctx context.Context, tenantID, owner string, now, until time.Time) error {
	res, err := db.exec(ctx, `UPDATE inactive_guest_policies SET lease_owner = $2, lease_until = $4
		WHERE tenant_id = $1 AND days > 0 AND (lease_owner = $2 OR lease_until <= $3)`,
		tenantID, owner, toDB(now), toDB(until))
	if err != nil {
		return fmt.Errorf("lease inactive guest policy: %w", err)
	}
	return oneRow(res, "lease inactive guest policy of "+tenantID)
}

// FinishInactivePolicyRun ends owner's lease and schedules the next run.
func (db *DB) FinishInactivePolicyRun(ctx context.Context, tenantID, owner string, next time.Time) error {
	res, err := db.exec(ctx, `UPDATE inactive_guest_policies SET lease_owner = '', lease_until = 0, next_run_at = $3
		WHERE tenant_id = $1 AND lease_owner = $2`, tenantID, owner, toDB(next))
	if err != nil {
		return fmt.Errorf("finish inactive guest policy run: %w", err)
	}
	return oneRow(res, "finish inactive guest policy run of "+tenantID)
}

// ListInactiveCandidates lists the tenant's enabled guests inactive since
// cutoff with their warnings, on the partial index of migration 0024 (as
// ListInactiveGuests, which it follows).
func (db *DB) ListInactiveCandidates(ctx context.Context, tenantID string, cutoff time.Time, after inactive.Cursor, limit int) ([]inactivepolicy.Candidate, error) {
	if limit <= 0 || limit > inactive.MaxPage {
		limit = inactive.MaxPage
	}
	before, afterAt := toDB(cutoff), toDB(after.LastSuccessfulSignIn)
	rows, err := db.query(ctx, `SELECT `+userColumns+`,
		COALESCE((SELECT i.sponsors FROM invitations i WHERE i.tenant_id = users.tenant_id AND i.user_id = users.id
			ORDER BY i.created_at DESC, i.id DESC LIMIT 1), '[]'),
		COALESCE((SELECT i.invited_by FROM invitations i WHERE i.tenant_id = users.tenant_id AND i.user_id = users.id
			ORDER BY i.created_at DESC, i.id DESC LIMIT 1), ''),
		COALESCE((SELECT w.warned_at FROM inactive_guest_warnings w WHERE w.tenant_id = users.tenant_id AND w.user_id = users.id), 0)
		FROM users
		WHERE tenant_id = $1 AND user_type = 'Guest' AND account_enabled = TRUE AND last_successful_sign_in_at < $2
			AND (last_successful_sign_in_at > 0 OR created_at < $2)
			AND (last_successful_sign_in_at > $3 OR (last_successful_sign_in_at = $3 AND id > $4))
		ORDER BY last_successful_sign_in_at, id LIMIT $5`,
		tenantID, before, afterAt, after.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("list inactive candidates: %w", err)
	}
	defer rows.Close()
	var out []inactivepolicy.Candidate
	for rows.Next() {
		var (
			c        inactivepolicy.Candidate
			sponsors string
			warned   int64
		)
		if c.User, err = scanUser(rows, &sponsors, &c.InvitedBy, &warned); err != nil {
			return nil, fmt.Errorf("list inactive candidates: %w", err)
		}
		if c.Sponsors, err = stringsFromJSON(sponsors); err != nil {
			return nil, fmt.Errorf("list inactive candidates: sponsors: %w", err)
		}
		c.WarnedAt = fromDB(warned)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list inactive candidates: %w", unavailable(err))
	}
	return out, nil
}

// RecordInactiveWarning records the guest's warning at at (an upsert).
func (db *DB) RecordInactiveWarning(ctx context.Context, tenantID, userID string, at time.Time) error {
	_, err := db.exec(ctx, `INSERT INTO inactive_guest_warnings (tenant_id, user_id, warned_at) VALUES ($1, $2, $3)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET warned_at = excluded.warned_at`, tenantID, userID, toDB(at))
	if err != nil {
		return fmt.Errorf("record inactive guest warning: %w", err)
	}
	return nil
}

// ClearInactiveWarning forgets the guest's warning.
func (db *DB) ClearInactiveWarning(ctx context.Context, tenantID, userID string) error {
	if _, err := db.exec(ctx, `DELETE FROM inactive_guest_warnings WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID); err != nil {
		return fmt.Errorf("clear inactive guest warning: %w", err)
	}
	return nil
}
