package sqlstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/store"
)

// accessQuery reads everything Access needs in one statement, as rows of
// three kinds:
//   - 'app': the app's settings (required, groups claim, roles), present
//     only when both the app and the user exist;
//   - 'role': each role id assigned to the user directly, or to a live
//     group the user is a direct member of (Entra assigns a group's direct
//     members only);
//   - 'group': the live groups the user is in at any depth (a recursive
//     walk up group_members), only when the app asked for the groups
//     claim, at most GroupsOverage+1 of them (more is an overage anyway).
//
// member_of walks only live groups: a deleted group, and every group
// reached only through it, counts for nothing until restored. Each step
// starts from the groups found so far (group_members by member, then the
// group by its key), never from the tenant's groups.
var accessQuery = `WITH RECURSIVE member_of (id) AS (
		SELECT m.group_id FROM group_members m
		JOIN directory_groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id AND g.deleted_at = 0
		WHERE m.tenant_id = $1 AND m.member_id = $3
	UNION
		SELECT m.group_id FROM member_of p
		JOIN group_members m ON m.tenant_id = $1 AND m.member_id = p.id
		WHERE EXISTS (SELECT 1 FROM directory_groups g WHERE g.tenant_id = $1 AND g.id = m.group_id AND g.deleted_at = 0)
	),
	app AS (
		SELECT s.assignment_required, s.group_membership_claims, s.app_roles FROM app_assignment_settings s
		WHERE s.tenant_id = $1 AND s.app_id = $2
		AND EXISTS (SELECT 1 FROM users u WHERE u.tenant_id = $1 AND u.id = $3)
	)
	SELECT 'app', app.app_roles, app.assignment_required, app.group_membership_claims FROM app
	UNION ALL
	SELECT 'role', x.app_role_id, FALSE, '' FROM (
		SELECT DISTINCT r.app_role_id FROM app_role_assignments r
		WHERE r.tenant_id = $1 AND r.app_id = $2 AND (
			(r.principal_type = 'User' AND r.principal_id = $3)
			OR (r.principal_type = 'Group' AND r.principal_id IN (
				SELECT m.group_id FROM group_members m
				JOIN directory_groups g ON g.tenant_id = m.tenant_id AND g.id = m.group_id AND g.deleted_at = 0
				WHERE m.tenant_id = $1 AND m.member_id = $3)))
		ORDER BY r.app_role_id LIMIT ` + strconv.Itoa(assignment.MaxAppRoles+1) + `
	) x
	UNION ALL
	SELECT 'group', y.id, FALSE, '' FROM (
		SELECT id FROM member_of ORDER BY id LIMIT ` + strconv.Itoa(assignment.GroupsOverage+1) + `
	) y WHERE EXISTS (SELECT 1 FROM app WHERE app.group_membership_claims <> 'None')`

// ReadAccess reads the facts of Access for userID and appID in one
// statement; store.ErrNotFound when the tenant has no such app or user.
// Outside a transaction a request reads them once (store.WithRequestMemo):
// the token endpoint both checks the user's access and puts the roles and
// groups claims in, from the same facts. No request changes assignments
// and then reads access, so nothing drops the memo.
func (db *DB) ReadAccess(ctx context.Context, tenantID, appID, userID string) (assignment.Facts, error) {
	m := db.requestMemo(ctx)
	key := "access/" + tenantID + "/" + appID + "/" + userID
	if v, ok := m.Get(key); ok {
		return v.(assignment.Facts), nil
	}
	f, err := db.readAccess(ctx, tenantID, appID, userID)
	if err == nil {
		m.Put(key, f)
	}
	return f, err
}

func (db *DB) readAccess(ctx context.Context, tenantID, appID, userID string) (assignment.Facts, error) {
	rows, err := db.query(ctx, accessQuery, tenantID, appID, userID)
	if err != nil {
		return assignment.Facts{}, fmt.Errorf("read access: %w", err)
	}
	defer rows.Close()
	var (
		f     assignment.Facts
		found bool
	)
	for rows.Next() {
		var (
			kind, value, claims string
			required            bool
		)
		if err := rows.Scan(&kind, &value, &required, &claims); err != nil {
			return assignment.Facts{}, fmt.Errorf("read access: %w", err)
		}
		switch kind {
		case "app":
			found = true
			f.App = assignment.App{TenantID: tenantID, AppID: appID, AssignmentRequired: required, GroupMembershipClaims: claims}
			if f.App.AppRoles, err = rolesFromJSON(value); err != nil {
				return assignment.Facts{}, fmt.Errorf("read access: %w", err)
			}
		case "role":
			f.Assigned = true
			f.RoleIDs = append(f.RoleIDs, value)
		case "group":
			f.Groups = append(f.Groups, value)
		}
	}
	if err := rows.Err(); err != nil {
		return assignment.Facts{}, fmt.Errorf("read access: %w", err)
	}
	if !found {
		return assignment.Facts{}, fmt.Errorf("read access: app %s or user %s: %w", appID, userID, store.ErrNotFound)
	}
	return f, nil
}
