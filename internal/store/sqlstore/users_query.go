package sqlstore

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
)

// A user query becomes one SELECT with bound parameters only: values from
// the filter never enter the SQL text. Text keys are lower-cased (mail in
// Go, as mail_lower is written; the others by the engine on both sides)
// and compared in byte order, the order of the key indexes of migration
// 0006, so startsWith is an index range and every page is a keyset step.

// maxRune is the last code point: prefix || maxRune bounds a prefix range.
const maxRune = "\U0010FFFF"

// userKey says how a text field is compared.
type userKey struct {
	// expr is the column or expression, before the byte-order collation.
	expr string
	// goLower: the column holds Go-lowered text (mail_lower), so values are
	// lowered in Go; otherwise the engine lowers both sides.
	goLower bool
}

var userKeys = map[directory.UserField]userKey{
	directory.FieldMail:              {expr: "mail_lower", goLower: true},
	directory.FieldUserPrincipalName: {expr: "lower(user_principal_name)"},
	directory.FieldDisplayName:       {expr: "lower(display_name)"},
}

// userEnums are the fields stored in Graph's spelling, compared as given.
var userEnums = map[directory.UserField]string{
	directory.FieldUserType:          "user_type",
	directory.FieldExternalUserState: "external_user_state",
	directory.FieldCreationType:      "creation_type",
}

// userTimes are the time fields (unix microseconds, 0 = null), each the
// leading key after tenant_id of an index (migration 0021).
var userTimes = map[directory.UserField]string{
	directory.FieldLastSignIn:               "last_sign_in_at",
	directory.FieldLastNonInteractiveSignIn: "last_non_interactive_sign_in_at",
	directory.FieldLastSuccessfulSignIn:     "last_successful_sign_in_at",
}

// Orders by a time of signInActivity: the store's own choice for a
// query whose filter is a range of that time (OrderDefault), so the first
// page is the start of an index range, not a sort of every match.
var timeOrders = map[directory.UserOrder]string{
	directory.UserOrder(directory.FieldLastSignIn):               "last_sign_in_at",
	directory.UserOrder(directory.FieldLastNonInteractiveSignIn): "last_non_interactive_sign_in_at",
	directory.UserOrder(directory.FieldLastSuccessfulSignIn):     "last_successful_sign_in_at",
}

// timeMatch compares a time column; null (0) matches only eq "".
func timeMatch(col string, m directory.Match, args *sqlArgs) (string, error) {
	if m.Op == directory.MatchEq && m.Value == "" {
		return col + " = 0", nil
	}
	t, err := time.Parse(time.RFC3339Nano, m.Value)
	if err != nil {
		return "", fmt.Errorf("user query: %s: %w", m.Field, err)
	}
	us := t.UnixMicro()
	var cond string
	switch m.Op {
	case directory.MatchEq:
		cond = col + " = " + args.add(us)
	case directory.MatchGe:
		cond = col + " >= " + args.add(us)
	case directory.MatchGt:
		cond = col + " > " + args.add(us)
	case directory.MatchLe:
		cond = col + " <= " + args.add(us)
	case directory.MatchLt:
		cond = col + " < " + args.add(us)
	default:
		return "", fmt.Errorf("user query: %s %s is not supported", m.Field, m.Op)
	}
	return col + " > 0 AND " + cond, nil
}

var orderFields = map[directory.UserOrder]directory.UserField{
	directory.OrderDisplayName:       directory.FieldDisplayName,
	directory.OrderUserPrincipalName: directory.FieldUserPrincipalName,
	directory.OrderMail:              directory.FieldMail,
}

// sqlArgs collects bound parameters and names them $1, $2, ….
type sqlArgs []any

func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// userWhere translates a filter to a condition on users.
func (db *DB) userWhere(f directory.UserFilter, args *sqlArgs) (string, error) {
	switch f := f.(type) {
	case nil:
		return "TRUE", nil
	case directory.AllOf, directory.AnyOf:
		list, join := []directory.UserFilter(nil), " AND "
		if all, ok := f.(directory.AllOf); ok {
			list = all
		} else {
			list, join = f.(directory.AnyOf), " OR "
		}
		if len(list) == 0 {
			return map[bool]string{true: "TRUE", false: "FALSE"}[join == " AND "], nil
		}
		parts := make([]string, len(list))
		for i, sub := range list {
			s, err := db.userWhere(sub, args)
			if err != nil {
				return "", err
			}
			parts[i] = "(" + s + ")"
		}
		return strings.Join(parts, join), nil
	case directory.Not:
		s, err := db.userWhere(f.Of, args)
		if err != nil {
			return "", err
		}
		return "NOT (" + s + ")", nil
	case directory.Match:
		return db.userMatch(f, args)
	}
	return "", fmt.Errorf("user query: unknown filter %T", f)
}

func (db *DB) userMatch(m directory.Match, args *sqlArgs) (string, error) {
	if k, ok := userKeys[m.Field]; ok {
		return db.textMatch(k, m, args)
	}
	if col, ok := userEnums[m.Field]; ok {
		switch m.Op {
		case directory.MatchEq:
			return col + " = " + args.add(m.Value), nil
		case directory.MatchIn:
			return inList(col, m.Values, args, func(v string) any { return v }), nil
		}
	}
	if col, ok := userTimes[m.Field]; ok {
		return timeMatch(col, m, args)
	}
	switch m.Field {
	case directory.FieldAccountEnabled:
		b := func(v string) any { return v == "true" }
		switch m.Op {
		case directory.MatchEq:
			return "account_enabled = " + args.add(b(m.Value)), nil
		case directory.MatchIn:
			return inList("account_enabled", m.Values, args, b), nil
		}
	case directory.FieldID:
		id := func(v string) any { return strings.ToLower(v) }
		switch m.Op {
		case directory.MatchEq:
			return "id = " + args.add(id(m.Value)), nil
		case directory.MatchIn:
			return inList("id", m.Values, args, id), nil
		}
	case directory.FieldIdPIssuer:
		if m.Op == directory.MatchEq {
			return "idp_issuer = " + args.add(m.Value), nil
		}
	case directory.FieldOtherMails:
		if m.Op == directory.MatchEq {
			// A guest's own address is one of its otherMails (User.AllOtherMails).
			return "(user_type = 'Guest' AND mail_lower = " + args.add(strings.ToLower(m.Value)) + ") OR EXISTS (SELECT 1 FROM " +
				db.d.jsonStrings("users.other_mails") + " WHERE lower(e.value) = lower(" + args.add(m.Value) + "))", nil
		}
	}
	return "", fmt.Errorf("user query: %s %s is not supported", m.Field, m.Op)
}

// inList is col IN (…) with one parameter per value (FALSE when empty).
func inList(col string, values []string, args *sqlArgs, conv func(string) any) string {
	if len(values) == 0 {
		return "FALSE"
	}
	ps := make([]string, len(values))
	for i, v := range values {
		ps[i] = args.add(conv(v))
	}
	return col + " IN (" + strings.Join(ps, ", ") + ")"
}

// textMatch compares a lower-cased text key.
func (db *DB) textMatch(k userKey, m directory.Match, args *sqlArgs) (string, error) {
	key := k.expr + db.d.byteOrder
	val := func(v string) string {
		if k.goLower {
			return args.add(strings.ToLower(v))
		}
		return "lower(" + args.add(v) + ")"
	}
	switch m.Op {
	case directory.MatchEq:
		return key + " = " + val(m.Value), nil
	case directory.MatchIn:
		if len(m.Values) == 0 {
			return "FALSE", nil
		}
		ps := make([]string, len(m.Values))
		for i, v := range m.Values {
			ps[i] = val(v)
		}
		return key + " IN (" + strings.Join(ps, ", ") + ")", nil
	case directory.MatchGe:
		return key + " >= " + val(m.Value), nil
	case directory.MatchLe:
		return key + " <= " + val(m.Value), nil
	case directory.MatchStartsWith:
		return key + " >= " + val(m.Value) + " AND " + key + " < " + val(m.Value+maxRune), nil
	case directory.MatchEndsWith:
		return key + " LIKE " + val("%"+likeEscape(m.Value)) + ` ESCAPE '\'`, nil
	case directory.MatchContains:
		return key + " LIKE " + val("%"+likeEscape(m.Value)+"%") + ` ESCAPE '\'`, nil
	case directory.MatchWord:
		w := likeEscape(m.Value)
		parts := []string{key + " LIKE " + val(w+"%") + ` ESCAPE '\'`}
		for _, sep := range []string{" ", ".", "@", `\_`, "-"} {
			parts = append(parts, key+" LIKE "+val("%"+sep+w+"%")+` ESCAPE '\'`)
		}
		return "(" + strings.Join(parts, " OR ") + ")", nil
	}
	return "", fmt.Errorf("user query: %s %s is not supported", m.Field, m.Op)
}

// likeEscape escapes LIKE's wildcards and its escape character.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// effectiveOrder is the order of a query: its own, or for OrderDefault the
// key of a startsWith the filter requires (an index range in key order,
// so the first page reads only its rows), else id.
func effectiveOrder(q directory.UserQuery) directory.UserOrder {
	if q.Order != directory.OrderDefault {
		return q.Order
	}
	prefixOrder := func(f directory.UserFilter) directory.UserOrder {
		if m, ok := f.(directory.Match); ok && m.Op == directory.MatchStartsWith {
			for o, field := range orderFields {
				if field == m.Field {
					return o
				}
			}
		}
		return ""
	}
	timeOrder := func(f directory.UserFilter) directory.UserOrder {
		if m, ok := f.(directory.Match); ok && userTimes[m.Field] != "" && m.Op != directory.MatchIn && m.Value != "" {
			return directory.UserOrder(m.Field)
		}
		return ""
	}
	if o := timeOrder(q.Filter); o != "" {
		return o
	}
	if all, ok := q.Filter.(directory.AllOf); ok {
		for _, f := range all {
			if o := timeOrder(f); o != "" {
				return o
			}
		}
	}
	if o := prefixOrder(q.Filter); o != "" {
		return o
	}
	if all, ok := q.Filter.(directory.AllOf); ok {
		for _, f := range all {
			if o := prefixOrder(f); o != "" {
				return o
			}
		}
	}
	return directory.OrderID
}

// userCursor is the opaque position after a page: the order it belongs to,
// the last row's sort key as the engine computed it, and its id.
type userCursor struct {
	Order string `json:"o"`
	Desc  bool   `json:"d,omitempty"`
	Key   string `json:"k,omitempty"`
	ID    string `json:"i"`
}

func (c userCursor) encode() string {
	b, _ := json.Marshal(c) // strings and a bool always encode
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeUserCursor(s string) (userCursor, error) {
	var c userCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return c, directory.ErrInvalidCursor
	}
	return c, nil
}

// QueryUsers returns one page of the tenant's users that q selects.
func (db *DB) QueryUsers(ctx context.Context, tenantID string, q directory.UserQuery) (directory.UserPage, error) {
	args := sqlArgs{tenantID}
	where, err := db.userWhere(q.Filter, &args)
	if err != nil {
		return directory.UserPage{}, err
	}
	order := effectiveOrder(q)
	key := "id"
	intKey := false
	if f, ok := orderFields[order]; ok {
		key = userKeys[f].expr + db.d.byteOrder
	} else if col, ok := timeOrders[order]; ok {
		key, intKey = col, true
	} else if order != directory.OrderID {
		return directory.UserPage{}, fmt.Errorf("query users: unknown order %q", order)
	}
	dir, cmp := "ASC", ">"
	if q.Desc {
		dir, cmp = "DESC", "<"
	}
	sqlText := `SELECT ` + userColumns + `, ` + key + ` FROM users WHERE tenant_id = $1 AND (` + where + `)`
	if q.After != "" {
		c, err := decodeUserCursor(q.After)
		if err != nil || c.Order != string(order) || c.Desc != q.Desc {
			return directory.UserPage{}, fmt.Errorf("query users: %w", directory.ErrInvalidCursor)
		}
		if key == "id" {
			sqlText += ` AND id ` + cmp + ` ` + args.add(c.ID)
		} else {
			var kv any = c.Key
			if intKey {
				n, err := strconv.ParseInt(c.Key, 10, 64)
				if err != nil {
					return directory.UserPage{}, fmt.Errorf("query users: %w", directory.ErrInvalidCursor)
				}
				kv = n
			}
			k, id := args.add(kv), args.add(c.ID)
			// The first bound lets the engine start the index range at the cursor.
			sqlText += ` AND ` + key + ` ` + cmp + `= ` + k + ` AND (` + key + ` ` + cmp + ` ` + k + ` OR id ` + cmp + ` ` + id + `)`
		}
	}
	limit := pageLimit(q.Limit)
	fetch := limit
	if fetch < unlimited {
		fetch++
	}
	sqlText += ` ORDER BY ` + key + ` ` + dir + `, id ` + dir + ` LIMIT ` + args.add(fetch)
	rows, err := db.queryDynamic(ctx, sqlText, args...)
	if err != nil {
		return directory.UserPage{}, fmt.Errorf("query users: %w", err)
	}
	defer rows.Close()
	var (
		page directory.UserPage
		keys []string
	)
	for rows.Next() {
		var k string
		u, err := scanUser(rows, &k)
		if err != nil {
			return directory.UserPage{}, fmt.Errorf("query users: %w", err)
		}
		page.Users = append(page.Users, u)
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return directory.UserPage{}, fmt.Errorf("query users: %w", err)
	}
	if len(page.Users) > limit {
		page.Users = page.Users[:limit]
		last := page.Users[limit-1]
		c := userCursor{Order: string(order), Desc: q.Desc, ID: last.ID}
		if key != "id" {
			c.Key = keys[limit-1]
		}
		page.Next = c.encode()
	}
	return page, nil
}

// CountUsers counts the tenant's users that f selects.
func (db *DB) CountUsers(ctx context.Context, tenantID string, f directory.UserFilter) (int, error) {
	args := sqlArgs{tenantID}
	where, err := db.userWhere(f, &args)
	if err != nil {
		return 0, err
	}
	rows, err := db.queryDynamic(ctx, `SELECT COUNT(*) FROM users WHERE tenant_id = $1 AND (`+where+`)`, args...)
	if err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	defer rows.Close()
	n := 0
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, fmt.Errorf("count users: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// GetUserByUPN returns the tenant's user with that userPrincipalName,
// compared in lower case, or store.ErrNotFound.
func (db *DB) GetUserByUPN(ctx context.Context, tenantID, upn string) (directory.User, error) {
	key := userKeys[directory.FieldUserPrincipalName].expr + db.d.byteOrder
	row := db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE tenant_id = $1 AND `+key+` = lower($2)
		ORDER BY id LIMIT 1`, tenantID, upn)
	u, err := scanUser(row)
	if err != nil {
		return u, notFound(err, "get user by userPrincipalName")
	}
	return u, nil
}
