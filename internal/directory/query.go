package directory

import (
	"errors"
	"slices"
	"strings"
)

// UserQuery selects, orders and pages a tenant's users. It is what the
// admin API's $filter, $search, $orderby and $top become, independent of
// OData and of any store.
type UserQuery struct {
	// Filter selects users; nil selects all.
	Filter UserFilter
	// Order is the sort key; OrderDefault lets the store pick one its
	// indexes serve for Filter (Graph promises no order without $orderby).
	Order UserOrder
	Desc  bool
	// After is the Next cursor of the previous page of the same query ("":
	// the first page). A cursor of another query is ErrInvalidCursor.
	After string
	// Limit bounds the page (<= 0: no bound).
	Limit int
}

// UserPage is one page of a UserQuery.
type UserPage struct {
	Users []User
	// Next is the cursor of the following page, "" after the last.
	Next string
}

// ErrInvalidCursor is a page cursor the store did not make for the query.
var ErrInvalidCursor = errors.New("invalid page cursor")

// UserOrder is the sort key of a UserQuery. Ties are broken by id.
type UserOrder string

// User orders. Text keys compare in lower case.
const (
	OrderDefault           UserOrder = ""
	OrderID                UserOrder = "id"
	OrderDisplayName       UserOrder = "displayName"
	OrderUserPrincipalName UserOrder = "userPrincipalName"
	OrderMail              UserOrder = "mail"
)

// UserField is a user property a filter tests (Graph's names).
type UserField string

// Filterable user properties.
const (
	FieldMail              UserField = "mail"
	FieldUserPrincipalName UserField = "userPrincipalName"
	FieldDisplayName       UserField = "displayName"
	FieldUserType          UserField = "userType"
	FieldExternalUserState UserField = "externalUserState"
	FieldCreationType      UserField = "creationType"
	FieldAccountEnabled    UserField = "accountEnabled"
	// FieldOtherMails matches when any address of User.AllOtherMails does.
	FieldOtherMails UserField = "otherMails"
	// FieldID is the object id (eq, in; ids compare in lower case).
	FieldID UserField = "id"
	// FieldIdPIssuer is the issuer of the partner identity provider the
	// user redeemed with (eq; exact): a federated identity's issuer.
	FieldIdPIssuer UserField = "idpIssuer"
	// The times of SignInActivity: the value is RFC 3339; an unset time
	// (null) matches no comparison but eq "".
	FieldLastSignIn               UserField = "signInActivity/lastSignInDateTime"
	FieldLastNonInteractiveSignIn UserField = "signInActivity/lastNonInteractiveSignInDateTime"
	FieldLastSuccessfulSignIn     UserField = "signInActivity/lastSuccessfulSignInDateTime"
)

// MatchOp is how a Match compares.
type MatchOp string

// Match operators. Text comparisons ignore case; an unset (empty) value
// stands for Graph's null.
const (
	MatchEq         MatchOp = "eq"
	MatchIn         MatchOp = "in" // equal to one of Values
	MatchGe         MatchOp = "ge"
	MatchLe         MatchOp = "le"
	MatchGt         MatchOp = "gt" // times only
	MatchLt         MatchOp = "lt" // times only
	MatchStartsWith MatchOp = "startsWith"
	MatchEndsWith   MatchOp = "endsWith"
	// MatchWord: a word of the value starts with Value; words are split
	// at spaces and . @ _ - ($search's tokenized match).
	MatchWord MatchOp = "word"
	// MatchContains: Value occurs anywhere in the value (the console's
	// search). No index serves it: callers bound the read with a Limit.
	MatchContains MatchOp = "contains"
)

// UserFilter is a condition on users: a Match, or AllOf, AnyOf or Not of
// other filters.
type UserFilter interface{ userFilter() }

// Match compares one property with a value. For FieldAccountEnabled the
// value is "true" or "false".
type Match struct {
	Field  UserField
	Op     MatchOp
	Value  string
	Values []string // MatchIn
}

// AllOf holds when every filter holds (and).
type AllOf []UserFilter

// AnyOf holds when some filter holds (or).
type AnyOf []UserFilter

// Not holds when its filter does not.
type Not struct{ Of UserFilter }

func (Match) userFilter() {}
func (AllOf) userFilter() {}
func (AnyOf) userFilter() {}
func (Not) userFilter()   {}

// AllOtherMails is Graph's otherMails of u: for a guest, its invited
// address first, then the addresses kept in OtherMails (no repeats, any
// case).
func (u User) AllOtherMails() []string {
	out := make([]string, 0, len(u.OtherMails)+1)
	seen := func(a string) bool {
		return slices.ContainsFunc(out, func(b string) bool { return strings.EqualFold(a, b) })
	}
	if u.UserType == UserTypeGuest && u.Mail != "" {
		out = append(out, u.Mail)
	}
	for _, a := range u.OtherMails {
		if !seen(a) {
			out = append(out, a)
		}
	}
	return out
}
