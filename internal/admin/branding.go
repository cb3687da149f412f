package admin

import (
	"context"

	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/directory"
)

// Branding is the operator's company branding (guestgate branding …).
type Branding struct {
	branding  *branding.Service
	publicURL string
}

// NewBranding builds Branding; publicURL prefixes the logo's link.
func NewBranding(s *branding.Service, publicURL string) (Branding, error) {
	if s == nil {
		return Branding{}, errMissing("the branding service")
	}
	return Branding{branding: s, publicURL: publicURL}, nil
}

// Branding returns the tenant's branding in lang ("" the default), or
// branding.ErrNotFound (`guestgate branding show`).
func (b Branding) Branding(ctx context.Context, t directory.Tenant, lang string) (branding.Branding, error) {
	return b.branding.Get(ctx, t.ID, lang)
}

// UpdateBranding changes the tenant's branding in lang (`guestgate branding set`).
func (b Branding) UpdateBranding(ctx context.Context, t directory.Tenant, lang string, p branding.Patch) (branding.Branding, error) {
	return b.branding.Update(ctx, t.ID, lang, p)
}

// SetBannerLogo checks and stores the tenant's banner logo in lang.
func (b Branding) SetBannerLogo(ctx context.Context, t directory.Tenant, lang string, data []byte) (branding.Branding, error) {
	return b.branding.SetLogo(ctx, t.ID, lang, "", data)
}

// LogoURL is the public URL of br's banner logo ("" without one).
func (b Branding) LogoURL(br branding.Branding) string {
	if br.LogoType == "" {
		return ""
	}
	return b.publicURL + branding.LogoPath(br)
}
