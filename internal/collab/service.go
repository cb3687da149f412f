package collab

import (
	"context"
	"errors"
	"fmt"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// Deps are what a Service uses.
type Deps struct {
	Store Store
	Tx    store.Transactor
	Audit audit.Store
	Clock clock.Clock
}

// Service reads and changes the settings. It is safe for concurrent use.
type Service struct{ d Deps }

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	return &Service{d: d}
}

// Get returns t's settings (Default(t) until changed).
func (s *Service) Get(ctx context.Context, t directory.Tenant) (Settings, error) {
	v, err := s.d.Store.GetCollaboration(ctx, t.ID)
	if errors.Is(err, store.ErrNotFound) {
		return Default(t), nil
	}
	if err != nil {
		return Settings{}, fmt.Errorf("get collaboration settings: %w", err)
	}
	return v, nil
}

// Patch is a partial change; nil fields stay.
type Patch struct {
	AllowInvitesFrom *AllowInvitesFrom
	GuestUserRoleID  *string
	DomainMode       *DomainMode
	Domains          *[]string
}

// Audit names of changes (as the reproduced product logs them).
const (
	ActivityUpdatePolicy = "Update authorization policy"
	CategoryPolicy       = "Policy"
)

// Update applies p to t's settings (validated, *ValidationError when
// not) and records the change, in one transaction.
func (s *Service) Update(ctx context.Context, t directory.Tenant, p Patch, by audit.Actor) (Settings, error) {
	var out Settings
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		old, err := s.Get(ctx, t)
		if err != nil {
			return err
		}
		v := old
		if p.AllowInvitesFrom != nil {
			v.AllowInvitesFrom = *p.AllowInvitesFrom
		}
		if p.GuestUserRoleID != nil {
			v.GuestUserRoleID = *p.GuestUserRoleID
		}
		if p.DomainMode != nil {
			v.DomainMode = *p.DomainMode
		}
		if p.Domains != nil {
			v.Domains = *p.Domains
		}
		if v, err = v.Validate(); err != nil {
			return err
		}
		v.TenantID, v.UpdatedAt = t.ID, s.d.Clock.Now()
		if err := s.d.Store.PutCollaboration(ctx, v); err != nil {
			return fmt.Errorf("update collaboration settings: %w", err)
		}
		changes, err := audit.ChangesOf(
			audit.Prop{Name: "allowInvitesFrom", Set: p.AllowInvitesFrom != nil, Old: old.AllowInvitesFrom, New: v.AllowInvitesFrom},
			audit.Prop{Name: "guestUserRoleId", Set: p.GuestUserRoleID != nil, Old: old.GuestUserRoleID, New: v.GuestUserRoleID},
			audit.Prop{Name: "domainMode", Set: p.DomainMode != nil, Old: old.DomainMode, New: v.DomainMode},
			audit.Prop{Name: "domains", Set: p.Domains != nil, Old: old.Domains, New: v.Domains},
		)
		if err != nil {
			return err
		}
		out = v
		return audit.Write(ctx, s.d.Audit, audit.Record{
			TenantID: t.ID, Category: CategoryPolicy, Activity: ActivityUpdatePolicy, LoggedByService: "Core Directory",
			OperationType: audit.OperationUpdate, InitiatedBy: by,
			Targets: []audit.Target{{ID: "authorizationPolicy", DisplayName: "Authorization Policy", Type: "Policy", Modified: changes}},
		}, v.UpdatedAt)
	})
	return out, err
}

// CheckDomain refuses an invitation of address to t that the domain list
// does not allow (a *DomainError); the invitation service calls it.
func (s *Service) CheckDomain(ctx context.Context, t directory.Tenant, address string) error {
	v, err := s.Get(ctx, t)
	if err != nil {
		return err
	}
	return v.CheckDomain(address)
}
