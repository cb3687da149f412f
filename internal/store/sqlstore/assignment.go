package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/store"
)

var _ assignment.Store = (*DB)(nil)

// assignmentAppSelect reads an app with its assignment settings, in the
// order scanAssignmentApp reads them.
const assignmentAppSelect = `SELECT a.tenant_id, a.app_id, s.application_object_id, s.service_principal_id,
	a.display_name, a.created_at, s.assignment_required, s.group_membership_claims, s.app_roles
	FROM apps a JOIN app_assignment_settings s ON s.tenant_id = a.tenant_id AND s.app_id = a.app_id `

// createAssignmentSettings gives a new app its row of settings: the object
// ids of its application and service principal, nothing required, no
// roles, no groups claim.
func (db *DB) createAssignmentSettings(ctx context.Context, tenantID, appID string) error {
	_, err := db.exec(ctx, `INSERT INTO app_assignment_settings (tenant_id, app_id, application_object_id, service_principal_id)
		VALUES ($1, $2, $3, $4)`, tenantID, appID, uuid.NewString(), uuid.NewString())
	if err != nil {
		return uniqueOr(err, "create app settings")
	}
	return nil
}

// GetAssignmentApp returns the tenant's app appID with its settings.
func (db *DB) GetAssignmentApp(ctx context.Context, tenantID, appID string) (assignment.App, error) {
	return db.oneAssignmentApp(ctx, "get app settings", `WHERE a.tenant_id = $1 AND a.app_id = $2`, tenantID, appID)
}

// GetAssignmentAppByObjectID returns the tenant's app whose service
// principal or application object has id objectID.
func (db *DB) GetAssignmentAppByObjectID(ctx context.Context, tenantID, objectID string) (assignment.App, error) {
	return db.oneAssignmentApp(ctx, "get app by object id",
		`WHERE s.tenant_id = $1 AND (s.service_principal_id = $2 OR s.application_object_id = $2)`, tenantID, objectID)
}

func (db *DB) oneAssignmentApp(ctx context.Context, what, where, tenantID, id string) (assignment.App, error) {
	as, err := db.queryAssignmentApps(ctx, what, assignmentAppSelect+where, tenantID, id)
	if err != nil {
		return assignment.App{}, err
	}
	if len(as) == 0 {
		return assignment.App{}, fmt.Errorf("%s %s: %w", what, id, store.ErrNotFound)
	}
	return as[0], nil
}

// ListAssignmentApps returns the tenant's apps ordered by app id.
func (db *DB) ListAssignmentApps(ctx context.Context, tenantID, afterAppID string, limit int) ([]assignment.App, error) {
	return db.queryAssignmentApps(ctx, "list app settings", assignmentAppSelect+
		`WHERE a.tenant_id = $1 AND a.app_id > $2 ORDER BY a.app_id LIMIT $3`, tenantID, afterAppID, pageLimit(limit))
}

// UpdateAssignmentApp stores a's settings.
func (db *DB) UpdateAssignmentApp(ctx context.Context, a assignment.App) error {
	roles, err := json.Marshal(nonNilRoles(a.AppRoles))
	if err != nil {
		return fmt.Errorf("update app settings: %w", err)
	}
	claims := a.GroupMembershipClaims
	if claims == "" {
		claims = assignment.ClaimsNone
	}
	res, err := db.exec(ctx, `UPDATE app_assignment_settings SET assignment_required = $3, group_membership_claims = $4, app_roles = $5
		WHERE tenant_id = $1 AND app_id = $2`, a.TenantID, a.AppID, a.AssignmentRequired, claims, string(roles))
	return affectedOne(res, err, "update app settings "+a.AppID)
}

func nonNilRoles(rs []assignment.AppRole) []assignment.AppRole {
	if rs == nil {
		return []assignment.AppRole{}
	}
	return rs
}

func (db *DB) queryAssignmentApps(ctx context.Context, what, q string, args ...any) ([]assignment.App, error) {
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []assignment.App
	for rows.Next() {
		var (
			a       assignment.App
			created int64
			roles   string
		)
		if err := rows.Scan(&a.TenantID, &a.AppID, &a.ApplicationID, &a.ServicePrincipalID, &a.DisplayName, &created,
			&a.AssignmentRequired, &a.GroupMembershipClaims, &roles); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		a.CreatedAt = fromDB(created)
		if a.AppRoles, err = rolesFromJSON(roles); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func rolesFromJSON(s string) ([]assignment.AppRole, error) {
	if s == "" || s == "[]" {
		return nil, nil
	}
	var rs []assignment.AppRole
	if err := json.Unmarshal([]byte(s), &rs); err != nil {
		return nil, fmt.Errorf("app roles: %w", err)
	}
	return rs, nil
}
