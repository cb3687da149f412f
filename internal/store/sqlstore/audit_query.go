package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
)

// auditActorFields are the keys of initiated_by (auditActor) by field.
var auditActorFields = map[audit.Field]string{
	audit.FieldInitiatedByAppID:    "AppID",
	audit.FieldInitiatedByAppName:  "AppName",
	audit.FieldInitiatedByUserID:   "UserID",
	audit.FieldInitiatedByUserName: "UserPrincipalName",
}

// auditTargetFields are the keys of a targets element (auditTarget) by field.
var auditTargetFields = map[audit.Field]string{
	audit.FieldTargetID:                "ID",
	audit.FieldTargetDisplayName:       "DisplayName",
	audit.FieldTargetUserPrincipalName: "UserPrincipalName",
}

var auditColumnsByField = map[audit.Field]string{
	audit.FieldActivity:        "activity",
	audit.FieldCategory:        "category",
	audit.FieldResult:          "result",
	audit.FieldCorrelationID:   "correlation_id",
	audit.FieldLoggedByService: "logged_by_service",
}

var auditOps = map[audit.Op]string{audit.OpEq: "=", audit.OpGe: ">=", audit.OpGt: ">", audit.OpLe: "<=", audit.OpLt: "<"}

// auditCondition translates one condition, values bound as parameters.
func (db *DB) auditCondition(c audit.Condition, args *sqlArgs) (string, error) {
	if c.Field == audit.FieldActivityDateTime {
		op, ok := auditOps[c.Op]
		if !ok {
			return "", fmt.Errorf("query audits: %s %s is not supported", c.Field, c.Op)
		}
		return "activity_at " + op + " " + args.add(toDB(c.Time)), nil
	}
	var expr string
	switch {
	case auditColumnsByField[c.Field] != "":
		expr = auditColumnsByField[c.Field]
	case auditActorFields[c.Field] != "":
		expr = "COALESCE(" + db.d.jsonField("initiated_by", auditActorFields[c.Field]) + ", '')"
	case auditTargetFields[c.Field] != "":
		from, field := db.d.jsonObjects("directory_audits.targets")
		inner, err := textCondition("COALESCE("+field(auditTargetFields[c.Field])+", '')", c, args)
		if err != nil {
			return "", err
		}
		return "EXISTS (SELECT 1 FROM " + from + " WHERE " + inner + ")", nil
	default:
		return "", fmt.Errorf("query audits: unknown field %q", c.Field)
	}
	return textCondition(expr, c, args)
}

func textCondition(expr string, c audit.Condition, args *sqlArgs) (string, error) {
	switch c.Op {
	case audit.OpEq:
		return expr + " = " + args.add(c.Value), nil
	case audit.OpStartsWith:
		return expr + " LIKE " + args.add(likeEscape(c.Value)+"%") + ` ESCAPE '\'`, nil
	}
	return "", fmt.Errorf("query audits: %s %s is not supported", c.Field, c.Op)
}

// QueryAudits returns one page of the tenant's records that q selects, in
// commit order (newest first unless q.Ascending).
func (db *DB) QueryAudits(ctx context.Context, tenantID string, q audit.Query) ([]audit.Record, error) {
	args := sqlArgs{tenantID}
	conds := []string{"tenant_id = $1"}
	for _, c := range q.Conditions {
		s, err := db.auditCondition(c, &args)
		if err != nil {
			return nil, err
		}
		conds = append(conds, "("+s+")")
	}
	dir, cmp := "DESC", "<"
	if q.Ascending {
		dir, cmp = "ASC", ">"
	}
	if q.After > 0 {
		conds = append(conds, "seq "+cmp+" "+args.add(q.After))
	}
	rows, err := db.queryDynamic(ctx, `SELECT `+auditColumns+` FROM directory_audits WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY seq `+dir+` LIMIT `+args.add(pageLimit(q.Limit)), args...)
	if err != nil {
		return nil, fmt.Errorf("query audits: %w", err)
	}
	defer rows.Close()
	var out []audit.Record
	for rows.Next() {
		r, err := scanAudit(rows)
		if err != nil {
			return nil, fmt.Errorf("query audits: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query audits: %w", err)
	}
	return out, nil
}
