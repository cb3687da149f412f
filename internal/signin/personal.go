package signin

import (
	"context"
	"errors"
	"fmt"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/store"
)

// Personal and unmanaged accounts are accounts in other directories of
// this deployment, like a home tenant's members: the consumers directory
// (directory.ConsumersTenantID, a personal account) and an unmanaged
// tenant of the address's domain. A guest whose decision names one signs
// in there with its password and comes back through the home tenant's
// hand-off (hometenant.go); one whose decision says CreateAccount first
// creates it by self-service sign-up (signup.go).

// Accounts creates self-service accounts (member.Service has it).
type Accounts interface {
	PrepareSelfService(addr, displayName, password string) (member.SelfServiceAccount, error)
	CreateSelfService(ctx context.Context, t directory.Tenant, a member.SelfServiceAccount) (directory.User, error)
}

// ConsumersIssuer is the consumers directory's issuer: the idp claim and
// the identities' issuer of a guest who redeemed with a personal account.
func (s *Service) ConsumersIssuer() string { return s.Issuer(directory.ConsumersTenantID) }

// lookUpAccounts fills f's personal account (a member of the consumers
// directory with the address) and unmanaged account (the home-tenant
// look-up found the address's member in an unmanaged tenant: DecideIdP
// never takes it for a home tenant).
func (s *Service) lookUpAccounts(ctx context.Context, addr string, f *invitation.Found) error {
	if h := f.HomeTenant; h != nil && !h.Managed {
		f.Unmanaged = h
	}
	p, err := s.personalAccount(ctx, addr)
	if err != nil {
		return err
	}
	if p != nil {
		f.Personal = &invitation.Upstream{Issuer: s.ConsumersIssuer(), TenantID: directory.ConsumersTenantID, Managed: true}
	}
	return nil
}

// personalAccount is addr's personal account, or nil.
func (s *Service) personalAccount(ctx context.Context, addr string) (*directory.User, error) {
	u, err := s.d.Directory.GetUserByMail(ctx, directory.ConsumersTenantID, addr)
	if errors.Is(err, store.ErrNotFound) || err == nil && isInvited(u) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up personal account: %w", err)
	}
	return &u, nil
}

// EnsureConsumers creates the consumers directory once per deployment
// (t is directory.ConsumersTenant); an existing one is left alone.
func EnsureConsumers(ctx context.Context, dir directory.Store, t directory.Tenant) error {
	if _, err := dir.GetTenant(ctx, directory.ConsumersTenantID); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("consumers directory: %w", err)
	}
	if err := dir.CreateTenant(ctx, t); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
		return fmt.Errorf("create consumers directory: %w", err)
	}
	return nil
}
