package assignment

import "time"

// Principal types of an assignment (Graph's principalType).
const (
	PrincipalUser  = "User"
	PrincipalGroup = "Group"
)

// groupMembershipClaims values (Graph's spelling). Only security groups
// exist here, so every value but None asks for them.
const (
	ClaimsNone             = "None"
	ClaimsSecurityGroup    = "SecurityGroup"
	ClaimsAll              = "All"
	ClaimsApplicationGroup = "ApplicationGroup"
)

// MemberTypeUser is the only allowedMemberTypes value an app role takes:
// users (and the groups they are in) are assigned; applications are not.
const MemberTypeUser = "User"

// App is what this package keeps about an app: its service principal and
// the assignment settings of its application object.
type App struct {
	TenantID string
	// AppID is the OAuth client_id (Graph's appId).
	AppID string
	// ApplicationID is the object id of the app's application object
	// (Graph's application id, neither the appId nor the service
	// principal's id).
	ApplicationID string
	// ServicePrincipalID is the object id of the app's service principal
	// (Graph's servicePrincipal id, an appRoleAssignment's resourceId).
	ServicePrincipalID string
	DisplayName        string
	CreatedAt          time.Time
	// AssignmentRequired is appRoleAssignmentRequired.
	AssignmentRequired bool
	// GroupMembershipClaims is one of the Claims… values.
	GroupMembershipClaims string
	AppRoles              []AppRole
}

// GroupsClaim reports whether the app asked for the groups claim.
func (a App) GroupsClaim() bool {
	return a.GroupMembershipClaims != "" && a.GroupMembershipClaims != ClaimsNone
}

// AppRole is one role an app defines (Graph's appRole).
type AppRole struct {
	ID                 string   `json:"id"`
	Value              string   `json:"value"`
	DisplayName        string   `json:"displayName"`
	Description        string   `json:"description"`
	AllowedMemberTypes []string `json:"allowedMemberTypes"`
	IsEnabled          bool     `json:"isEnabled"`
}

// Assignment is one app role assigned to a user or a group (Graph's
// appRoleAssignment).
type Assignment struct {
	TenantID      string
	ID            string
	AppID         string
	PrincipalType string // PrincipalUser or PrincipalGroup
	PrincipalID   string
	AppRoleID     string
	CreatedAt     time.Time
	// Read only, filled by the store's lists and gets: the principal's and
	// the app's display names, and the app's service principal id.
	PrincipalDisplayName string
	ResourceDisplayName  string
	ServicePrincipalID   string
}
