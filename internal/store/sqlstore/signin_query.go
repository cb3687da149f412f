package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
)

// A sign-in query becomes one SELECT with bound parameters only, ordered
// by (created_at, id) in either direction so every page is a keyset step.
// The indexes of migration 0013 start with the tenant and the compared
// column and end with (created_at, id), so a page of one user's, one
// app's or one address's sign-ins reads only its rows.

// signInText are the text columns by field. fold: eq compares in any case
// (lower() on both sides, as the column's index is built); prefix: the
// field takes startsWith (Graph's operators).
var signInText = map[audit.SignInField]struct {
	col          string
	fold, prefix bool
}{
	audit.SignInFieldUserPrincipalName:     {"user_principal_name", true, true},
	audit.SignInFieldUserDisplayName:       {"user_display_name", true, true},
	audit.SignInFieldUserID:                {"user_id", false, false},
	audit.SignInFieldUserType:              {"user_type", false, false},
	audit.SignInFieldAppID:                 {"app_id", false, false},
	audit.SignInFieldAppDisplayName:        {"app_display_name", true, true},
	audit.SignInFieldIPAddress:             {"ip_address", false, true},
	audit.SignInFieldCorrelationID:         {"correlation_id", false, false},
	audit.SignInFieldCrossTenantAccessType: {"cross_tenant_access_type", false, false},
}

// signInCondition translates one condition, values bound as parameters.
func signInCondition(c audit.SignInCondition, args *sqlArgs) (string, error) {
	switch c.Field {
	case audit.SignInFieldCreatedDateTime:
		if op, ok := auditOps[c.Op]; ok {
			return "created_at " + op + " " + args.add(toDB(c.Time)), nil
		}
	case audit.SignInFieldErrorCode:
		if op, ok := auditOps[c.Op]; ok {
			return "error_code " + op + " " + args.add(c.Number), nil
		}
	default:
		t, ok := signInText[c.Field]
		if !ok {
			return "", fmt.Errorf("query sign-ins: unknown field %q", c.Field)
		}
		switch {
		case c.Op == audit.OpEq && t.fold:
			return "lower(" + t.col + ") = lower(" + args.add(c.Value) + ")", nil
		case c.Op == audit.OpEq:
			return t.col + " = " + args.add(c.Value), nil
		case c.Op == audit.OpStartsWith && t.prefix:
			// lower() on both sides: SQLite's LIKE ignores ASCII case,
			// PostgreSQL's does not; this way both engines agree.
			return "lower(" + t.col + ") LIKE lower(" + args.add(likeEscape(c.Value)+"%") + `) ESCAPE '\'`, nil
		}
	}
	return "", fmt.Errorf("query sign-ins: %s %s is not supported", c.Field, c.Op)
}

// QuerySignIns returns one page of the tenant's sign-ins that q selects,
// newest first unless q.Ascending (by created_at, then id).
func (db *DB) QuerySignIns(ctx context.Context, tenantID string, q audit.SignInQuery) ([]audit.SignIn, error) {
	args := sqlArgs{tenantID}
	conds := []string{"tenant_id = $1"}
	for _, c := range q.Conditions {
		s, err := signInCondition(c, &args)
		if err != nil {
			return nil, err
		}
		conds = append(conds, "("+s+")")
	}
	for _, group := range q.AnyOf {
		var alts []string
		for _, c := range group {
			s, err := signInCondition(c, &args)
			if err != nil {
				return nil, err
			}
			alts = append(alts, "("+s+")")
		}
		if len(alts) > 0 {
			conds = append(conds, "("+strings.Join(alts, " OR ")+")")
		}
	}
	dir, cmp := "DESC", "<"
	if q.Ascending {
		dir, cmp = "ASC", ">"
	}
	if q.After.ID != "" {
		at, id := args.add(toDB(q.After.CreatedAt)), args.add(q.After.ID)
		// The first bound lets the engine start the index range at the cursor.
		conds = append(conds, "created_at "+cmp+"= "+at+" AND (created_at "+cmp+" "+at+" OR id "+cmp+" "+id+")")
	}
	rows, err := db.queryDynamic(ctx, `SELECT `+signInColumns+` FROM sign_ins WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY created_at `+dir+`, id `+dir+` LIMIT `+args.add(pageLimit(q.Limit)), args...)
	if err != nil {
		return nil, fmt.Errorf("query sign-ins: %w", unavailable(err))
	}
	defer rows.Close()
	var out []audit.SignIn
	for rows.Next() {
		s, err := scanSignIn(rows)
		if err != nil {
			return nil, fmt.Errorf("query sign-ins: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query sign-ins: %w", err)
	}
	return out, nil
}
