package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/store"
)

var _ member.Store = (*DB)(nil)

// SetPassword stores hash as the user's password, replacing any (one
// upsert). A user the tenant does not have is store.ErrNotFound.
func (db *DB) SetPassword(ctx context.Context, tenantID, userID, hash string, at time.Time) error {
	if hash == "" {
		return fmt.Errorf("set password: %w", errEmptyHash)
	}
	_, err := db.exec(ctx, `INSERT INTO member_passwords (tenant_id, user_id, hash, updated_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET hash = excluded.hash, updated_at = excluded.updated_at`,
		tenantID, userID, hash, toDB(at))
	if isForeignKeyViolation(err) {
		return fmt.Errorf("set password: user %s: %w", userID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return nil
}

// GetPassword returns the user's password hash, or store.ErrNotFound.
func (db *DB) GetPassword(ctx context.Context, tenantID, userID string) (string, error) {
	var hash string
	err := db.queryRow(ctx, `SELECT hash FROM member_passwords WHERE tenant_id = $1 AND user_id = $2`,
		tenantID, userID).Scan(&hash)
	if err != nil {
		return "", notFound(err, "get password")
	}
	return hash, nil
}

// GetPasswordFailures returns the counters of keys that have one, in one read.
func (db *DB) GetPasswordFailures(ctx context.Context, tenantID string, keys []string) (map[string]member.Failures, error) {
	out := make(map[string]member.Failures, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	args := []any{tenantID}
	marks := make([]string, len(keys))
	for i, k := range keys {
		args = append(args, k)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	rows, err := db.query(ctx, `SELECT key, window_start, count FROM password_failures
		WHERE tenant_id = $1 AND key IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("get password failures: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			key   string
			start int64
			f     member.Failures
		)
		if err := rows.Scan(&key, &start, &f.Count); err != nil {
			return nil, fmt.Errorf("get password failures: %w", err)
		}
		f.WindowStart = fromDB(start)
		out[key] = f
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("get password failures: %w", err)
	}
	return out, nil
}

// AddPasswordFailure counts one failure for key in a single upsert: the
// first failure inserts {now, 1}; later ones add one, unless the counter's
// window opened at or before staleBefore, which restarts it at {now, 1}.
// The row lock of the upsert serializes concurrent callers of one key, in
// any process, so none is lost.
func (db *DB) AddPasswordFailure(ctx context.Context, tenantID, key string, now, staleBefore time.Time) (member.Failures, error) {
	if now.IsZero() {
		return member.Failures{}, fmt.Errorf("record password failure: now: %w", errZeroTime)
	}
	var (
		f     member.Failures
		start int64
	)
	err := db.queryRowWrite(ctx, `INSERT INTO password_failures (tenant_id, key, window_start, count)
		VALUES ($1, $2, $3, 1)
		ON CONFLICT (tenant_id, key) DO UPDATE SET
			window_start = CASE WHEN password_failures.window_start <= $4 THEN excluded.window_start ELSE password_failures.window_start END,
			count = CASE WHEN password_failures.window_start <= $4 THEN 1 ELSE password_failures.count + 1 END
		RETURNING window_start, count`,
		tenantID, key, toDB(now), toDB(staleBefore)).Scan(&start, &f.Count)
	if err != nil {
		return member.Failures{}, fmt.Errorf("record password failure: %w", err)
	}
	f.WindowStart = fromDB(start)
	return f, nil
}

// ClearPasswordFailures deletes key's counter.
func (db *DB) ClearPasswordFailures(ctx context.Context, tenantID, key string) error {
	if _, err := db.exec(ctx, `DELETE FROM password_failures WHERE tenant_id = $1 AND key = $2`, tenantID, key); err != nil {
		return fmt.Errorf("clear password failures: %w", err)
	}
	return nil
}
