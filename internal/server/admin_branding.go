package server

import (
	"context"

	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/directory"
)

// Branding returns the tenant's branding in lang ("" the default), or
// branding.ErrNotFound (`guestgate branding show`).
func (s *Server) Branding(ctx context.Context, t directory.Tenant, lang string) (branding.Branding, error) {
	return s.branding.Get(ctx, t.ID, lang)
}

// UpdateBranding changes the tenant's branding in lang (`guestgate branding set`).
func (s *Server) UpdateBranding(ctx context.Context, t directory.Tenant, lang string, p branding.Patch) (branding.Branding, error) {
	return s.branding.Update(ctx, t.ID, lang, p)
}

// SetBannerLogo checks and stores the tenant's banner logo in lang.
func (s *Server) SetBannerLogo(ctx context.Context, t directory.Tenant, lang string, data []byte) (branding.Branding, error) {
	return s.branding.SetLogo(ctx, t.ID, lang, "", data)
}

// LogoURL is the public URL of b's banner logo ("" without one).
func (s *Server) LogoURL(b branding.Branding) string {
	if b.LogoType == "" {
		return ""
	}
	return s.cfg.PublicURL + branding.LogoPath(b)
}
