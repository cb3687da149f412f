package audit

import "time"

// Record is one audited change (Graph's directoryAudit).
type Record struct {
	TenantID string
	// Seq orders the tenant's records in commit order; the store assigns it.
	Seq           int64
	ID            string
	Category      string // e.g. CategoryUserManagement
	CorrelationID string
	Result        string // ResultSuccess
	ResultReason  string
	// Activity is Graph's activityDisplayName.
	Activity          string
	ActivityAt        time.Time
	LoggedByService   string
	OperationType     string
	InitiatedBy       Actor
	Targets           []Target
	AdditionalDetails []KeyValue
}

// Categories, results and operation types (Graph spelling).
const (
	CategoryApplicationManagement = "ApplicationManagement"
	CategoryUserManagement        = "UserManagement"
	// CategoryCrossTenantAccessSettings holds changes of the cross-tenant
	// access settings (the redemption configuration of DESIGN section 3).
	CategoryCrossTenantAccessSettings = "CrossTenantAccessSettings"

	ResultSuccess = "success"

	OperationAdd     = "Add"
	OperationUpdate  = "Update"
	OperationReset   = "Reset"
	OperationDelete  = "Delete"
	OperationRestore = "Restore"
)

// Actor is who made a change: an app calling the admin API, the CLI, or a
// user of the console. Graph shows an app or a user, never both.
type Actor struct {
	// AppID and AppName identify an app (AppID may be empty for the CLI).
	AppID   string
	AppName string
	// UserID, UserName and UserPrincipalName identify a signed-in admin.
	UserID            string
	UserName          string
	UserPrincipalName string
}

// IsUser reports whether a user (not an app) made the change.
func (a Actor) IsUser() bool { return a.UserID != "" }

// CLI is the actor of changes made with the guestgate command.
var CLI = Actor{AppName: "guestgate CLI"}

// Target is a resource a change touched (Graph's targetResource).
type Target struct {
	ID                string
	DisplayName       string
	Type              string // "Policy", "User", …
	UserPrincipalName string // users only
	Modified          []Change
}

// KeyValue is an additional detail of a record.
type KeyValue struct {
	Key   string
	Value string
}
