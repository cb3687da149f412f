package branding

import (
	"context"
	"errors"
	"fmt"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/store"
)

// Service reads and changes branding.
type Service struct {
	store   Store
	clock   clock.Clock
	display displayCache // ForDisplay's (cache.go)
}

// NewService returns a Service over s.
func NewService(s Store, c clock.Clock) *Service { return &Service{store: s, clock: c} }

// Get returns the tenant's branding with the localization id lang ("" the
// default; matched ignoring case), or ErrNotFound.
func (s *Service) Get(ctx context.Context, tenantID, lang string) (Branding, error) {
	b, err := s.store.GetBranding(ctx, tenantID, lang)
	if errors.Is(err, store.ErrNotFound) {
		return Branding{}, ErrNotFound
	}
	if err != nil {
		return Branding{}, fmt.Errorf("get branding: %w", err)
	}
	return b, nil
}

// Update applies p to the tenant's branding with the localization id lang
// (an existing id in any case, else created as sent).
func (s *Service) Update(ctx context.Context, tenantID, lang string, p Patch) (Branding, error) {
	b, err := s.orNew(ctx, tenantID, lang)
	if err != nil {
		return Branding{}, err
	}
	if b, err = p.Apply(b); err != nil {
		return Branding{}, err
	}
	b.UpdatedAt = s.clock.Now()
	if err := s.store.PutBranding(ctx, b); err != nil {
		return Branding{}, fmt.Errorf("update branding: %w", err)
	}
	s.display.drop(tenantID)
	return b, nil
}

// SetLogo checks and stores the banner logo of the tenant's branding in lang.
func (s *Service) SetLogo(ctx context.Context, tenantID, lang, contentType string, data []byte) (Branding, error) {
	ct, err := CheckLogo(contentType, data)
	if err != nil {
		return Branding{}, err
	}
	b, err := s.orNew(ctx, tenantID, lang)
	if err != nil {
		return Branding{}, err
	}
	b.LogoType, b.Logo, b.UpdatedAt = ct, append([]byte(nil), data...), s.clock.Now()
	if err := s.store.PutBranding(ctx, b); err != nil {
		return Branding{}, fmt.Errorf("set banner logo: %w", err)
	}
	s.display.drop(tenantID)
	return b, nil
}

func (s *Service) orNew(ctx context.Context, tenantID, lang string) (Branding, error) {
	b, err := s.Get(ctx, tenantID, lang)
	if errors.Is(err, ErrNotFound) {
		return Branding{TenantID: tenantID, Lang: lang}, nil
	}
	return b, err
}

// List returns the tenant's branding rows, the default (if any) first.
func (s *Service) List(ctx context.Context, tenantID string) ([]Branding, error) {
	list, err := s.store.ListBranding(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list branding: %w", err)
	}
	return list, nil
}

// Create adds the localization id (kept as sent) with p applied, and the
// default branding if the tenant has none, as Graph does. ErrDefaultID
// for the default's ids, ErrExists when the id is taken.
func (s *Service) Create(ctx context.Context, tenantID, id string, p Patch) (Branding, error) {
	if IsDefaultID(id) {
		return Branding{}, ErrDefaultID
	}
	id, err := LocaleID(id)
	if err != nil {
		return Branding{}, err
	}
	if _, err := s.Get(ctx, tenantID, id); err == nil {
		return Branding{}, ErrExists
	} else if !errors.Is(err, ErrNotFound) {
		return Branding{}, err
	}
	b, err := p.Apply(Branding{TenantID: tenantID, Lang: id})
	if err != nil {
		return Branding{}, err
	}
	now := s.clock.Now()
	b.UpdatedAt = now
	if _, err := s.Get(ctx, tenantID, ""); errors.Is(err, ErrNotFound) {
		if err := s.store.PutBranding(ctx, Branding{TenantID: tenantID, UpdatedAt: now}); err != nil && !errors.Is(err, store.ErrAlreadyExists) {
			return Branding{}, fmt.Errorf("create default branding: %w", err)
		}
	} else if err != nil {
		return Branding{}, err
	}
	if err := s.store.PutBranding(ctx, b); errors.Is(err, store.ErrAlreadyExists) {
		return Branding{}, ErrExists
	} else if err != nil {
		return Branding{}, fmt.Errorf("create branding localization: %w", err)
	}
	s.display.drop(tenantID)
	return b, nil
}

// For is the branding pages and mail in lang show (Effective over the
// localization Best picks); the zero Branding when the tenant has none.
// lang is a page's language ("ja") or a localization id.
func (s *Service) For(ctx context.Context, tenantID, lang string) (Branding, error) {
	list, err := s.List(ctx, tenantID)
	if err != nil {
		return Branding{}, err
	}
	var def Branding
	ids := make([]string, 0, len(list))
	for _, b := range list {
		if b.Lang == "" {
			def = b
		}
		ids = append(ids, b.Lang)
	}
	best := Best(ids, lang)
	if best == "" {
		return def, nil
	}
	for _, b := range list {
		if b.Lang == best {
			return Effective(def, b), nil
		}
	}
	return def, nil
}
