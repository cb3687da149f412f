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

// Get returns the tenant's branding in lang ("" the default), or ErrNotFound.
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

// Update applies p to the tenant's branding in lang, creating it.
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

// For is the branding pages and mail in lang show (Effective); the zero
// Branding when the tenant has none.
func (s *Service) For(ctx context.Context, tenantID, lang string) (Branding, error) {
	def, err := s.Get(ctx, tenantID, "")
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Branding{}, err
	}
	if lang == "" {
		return def, nil
	}
	local, err := s.Get(ctx, tenantID, lang)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Branding{}, err
	}
	return Effective(def, local), nil
}
