package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/guestgate/guestgate/internal/store"
)

// TakeoverStore is what taking an unmanaged tenant over needs.
type TakeoverStore interface {
	Store
	// ManageTenant makes the unmanaged tenant id managed under name and
	// cloud and adds domains to it; a tenant that is managed already is
	// ErrConflict, a domain another tenant has is ErrAlreadyExists.
	ManageTenant(ctx context.Context, id, name string, cloud Cloud, domains []string) error
}

// CreateOrTakeOver creates a tenant as CreateTenant does, except when a
// domain it verifies belongs to an unmanaged tenant (one that self-service
// sign-up created, R12): then that tenant is taken over instead. It
// becomes the managed tenant asked for, with its id, its accounts (they
// become the managed tenant's members, with their passwords) and the
// other domains of the request. Guests elsewhere who redeemed with those
// accounts keep signing in with them (R7); new redemptions find them as
// home-tenant members. Domains of two different unmanaged tenants, or of
// a managed one, are ErrInvalidTenant.
func CreateOrTakeOver(ctx context.Context, s TakeoverStore, req NewTenantRequest, suffix string, now time.Time) (Tenant, error) {
	want, err := NewTenant(req, suffix, now)
	if err != nil {
		return want, err
	}
	var owner *Tenant
	for _, d := range want.Domains[1:] {
		t, err := s.GetTenantByDomain(ctx, d)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return want, fmt.Errorf("create tenant: %w", err)
		}
		if t.Managed || owner != nil && owner.ID != t.ID {
			return want, fmt.Errorf("%w: domain %q already belongs to another tenant", ErrInvalidTenant, d)
		}
		owner = &t
	}
	if owner == nil {
		return CreateTenant(ctx, s, req, suffix, now)
	}
	var add []string
	for _, d := range want.Domains[1:] {
		if !slices.Contains(owner.Domains, d) {
			add = append(add, d)
		}
	}
	if err := s.ManageTenant(ctx, owner.ID, want.DisplayName, want.Cloud, add); err != nil {
		if errors.Is(err, store.ErrAlreadyExists) || errors.Is(err, store.ErrConflict) {
			return want, fmt.Errorf("%w: a domain of %v already belongs to another tenant", ErrInvalidTenant, want.Domains[1:])
		}
		return want, fmt.Errorf("take over tenant: %w", err)
	}
	return s.GetTenant(ctx, owner.ID)
}
