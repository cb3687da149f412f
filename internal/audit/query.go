package audit

import "time"

// Query selects a tenant's audit records: those meeting every condition,
// newest first unless Ascending, one page at a time.
type Query struct {
	Conditions []Condition
	Ascending  bool
	// After is the Seq of the last record of the previous page (0: the
	// first page); the next page continues past it in the query's order.
	After int64
	// Limit bounds the page (<= 0: no bound).
	Limit int
}

// Field is a property of a record a condition tests (Graph's names).
type Field string

// Filterable record properties.
const (
	FieldActivityDateTime        Field = "activityDateTime"
	FieldActivity                Field = "activityDisplayName"
	FieldCategory                Field = "category"
	FieldResult                  Field = "result"
	FieldCorrelationID           Field = "correlationId"
	FieldLoggedByService         Field = "loggedByService"
	FieldInitiatedByAppID        Field = "initiatedBy/app/appId"
	FieldInitiatedByAppName      Field = "initiatedBy/app/displayName"
	FieldInitiatedByUserID       Field = "initiatedBy/user/id"
	FieldInitiatedByUserName     Field = "initiatedBy/user/userPrincipalName"
	FieldTargetID                Field = "targetResources/id"
	FieldTargetDisplayName       Field = "targetResources/displayName"
	FieldTargetUserPrincipalName Field = "targetResources/userPrincipalName"
)

// Op is how a condition compares. Text compares exactly; times compare
// in time order.
type Op string

// Condition operators.
const (
	OpEq         Op = "eq"
	OpGe         Op = "ge"
	OpGt         Op = "gt"
	OpLe         Op = "le"
	OpLt         Op = "lt"
	OpStartsWith Op = "startsWith"
)

// Condition compares one field: Time for FieldActivityDateTime, Value for
// the others. A target field holds when one of the targets matches.
type Condition struct {
	Field Field
	Op    Op
	Value string
	Time  time.Time
}
