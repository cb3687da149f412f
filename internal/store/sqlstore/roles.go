package sqlstore

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

var (
	_ roles.Store      = (*DB)(nil)
	_ roles.GuardStore = (*DB)(nil)
)

// CreateRoleAssignment stores a; a role the principal already holds is
// store.ErrAlreadyExists.
func (db *DB) CreateRoleAssignment(ctx context.Context, a roles.Assignment) error {
	_, err := db.exec(ctx, `INSERT INTO role_assignments (tenant_id, id, principal_id, role_definition_id, directory_scope_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		a.TenantID, a.ID, a.PrincipalID, a.RoleDefinitionID, a.DirectoryScopeID, toDB(a.CreatedAt))
	if isUniqueViolation(err) {
		return fmt.Errorf("create role assignment: %w", store.ErrAlreadyExists)
	}
	if err != nil {
		return fmt.Errorf("create role assignment: %w", err)
	}
	return nil
}

// ListRoleAssignments returns the tenant's assignments (of principalID
// when set), oldest first.
func (db *DB) ListRoleAssignments(ctx context.Context, tenantID, principalID string) ([]roles.Assignment, error) {
	return db.scanRoleAssignments(ctx, "list role assignments", tenantID, `SELECT id, principal_id, role_definition_id, directory_scope_id, created_at
		FROM role_assignments WHERE tenant_id = $1 AND ($2 = '' OR principal_id = $2)
		ORDER BY created_at, id`, tenantID, principalID)
}

func (db *DB) scanRoleAssignments(ctx context.Context, what, tenantID, q string, args ...any) ([]roles.Assignment, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []roles.Assignment
	for rows.Next() {
		a := roles.Assignment{TenantID: tenantID}
		var created int64
		if err := rows.Scan(&a.ID, &a.PrincipalID, &a.RoleDefinitionID, &a.DirectoryScopeID, &created); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		a.CreatedAt = fromDB(created)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// LockRoleAssignments returns the tenant's assignments of roleID, oldest
// first, locked until the transaction ends (FOR UPDATE on PostgreSQL;
// SQLite's write transactions are exclusive already).
func (db *DB) LockRoleAssignments(ctx context.Context, tenantID, roleID string) ([]roles.Assignment, error) {
	return db.scanRoleAssignments(ctx, "lock role assignments", tenantID, `SELECT id, principal_id, role_definition_id, directory_scope_id, created_at
		FROM role_assignments WHERE tenant_id = $1 AND role_definition_id = $2
		ORDER BY created_at, id`+db.d.forUpdate, tenantID, roleID)
}
