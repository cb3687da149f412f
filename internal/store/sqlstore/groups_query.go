package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/groups"
)

// groupFieldColumns are the columns a groups.Clause compares, lower-cased
// (Graph compares group names ignoring case).
var groupFieldColumns = map[string]string{
	groups.FieldID:           "lower(id)",
	groups.FieldDisplayName:  "lower(display_name)",
	groups.FieldMailNickname: "lower(mail_nickname)",
	groups.FieldDescription:  "lower(description)",
}

// groupClause is one clause as SQL.
func groupClause(c groups.Clause, args *sqlArgs) (string, error) {
	col, ok := groupFieldColumns[c.Field]
	if !ok || len(c.Values) == 0 {
		return "", fmt.Errorf("group query: %s %s is not supported", c.Field, c.Op)
	}
	v := strings.ToLower(c.Values[0])
	switch c.Op {
	case groups.OpEq:
		return col + " = " + args.add(v), nil
	case groups.OpStartsWith:
		return col + " LIKE " + args.add(likeEscape(v)+"%") + ` ESCAPE '\'`, nil
	case groups.OpContains:
		return col + " LIKE " + args.add("%"+likeEscape(v)+"%") + ` ESCAPE '\'`, nil
	case groups.OpIn:
		lower := make([]string, len(c.Values))
		for i, x := range c.Values {
			lower[i] = strings.ToLower(x)
		}
		return inList(col, lower, args, func(s string) any { return s }), nil
	}
	return "", fmt.Errorf("group query: %s %s is not supported", c.Field, c.Op)
}

// groupWhere is the condition of q's Filter and Search.
func groupWhere(q groups.Query, args *sqlArgs) (string, error) {
	parts := []string{"tenant_id = $1", "deleted_at = 0"}
	for _, c := range q.Filter {
		w, err := groupClause(c, args)
		if err != nil {
			return "", err
		}
		parts = append(parts, w)
	}
	if len(q.Search) > 0 {
		var anyOf []string
		for _, c := range q.Search {
			w, err := groupClause(c, args)
			if err != nil {
				return "", err
			}
			anyOf = append(anyOf, w)
		}
		parts = append(parts, "("+strings.Join(anyOf, " OR ")+")")
	}
	return strings.Join(parts, " AND "), nil
}

// QueryGroups returns one page of the tenant's live groups q selects, by
// id or by displayName then id.
func (db *DB) QueryGroups(ctx context.Context, tenantID string, q groups.Query) ([]groups.Group, error) {
	args := sqlArgs{tenantID}
	where, err := groupWhere(q, &args)
	if err != nil {
		return nil, err
	}
	dir, cmp := "ASC", ">"
	if q.Desc {
		dir, cmp = "DESC", "<"
	}
	order := `id ` + dir
	if q.ByName {
		order = `display_name` + db.d.byteOrder + ` ` + dir + `, id ` + dir
		if q.AfterID != "" {
			n, id := args.add(q.AfterName), args.add(q.AfterID)
			where += ` AND (display_name` + db.d.byteOrder + ` ` + cmp + ` ` + n + ` OR (display_name = ` + n + ` AND id ` + cmp + ` ` + id + `))`
		}
	} else if q.AfterID != "" {
		where += ` AND id ` + cmp + ` ` + args.add(q.AfterID)
	}
	sqlText := `SELECT ` + groupColumns + ` FROM directory_groups WHERE ` + where + ` ORDER BY ` + order + ` LIMIT ` + args.add(pageLimit(q.Limit))
	rows, err := db.queryDynamic(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("query groups: %w", err)
	}
	defer rows.Close()
	var out []groups.Group
	for rows.Next() {
		var g groups.Group
		var created, deleted int64
		if err := rows.Scan(&g.TenantID, &g.ID, &g.DisplayName, &g.Description, &g.MailNickname, &created, &deleted); err != nil {
			return nil, fmt.Errorf("query groups: %w", err)
		}
		g.CreatedAt, g.DeletedAt = fromDB(created), fromDB(deleted)
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query groups: %w", err)
	}
	return out, nil
}

// CountGroups counts the tenant's live groups q's Filter and Search select.
func (db *DB) CountGroups(ctx context.Context, tenantID string, q groups.Query) (int, error) {
	args := sqlArgs{tenantID}
	where, err := groupWhere(q, &args)
	if err != nil {
		return 0, err
	}
	rows, err := db.queryDynamic(ctx, `SELECT COUNT(*) FROM directory_groups WHERE `+where, args...)
	if err != nil {
		return 0, fmt.Errorf("count groups: %w", err)
	}
	defer rows.Close()
	n := 0
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("count groups: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("count groups: %w", err)
	}
	return n, nil
}
