package signin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/store"
)

// lookUp finds the identities addr already holds outside t: the inputs of
// step 1 and 2 of section 3: a home tenant, the tenant's federation of
// the domain and its Google preset, a personal account, and an account in
// the unmanaged tenant of the domain (personal.go).
func (s *Service) lookUp(ctx context.Context, t directory.Tenant, addr string) (invitation.Found, error) {
	var f invitation.Found
	home, err := s.homeTenant(ctx, t, addr)
	if err != nil {
		return f, err
	}
	f.HomeTenant = home
	if err := s.lookUpAccounts(ctx, addr, &f); err != nil {
		return f, err
	}
	return f, s.lookUpFederation(ctx, t, addr, &f)
}

// homeTenant matches addr to a member of another tenant of this
// deployment: first the tenant that verified the address's domain, then
// that tenant's member with the address. DecideIdP checks it is managed.
func (s *Service) homeTenant(ctx context.Context, t directory.Tenant, addr string) (*invitation.Upstream, error) {
	domain := strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
	ht, err := s.d.Directory.GetTenantByDomain(ctx, domain)
	if errors.Is(err, store.ErrNotFound) || err == nil && ht.ID == t.ID {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up home tenant: %w", err)
	}
	m, err := s.d.Directory.GetUserByMail(ctx, ht.ID, addr)
	if errors.Is(err, store.ErrNotFound) || err == nil && isInvited(m) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up home tenant member: %w", err)
	}
	return &invitation.Upstream{Issuer: s.Issuer(ht.ID), TenantID: ht.ID, Managed: ht.Managed}, nil
}
