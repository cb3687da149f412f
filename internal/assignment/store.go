package assignment

import "context"

// Store keeps the apps' assignment settings and their app role
// assignments. Every method is scoped by tenant: an id of another tenant
// is store.ErrNotFound. Methods join the transaction in ctx. Lists are
// paged by id (after afterID, at most limit rows).
type Store interface {
	// GetAssignmentApp returns the tenant's app appID (its client id), or
	// store.ErrNotFound.
	GetAssignmentApp(ctx context.Context, tenantID, appID string) (App, error)
	// GetAssignmentAppByObjectID returns the tenant's app whose service
	// principal or application object has id objectID, or
	// store.ErrNotFound.
	GetAssignmentAppByObjectID(ctx context.Context, tenantID, objectID string) (App, error)
	// ListAssignmentApps returns the tenant's apps ordered by app id.
	ListAssignmentApps(ctx context.Context, tenantID, afterAppID string, limit int) ([]App, error)
	// UpdateAssignmentApp stores a's AssignmentRequired,
	// GroupMembershipClaims and AppRoles, or answers store.ErrNotFound.
	UpdateAssignmentApp(ctx context.Context, a App) error

	// CreateAppRoleAssignment stores a; the principal holding the role on
	// the app already is store.ErrAlreadyExists.
	CreateAppRoleAssignment(ctx context.Context, a Assignment) error
	// GetAppRoleAssignment returns the tenant's assignment id whose
	// principal exists (a user not deleted, a live group), or
	// store.ErrNotFound.
	GetAppRoleAssignment(ctx context.Context, tenantID, id string) (Assignment, error)
	// DeleteAppRoleAssignment removes the tenant's assignment id, or
	// answers store.ErrNotFound.
	DeleteAppRoleAssignment(ctx context.Context, tenantID, id string) error
	// ListAppRoleAssignments returns the assignments of appID whose
	// principal exists, ordered by id.
	ListAppRoleAssignments(ctx context.Context, tenantID, appID, afterID string, limit int) ([]Assignment, error)
	// ListPrincipalAppRoleAssignments returns the assignments made to
	// principalID itself and, with viaGroups, to the live groups it is a
	// direct member of, ordered by id.
	ListPrincipalAppRoleAssignments(ctx context.Context, tenantID, principalID string, viaGroups bool, afterID string, limit int) ([]Assignment, error)

	// ReadAccess reads, in one statement, the facts of Access for userID
	// and appID; store.ErrNotFound when the tenant has no such app or
	// user (a deleted user included).
	ReadAccess(ctx context.Context, tenantID, appID, userID string) (Facts, error)
}
