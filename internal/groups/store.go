package groups

import (
	"context"
	"time"
)

// Store keeps groups and memberships. Every method is scoped by tenant: an
// id of another tenant is store.ErrNotFound. Methods join the transaction
// in ctx. Lists are paged by id (after afterID, at most limit rows).
type Store interface {
	// CreateGroup stores g; an id already taken is store.ErrAlreadyExists.
	CreateGroup(ctx context.Context, g Group) error
	// GetGroup returns the tenant's live group id, or store.ErrNotFound.
	GetGroup(ctx context.Context, tenantID, id string) (Group, error)
	// UpdateGroup replaces the names and description of the tenant's live
	// group g.ID, or answers store.ErrNotFound.
	UpdateGroup(ctx context.Context, g Group) error
	// ListGroups returns the tenant's live groups ordered by id.
	ListGroups(ctx context.Context, tenantID, afterID string, limit int) ([]Group, error)
	// DeleteGroup soft-deletes the tenant's live group id at at, keeping
	// its memberships for a restore, or answers store.ErrNotFound.
	DeleteGroup(ctx context.Context, tenantID, id string, at time.Time) error
	// QueryGroups returns one page of the tenant's live groups that q
	// selects, in q's order.
	QueryGroups(ctx context.Context, tenantID string, q Query) ([]Group, error)
	// CountGroups counts the tenant's live groups q's Filter and Search
	// select.
	CountGroups(ctx context.Context, tenantID string, q Query) (int, error)
	// GetDeletedGroup returns the tenant's deleted group id, or store.ErrNotFound.
	GetDeletedGroup(ctx context.Context, tenantID, id string) (Group, error)
	// ListDeletedGroups returns the tenant's deleted groups ordered by id.
	ListDeletedGroups(ctx context.Context, tenantID, afterID string, limit int) ([]Group, error)
	// PurgeGroup removes the tenant's deleted group id for good, with its
	// members and its own memberships, or answers store.ErrNotFound.
	PurgeGroup(ctx context.Context, tenantID, id string) error
	// RestoreGroup makes the tenant's deleted group id live again, or
	// answers store.ErrNotFound.
	RestoreGroup(ctx context.Context, tenantID, id string) error

	// AddGroupMember stores m; a member already in the group is
	// store.ErrAlreadyExists.
	AddGroupMember(ctx context.Context, m Member) error
	// RemoveGroupMember removes memberID from the tenant's group groupID,
	// or answers store.ErrNotFound.
	RemoveGroupMember(ctx context.Context, tenantID, groupID, memberID string) error
	// ListGroupMembers returns the direct members of groupID that exist
	// (users not deleted, live groups) ordered by member id.
	ListGroupMembers(ctx context.Context, tenantID, groupID, afterID string, limit int) ([]Member, error)
	// ListMemberOf returns the live groups memberID is directly in,
	// ordered by id.
	ListMemberOf(ctx context.Context, tenantID, memberID, afterID string, limit int) ([]Group, error)
}
