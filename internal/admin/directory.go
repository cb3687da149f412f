package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// DirectoryStore is what Directory reads and writes: tenants, users and
// the tenant's app sign-up settings.
type DirectoryStore interface {
	directory.TakeoverStore
	ListUsers(ctx context.Context, tenantID, afterID string, limit int) ([]directory.User, error)
	SetAppSignUp(ctx context.Context, tenantID, appID string, enabled bool) error
	SetSignUpDomains(ctx context.Context, tenantID string, domains []string) error
}

// Directory is the operator's tenants and the reading of their users; it
// needs the store alone.
type Directory struct {
	store  DirectoryStore
	suffix string
	clock  clock.Clock
}

// NewDirectory builds Directory; suffix is the initial domains' suffix.
func NewDirectory(s DirectoryStore, suffix string, c clock.Clock) (Directory, error) {
	switch {
	case s == nil:
		return Directory{}, errMissing("the directory store")
	case c == nil:
		return Directory{}, errMissing("the clock")
	}
	return Directory{store: s, suffix: suffix, clock: c}, nil
}

// pageSize is how many rows each read of a full listing fetches.
const pageSize = 500

// CreateTenant creates a tenant (guestgate tenant create).
func (d Directory) CreateTenant(ctx context.Context, req directory.NewTenantRequest) (directory.Tenant, error) {
	return directory.CreateOrTakeOver(ctx, d.store, req, d.suffix, d.clock.Now())
}

// ListTenants lists every tenant (guestgate tenant list).
func (d Directory) ListTenants(ctx context.Context) ([]directory.Tenant, error) {
	return all(func(after string) ([]directory.Tenant, error) { return d.store.ListTenants(ctx, after, pageSize) },
		func(t directory.Tenant) string { return t.ID })
}

// ResolveTenant finds a tenant by id or verified domain.
func (d Directory) ResolveTenant(ctx context.Context, idOrDomain string) (directory.Tenant, error) {
	return directory.Resolve(ctx, d.store, idOrDomain)
}

// SetTenantPrivacyURL checks and stores the tenant's privacy statement URL
// ("" clears it) and returns the tenant as stored (guestgate tenant update).
// Running processes see the change once their tenant cache entry expires.
func (d Directory) SetTenantPrivacyURL(ctx context.Context, t directory.Tenant, url string) (directory.Tenant, error) {
	if _, err := directory.SetPrivacyURL(ctx, d.store, t.ID, url); err != nil {
		return t, err
	}
	return d.store.GetTenant(ctx, t.ID)
}

// ListUsers returns every user of t, ordered by id (guestgate user list).
func (d Directory) ListUsers(ctx context.Context, t directory.Tenant) ([]directory.User, error) {
	return all(func(after string) ([]directory.User, error) { return d.store.ListUsers(ctx, t.ID, after, pageSize) },
		func(u directory.User) string { return u.ID })
}

// GetUser returns a user of t (the CLI prints it after a change).
func (d Directory) GetUser(ctx context.Context, t directory.Tenant, userID string) (directory.User, error) {
	return d.store.GetUser(ctx, t.ID, userID)
}

// FindUser returns the user of t named by its object id or its
// userPrincipalName (any case), or store.ErrNotFound (guestgate user
// show|update|delete).
func (d Directory) FindUser(ctx context.Context, t directory.Tenant, idOrUPN string) (directory.User, error) {
	u, err := d.store.GetUser(ctx, t.ID, idOrUPN)
	if err == nil || !errors.Is(err, store.ErrNotFound) || !strings.Contains(idOrUPN, "@") {
		return u, err
	}
	users, err := d.ListUsers(ctx, t)
	if err != nil {
		return directory.User{}, err
	}
	for _, u := range users {
		if strings.EqualFold(u.UserPrincipalName, idOrUPN) {
			return u, nil
		}
	}
	return directory.User{}, fmt.Errorf("user %q: %w", idOrUPN, store.ErrNotFound)
}

// SetAppSignUp turns an app's self-service sign-up on or off (R13:
// guestgate app create --sign-up, app update --sign-up).
func (d Directory) SetAppSignUp(ctx context.Context, tenantID, appID string, enabled bool) error {
	return d.store.SetAppSignUp(ctx, tenantID, appID, enabled)
}

// SetSignUpDomains restricts the tenant's app sign-up to domains (none:
// any domain); it returns them normalized and sorted.
func (d Directory) SetSignUpDomains(ctx context.Context, t directory.Tenant, domains []string) ([]string, error) {
	var out []string
	for _, dom := range domains {
		nd, err := directory.NormalizeDomain(dom)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", directory.ErrInvalidTenant, err)
		}
		if !slices.Contains(out, nd) {
			out = append(out, nd)
		}
	}
	slices.Sort(out)
	return out, d.store.SetSignUpDomains(ctx, t.ID, out)
}

// all reads every page of a listing ordered by id.
func all[T any](page func(after string) ([]T, error), id func(T) string) ([]T, error) {
	var out []T
	for after := ""; ; {
		p, err := page(after)
		if err != nil {
			return nil, err
		}
		out = append(out, p...)
		if len(p) < pageSize {
			return out, nil
		}
		after = id(p[len(p)-1])
	}
}
