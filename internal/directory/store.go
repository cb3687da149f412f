package directory

import "context"

// Store is what the directory needs from persistence. Lookups by address or
// domain compare lower case. Methods return store.ErrNotFound,
// store.ErrAlreadyExists or store.ErrConflict wrapped with context.
type Store interface {
	// CreateTenant inserts t and its domains; a taken domain is ErrAlreadyExists.
	CreateTenant(ctx context.Context, t Tenant) error
	GetTenant(ctx context.Context, id string) (Tenant, error)
	// GetTenantByDomain finds the tenant that verified domain (any case).
	GetTenantByDomain(ctx context.Context, domain string) (Tenant, error)
	// ListTenants returns tenants ordered by id, after afterID, at most limit.
	ListTenants(ctx context.Context, afterID string, limit int) ([]Tenant, error)
	// SetTenantPrivacyURL stores the tenant's privacy statement URL ("" clears
	// it); the caller checks it with CheckPrivacyURL. An unknown tenant is
	// ErrNotFound.
	SetTenantPrivacyURL(ctx context.Context, tenantID, url string) error

	// CreateUser inserts u; an address already used in the tenant is ErrAlreadyExists.
	CreateUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, tenantID, id string) (User, error)
	GetUserByMail(ctx context.Context, tenantID, mail string) (User, error)
	// GetUserByUPN finds the user with that userPrincipalName (any case).
	GetUserByUPN(ctx context.Context, tenantID, upn string) (User, error)
	// QueryUsers returns one page of the tenant's users that q selects, in
	// q's order. A cursor not made for q is ErrInvalidCursor.
	QueryUsers(ctx context.Context, tenantID string, q UserQuery) (UserPage, error)
	// CountUsers counts the tenant's users that f selects (nil: all).
	CountUsers(ctx context.Context, tenantID string, f UserFilter) (int, error)
	// ListUsers returns the tenant's users ordered by id, after afterID, at most limit.
	ListUsers(ctx context.Context, tenantID, afterID string, limit int) ([]User, error)
	// UpdateUser reads the user, applies fn and writes the result back, in one
	// transaction (joining the caller's if ctx has one). fn must not change
	// TenantID or ID.
	UpdateUser(ctx context.Context, tenantID, id string, fn func(*User) error) error
}
