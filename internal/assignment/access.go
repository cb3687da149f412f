package assignment

import (
	"context"
	"errors"
)

// ErrNotAssigned refuses a user who is not assigned to an app that
// requires assignment. Its text carries Entra's error code, which the
// sign-in log records.
var ErrNotAssigned = errors.New("AADSTS50105: the signed in user is not assigned to a role for the application")

// DefaultAccessRoleID is the id of the default access role, the role an
// assignment names when the app defines no app roles (Graph's all-zero
// GUID). It has no value, so it adds nothing to the roles claim.
const DefaultAccessRoleID = "00000000-0000-0000-0000-000000000000"

// GroupsOverage is the most group ids a token carries; a user in more
// groups gets Entra's overage indication instead of the list (JWT limit).
const GroupsOverage = 200

// Access is what one read tells about a user and an app.
type Access struct {
	// Required: the app admits only assigned users.
	Required bool
	// Assigned: the user is assigned, directly or through a group.
	Assigned bool
	// Roles are the values of the app roles assigned to the user, directly
	// or through groups, sorted and without duplicates (the roles claim).
	Roles []string
	// GroupsClaim: the app asked for the groups claim
	// (groupMembershipClaims "SecurityGroup" or "All").
	GroupsClaim bool
	// Groups are the object ids of the security groups the user is in at
	// any depth, sorted; filled only when GroupsClaim is set. More than
	// GroupsOverage is an overage (see Overage).
	Groups []string
}

// Allowed reports whether the user may sign in to the app.
func (a Access) Allowed() bool { return !a.Required || a.Assigned }

// Overage reports whether the user is in too many groups for the groups
// claim to list them.
func (a Access) Overage() bool { return a.GroupsClaim && len(a.Groups) > GroupsOverage }

// Reader reads a user's access to an app in one read.
type Reader interface {
	// Access returns what the user may do in the app (appID is the OAuth
	// client_id). An unknown app or user is an error, never an Access.
	Access(ctx context.Context, tenantID, appID, userID string) (Access, error)
}
