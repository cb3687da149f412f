package sqlstore

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/store"
)

// appRoleAssignmentSelect reads assignments whose principal exists (a
// user not deleted, a live group), with the names Graph shows with them,
// in the order queryAppRoleAssignments reads them.
const appRoleAssignmentSelect = `SELECT r.tenant_id, r.id, r.app_id, r.principal_type, r.principal_id, r.app_role_id, r.created_at,
	COALESCE(u.display_name, g.display_name, ''), a.display_name, s.service_principal_id
	FROM app_role_assignments r
	JOIN apps a ON a.tenant_id = r.tenant_id AND a.app_id = r.app_id
	JOIN app_assignment_settings s ON s.tenant_id = r.tenant_id AND s.app_id = r.app_id
	LEFT JOIN users u ON r.principal_type = 'User' AND u.tenant_id = r.tenant_id AND u.id = r.principal_id
	LEFT JOIN directory_groups g ON r.principal_type = 'Group' AND g.tenant_id = r.tenant_id AND g.id = r.principal_id AND g.deleted_at = 0
	WHERE (u.id IS NOT NULL OR g.id IS NOT NULL) AND r.tenant_id = $1 `

// CreateAppRoleAssignment stores a; a principal holding the role on the
// app already is store.ErrAlreadyExists.
func (db *DB) CreateAppRoleAssignment(ctx context.Context, a assignment.Assignment) error {
	_, err := db.exec(ctx, `INSERT INTO app_role_assignments (tenant_id, id, app_id, principal_type, principal_id, app_role_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.TenantID, a.ID, a.AppID, a.PrincipalType, a.PrincipalID, a.AppRoleID, toDB(a.CreatedAt))
	if err != nil && isForeignKeyViolation(err) {
		return fmt.Errorf("create app role assignment: no such app: %w", store.ErrNotFound)
	}
	if err != nil {
		return uniqueOr(err, "create app role assignment")
	}
	return nil
}

// GetAppRoleAssignment returns the tenant's assignment id whose principal
// exists.
func (db *DB) GetAppRoleAssignment(ctx context.Context, tenantID, id string) (assignment.Assignment, error) {
	as, err := db.queryAppRoleAssignments(ctx, "get app role assignment", appRoleAssignmentSelect+`AND r.id = $2`, tenantID, id)
	if err != nil {
		return assignment.Assignment{}, err
	}
	if len(as) == 0 {
		return assignment.Assignment{}, fmt.Errorf("get app role assignment %s: %w", id, store.ErrNotFound)
	}
	return as[0], nil
}

// DeleteAppRoleAssignment removes the tenant's assignment id.
func (db *DB) DeleteAppRoleAssignment(ctx context.Context, tenantID, id string) error {
	res, err := db.exec(ctx, `DELETE FROM app_role_assignments WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	return affectedOne(res, err, "delete app role assignment "+id)
}

// ListAppRoleAssignments returns appID's assignments whose principal
// exists, ordered by id.
func (db *DB) ListAppRoleAssignments(ctx context.Context, tenantID, appID, afterID string, limit int) ([]assignment.Assignment, error) {
	return db.queryAppRoleAssignments(ctx, "list app role assignments", appRoleAssignmentSelect+
		`AND r.app_id = $2 AND r.id > $3 ORDER BY r.id LIMIT $4`, tenantID, appID, afterID, pageLimit(limit))
}

// ListPrincipalAppRoleAssignments returns the assignments made to
// principalID itself and, with viaGroups, to the live groups it is a
// direct member of (Graph lists those with a user's), ordered by id.
func (db *DB) ListPrincipalAppRoleAssignments(ctx context.Context, tenantID, principalID string, viaGroups bool, afterID string, limit int) ([]assignment.Assignment, error) {
	return db.queryAppRoleAssignments(ctx, "list principal app role assignments", appRoleAssignmentSelect+
		`AND (r.principal_id = $2 OR ($5 AND r.principal_type = 'Group' AND r.principal_id IN (
			SELECT m.group_id FROM group_members m WHERE m.tenant_id = $1 AND m.member_id = $2)))
		AND r.id > $3 ORDER BY r.id LIMIT $4`, tenantID, principalID, afterID, pageLimit(limit), viaGroups)
}

func (db *DB) queryAppRoleAssignments(ctx context.Context, what, q string, args ...any) ([]assignment.Assignment, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []assignment.Assignment
	for rows.Next() {
		var (
			a       assignment.Assignment
			created int64
		)
		if err := rows.Scan(&a.TenantID, &a.ID, &a.AppID, &a.PrincipalType, &a.PrincipalID, &a.AppRoleID, &created,
			&a.PrincipalDisplayName, &a.ResourceDisplayName, &a.ServicePrincipalID); err != nil {
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
