package roles

import (
	"context"
	"time"
)

// Assignment is a role given to a member (Graph's unifiedRoleAssignment).
type Assignment struct {
	TenantID         string
	ID               string
	PrincipalID      string
	RoleDefinitionID string
	// DirectoryScopeID is "/": the whole tenant.
	DirectoryScopeID string
	CreatedAt        time.Time
}

// Store keeps role assignments. Methods join the transaction in ctx.
type Store interface {
	// CreateRoleAssignment stores a; store.ErrAlreadyExists when the
	// principal already holds the role at that scope.
	CreateRoleAssignment(ctx context.Context, a Assignment) error
	// ListRoleAssignments returns the tenant's assignments, of one
	// principal when principalID is not empty, oldest first.
	ListRoleAssignments(ctx context.Context, tenantID, principalID string) ([]Assignment, error)
	// GetRoleAssignment returns the tenant's assignment id, or
	// store.ErrNotFound.
	GetRoleAssignment(ctx context.Context, tenantID, id string) (Assignment, error)
	// DeleteRoleAssignment removes the tenant's assignment id, or answers
	// store.ErrNotFound.
	DeleteRoleAssignment(ctx context.Context, tenantID, id string) error
}
