package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

var (
	_ directory.LifecycleStore = (*DB)(nil)
	_ directory.AccessStore    = (*DB)(nil)
)

// SetTokensValidAfter moves the user's tokens_valid_after to at, never back.
// store.ErrNotFound if the tenant has no such user.
func (db *DB) SetTokensValidAfter(ctx context.Context, tenantID, userID string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("set tokens valid after: %w", errZeroTime)
	}
	res, err := db.exec(ctx, `UPDATE users SET tokens_valid_after = CASE WHEN tokens_valid_after < $3 THEN $3 ELSE tokens_valid_after END
		WHERE tenant_id = $1 AND id = $2`, tenantID, userID, toDB(at))
	if err != nil {
		return fmt.Errorf("set tokens valid after: %w", err)
	}
	return affectedOrNotFound(res, "set tokens valid after")
}

// DeleteUser moves the user's row, with a member's password hash, to
// deleted_users in one transaction; every query over users then simply no
// longer finds it. store.ErrNotFound if the tenant has no such user.
func (db *DB) DeleteUser(ctx context.Context, tenantID, id string, at time.Time) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		res, err := db.exec(ctx, `INSERT INTO deleted_users (`+userColumns+`, mail_lower, password_hash, deleted_at)
			SELECT `+userColumns+`, mail_lower,
				COALESCE((SELECT hash FROM member_passwords p WHERE p.tenant_id = u.tenant_id AND p.user_id = u.id), ''),
				CAST($3 AS BIGINT)
			FROM users u WHERE tenant_id = $1 AND id = $2`, tenantID, id, toDB(at))
		if err != nil {
			return uniqueOr(err, "delete user")
		}
		if err := affectedOrNotFound(res, "delete user"); err != nil {
			return err
		}
		// member_passwords rows go with the user (ON DELETE CASCADE).
		if _, err := db.exec(ctx, `DELETE FROM users WHERE tenant_id = $1 AND id = $2`, tenantID, id); err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		return nil
	})
}

// GetDeletedUser returns the tenant's deleted user with that id, or store.ErrNotFound.
func (db *DB) GetDeletedUser(ctx context.Context, tenantID, id string) (directory.DeletedUser, error) {
	row := db.queryRow(ctx, `SELECT `+userColumns+`, deleted_at FROM deleted_users WHERE tenant_id = $1 AND id = $2`,
		tenantID, id)
	d, err := scanDeletedUser(row)
	if err != nil {
		return d, notFound(err, "get deleted user")
	}
	return d, nil
}

// ListDeletedUsers returns the tenant's deleted users ordered by id, after
// afterID, at most limit (limit <= 0: all of them).
func (db *DB) ListDeletedUsers(ctx context.Context, tenantID, afterID string, limit int) ([]directory.DeletedUser, error) {
	return db.queryDeletedUsers(ctx, "list deleted users", `SELECT `+userColumns+`, deleted_at FROM deleted_users
		WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, afterID, pageLimit(limit))
}

// QueryDeletedUsers returns one page of the tenant's deleted users in q's
// order (by deletion time then id, or by id), after q's last row.
func (db *DB) QueryDeletedUsers(ctx context.Context, tenantID string, q directory.DeletedQuery) ([]directory.DeletedUser, error) {
	cmp, dir := ">", ""
	if q.Desc {
		cmp, dir = "<", " DESC"
	}
	where, args := `tenant_id = $1`, []any{tenantID}
	order := `id` + dir
	if q.ByDeletedAt {
		order = `deleted_at` + dir + `, id` + dir
		if q.AfterID != "" {
			where += ` AND (deleted_at ` + cmp + ` $2 OR (deleted_at = $2 AND id ` + cmp + ` $3))`
			args = append(args, toDB(q.AfterDeletedAt), q.AfterID)
		}
	} else if q.AfterID != "" {
		where += ` AND id ` + cmp + ` $2`
		args = append(args, q.AfterID)
	}
	args = append(args, pageLimit(q.Limit))
	return db.queryDeletedUsers(ctx, "query deleted users", `SELECT `+userColumns+`, deleted_at FROM deleted_users
		WHERE `+where+` ORDER BY `+order+` LIMIT $`+strconv.Itoa(len(args)), args...)
}

// CountDeletedUsers counts the tenant's deleted users.
func (db *DB) CountDeletedUsers(ctx context.Context, tenantID string) (int, error) {
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM deleted_users WHERE tenant_id = $1`, tenantID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count deleted users: %w", unavailable(err))
	}
	return n, nil
}

// ListDeletedUsersBefore returns the deleted users of every tenant deleted
// before before, oldest first, at most limit (limit <= 0: all of them).
func (db *DB) ListDeletedUsersBefore(ctx context.Context, before time.Time, limit int) ([]directory.DeletedUser, error) {
	return db.queryDeletedUsers(ctx, "list deleted users before", `SELECT `+userColumns+`, deleted_at FROM deleted_users
		WHERE deleted_at < $1 ORDER BY deleted_at, tenant_id, id LIMIT $2`, toDB(before), pageLimit(limit))
}

func (db *DB) queryDeletedUsers(ctx context.Context, what, q string, args ...any) ([]directory.DeletedUser, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []directory.DeletedUser
	for rows.Next() {
		d, err := scanDeletedUser(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// RestoreUser moves a deleted user back to users, with its password, and
// returns it. An address another user of the tenant took meanwhile is
// store.ErrAlreadyExists (nothing changes); an unknown deleted user is
// store.ErrNotFound.
func (db *DB) RestoreUser(ctx context.Context, tenantID, id string) (directory.User, error) {
	var u directory.User
	err := db.InTx(ctx, func(ctx context.Context) error {
		var hash string
		row := db.queryRow(ctx, `SELECT `+userColumns+`, password_hash FROM deleted_users
			WHERE tenant_id = $1 AND id = $2`+db.d.forUpdate, tenantID, id)
		var err error
		if u, err = scanUser(row, &hash); err != nil {
			return notFound(err, "restore user")
		}
		if _, err := db.exec(ctx, `INSERT INTO users (`+userColumns+`, mail_lower)
			SELECT `+userColumns+`, mail_lower FROM deleted_users WHERE tenant_id = $1 AND id = $2`, tenantID, id); err != nil {
			return uniqueOr(err, "restore user")
		}
		if hash != "" {
			// The hash's own change time is not kept while deleted.
			if err := db.SetPassword(ctx, tenantID, id, hash, u.CreatedAt); err != nil {
				return fmt.Errorf("restore user: password: %w", err)
			}
		}
		if _, err := db.exec(ctx, `DELETE FROM deleted_users WHERE tenant_id = $1 AND id = $2`, tenantID, id); err != nil {
			return fmt.Errorf("restore user: %w", err)
		}
		return nil
	})
	if err != nil {
		return directory.User{}, err
	}
	return u, nil
}

// PurgeDeletedUser deletes a deleted user for good, with its invitations,
// sessions, refresh tokens, app role assignments, group memberships and
// inactivity warning, in one transaction. store.ErrNotFound if the
// tenant has no such deleted user.
func (db *DB) PurgeDeletedUser(ctx context.Context, tenantID, id string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		res, err := db.exec(ctx, `DELETE FROM deleted_users WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		if err != nil {
			return fmt.Errorf("purge user: %w", err)
		}
		if err := affectedOrNotFound(res, "purge user"); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM invitations WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM oidc_refresh_tokens WHERE tenant_id = $1 AND user_id = $2`,
			`DELETE FROM app_role_assignments WHERE tenant_id = $1 AND principal_id = $2`,
			`DELETE FROM inactive_guest_warnings WHERE tenant_id = $1 AND user_id = $2`,
			// Its group memberships: kept while it is deleted, so a restore
			// brings them back, but nothing to bring back after a purge.
			`DELETE FROM group_members WHERE tenant_id = $1 AND member_id = $2 AND member_type = 'user'`,
		} {
			if _, err := db.exec(ctx, q, tenantID, id); err != nil {
				return fmt.Errorf("purge user: %w", err)
			}
		}
		return nil
	})
}

// scanDeletedUser reads one row of userColumns and deleted_at.
func scanDeletedUser(row interface{ Scan(...any) error }) (directory.DeletedUser, error) {
	var deletedAt int64
	u, err := scanUser(row, &deletedAt)
	if err != nil {
		return directory.DeletedUser{}, err
	}
	return directory.DeletedUser{User: u, DeletedAt: fromDB(deletedAt)}, nil
}
