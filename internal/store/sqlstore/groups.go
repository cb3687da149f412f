package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/store"
)

var _ groups.Store = (*DB)(nil)

const groupColumns = `tenant_id, id, display_name, description, mail_nickname, created_at, deleted_at`

// CreateGroup stores g; an id already taken is store.ErrAlreadyExists.
func (db *DB) CreateGroup(ctx context.Context, g groups.Group) error {
	_, err := db.exec(ctx, `INSERT INTO directory_groups (`+groupColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		g.TenantID, g.ID, g.DisplayName, g.Description, g.MailNickname, toDB(g.CreatedAt), toDB(g.DeletedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("create group: %w", store.ErrAlreadyExists)
	}
	if err != nil {
		return fmt.Errorf("create group: %w", err)
	}
	return nil
}

// GetGroup returns the tenant's live group id, or store.ErrNotFound.
func (db *DB) GetGroup(ctx context.Context, tenantID, id string) (groups.Group, error) {
	return db.oneGroup(ctx, "get group", `WHERE tenant_id = $1 AND id = $2 AND deleted_at = 0`, tenantID, id)
}

// GetDeletedGroup returns the tenant's deleted group id, or store.ErrNotFound.
func (db *DB) GetDeletedGroup(ctx context.Context, tenantID, id string) (groups.Group, error) {
	return db.oneGroup(ctx, "get deleted group", `WHERE tenant_id = $1 AND id = $2 AND deleted_at <> 0`, tenantID, id)
}

func (db *DB) oneGroup(ctx context.Context, what, where, tenantID, id string) (groups.Group, error) {
	gs, err := db.queryGroups(ctx, what, `SELECT `+groupColumns+` FROM directory_groups `+where, tenantID, id)
	if err != nil {
		return groups.Group{}, err
	}
	if len(gs) == 0 {
		return groups.Group{}, fmt.Errorf("%s %s: %w", what, id, store.ErrNotFound)
	}
	return gs[0], nil
}

// UpdateGroup replaces the names and description of the tenant's live group.
func (db *DB) UpdateGroup(ctx context.Context, g groups.Group) error {
	res, err := db.exec(ctx, `UPDATE directory_groups SET display_name = $3, description = $4, mail_nickname = $5
		WHERE tenant_id = $1 AND id = $2 AND deleted_at = 0`, g.TenantID, g.ID, g.DisplayName, g.Description, g.MailNickname)
	return affectedOne(res, err, "update group "+g.ID)
}

// ListGroups returns the tenant's live groups ordered by id, after afterID.
func (db *DB) ListGroups(ctx context.Context, tenantID, afterID string, limit int) ([]groups.Group, error) {
	return db.queryGroups(ctx, "list groups", `SELECT `+groupColumns+` FROM directory_groups
		WHERE tenant_id = $1 AND deleted_at = 0 AND id > $2 ORDER BY id LIMIT $3`, tenantID, afterID, pageLimit(limit))
}

// ListDeletedGroups returns the tenant's deleted groups ordered by id.
func (db *DB) ListDeletedGroups(ctx context.Context, tenantID, afterID string, limit int) ([]groups.Group, error) {
	return db.queryGroups(ctx, "list deleted groups", `SELECT `+groupColumns+` FROM directory_groups
		WHERE tenant_id = $1 AND deleted_at <> 0 AND id > $2 ORDER BY id LIMIT $3`, tenantID, afterID, pageLimit(limit))
}

// DeleteGroup soft-deletes the tenant's live group id; its memberships stay
// for a restore and are hidden while it is deleted.
func (db *DB) DeleteGroup(ctx context.Context, tenantID, id string, at time.Time) error {
	res, err := db.exec(ctx, `UPDATE directory_groups SET deleted_at = $3
		WHERE tenant_id = $1 AND id = $2 AND deleted_at = 0`, tenantID, id, toDB(at))
	return affectedOne(res, err, "delete group "+id)
}

// RestoreGroup makes the tenant's deleted group id live again.
func (db *DB) RestoreGroup(ctx context.Context, tenantID, id string) error {
	res, err := db.exec(ctx, `UPDATE directory_groups SET deleted_at = 0
		WHERE tenant_id = $1 AND id = $2 AND deleted_at <> 0`, tenantID, id)
	return affectedOne(res, err, "restore group "+id)
}

// PurgeGroup removes the tenant's deleted group id, its members, its
// memberships in other groups and its app role assignments.
func (db *DB) PurgeGroup(ctx context.Context, tenantID, id string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.GetDeletedGroup(ctx, tenantID, id); err != nil {
			return err
		}
		if _, err := db.exec(ctx, `DELETE FROM group_members WHERE tenant_id = $1 AND (group_id = $2 OR member_id = $2)`, tenantID, id); err != nil {
			return fmt.Errorf("purge group %s: %w", id, err)
		}
		if _, err := db.exec(ctx, `DELETE FROM app_role_assignments WHERE tenant_id = $1 AND principal_id = $2`, tenantID, id); err != nil {
			return fmt.Errorf("purge group %s: %w", id, err)
		}
		res, err := db.exec(ctx, `DELETE FROM directory_groups WHERE tenant_id = $1 AND id = $2 AND deleted_at <> 0`, tenantID, id)
		return affectedOne(res, err, "purge group "+id)
	})
}

// AddGroupMember stores m; a member already in the group is
// store.ErrAlreadyExists.
func (db *DB) AddGroupMember(ctx context.Context, m groups.Member) error {
	_, err := db.exec(ctx, `INSERT INTO group_members (tenant_id, group_id, member_id, member_type, created_at)
		VALUES ($1, $2, $3, $4, $5)`, m.TenantID, m.GroupID, m.MemberID, m.MemberType, toDB(m.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("add group member: %w", store.ErrAlreadyExists)
	}
	if err != nil {
		return fmt.Errorf("add group member: %w", err)
	}
	return nil
}

// RemoveGroupMember removes memberID from the tenant's group groupID.
func (db *DB) RemoveGroupMember(ctx context.Context, tenantID, groupID, memberID string) error {
	res, err := db.exec(ctx, `DELETE FROM group_members WHERE tenant_id = $1 AND group_id = $2 AND member_id = $3`,
		tenantID, groupID, memberID)
	return affectedOne(res, err, "remove group member "+memberID)
}

// ListGroupMembers returns the direct members of groupID that exist now:
// users not deleted and live groups, ordered by member id.
func (db *DB) ListGroupMembers(ctx context.Context, tenantID, groupID, afterID string, limit int) ([]groups.Member, error) {
	rows, err := db.query(ctx, `SELECT m.member_id, m.member_type, m.created_at FROM group_members m
		WHERE m.tenant_id = $1 AND m.group_id = $2 AND m.member_id > $3
		AND ((m.member_type = 'user' AND EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = m.tenant_id AND u.id = m.member_id))
		  OR (m.member_type = 'group' AND EXISTS (SELECT 1 FROM directory_groups g
		      WHERE g.tenant_id = m.tenant_id AND g.id = m.member_id AND g.deleted_at = 0)))
		ORDER BY m.member_id LIMIT $4`, tenantID, groupID, afterID, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("list group members: %w", err)
	}
	defer rows.Close()
	var out []groups.Member
	for rows.Next() {
		m := groups.Member{TenantID: tenantID, GroupID: groupID}
		var created int64
		if err := rows.Scan(&m.MemberID, &m.MemberType, &created); err != nil {
			return nil, fmt.Errorf("list group members: %w", err)
		}
		m.CreatedAt = fromDB(created)
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list group members: %w", err)
	}
	return out, nil
}

// ListMemberOf returns the live groups memberID is directly in, by id.
func (db *DB) ListMemberOf(ctx context.Context, tenantID, memberID, afterID string, limit int) ([]groups.Group, error) {
	return db.queryGroups(ctx, "list memberOf", `SELECT g.tenant_id, g.id, g.display_name, g.description, g.mail_nickname, g.created_at, g.deleted_at
		FROM group_members m JOIN directory_groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id
		WHERE m.tenant_id = $1 AND m.member_id = $2 AND g.deleted_at = 0 AND g.id > $3
		ORDER BY g.id LIMIT $4`, tenantID, memberID, afterID, pageLimit(limit))
}

func (db *DB) queryGroups(ctx context.Context, what, q string, args ...any) ([]groups.Group, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []groups.Group
	for rows.Next() {
		var g groups.Group
		var created, deleted int64
		if err := rows.Scan(&g.TenantID, &g.ID, &g.DisplayName, &g.Description, &g.MailNickname, &created, &deleted); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		g.CreatedAt, g.DeletedAt = fromDB(created), fromDB(deleted)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// affectedOne is affectedOrNotFound after an exec that may have failed.
func affectedOne(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return affectedOrNotFound(res, what)
}
