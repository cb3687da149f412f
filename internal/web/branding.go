package web

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/branding"
)

// bannerLogo serves a tenant's banner logo to pages and mail clients,
// with safe headers (branding.WriteLogo). Anything unknown is a plain 404.
func (h *Handler) bannerLogo(w http.ResponseWriter, r *http.Request) {
	if h.deps.Branding == nil {
		http.NotFound(w, r)
		return
	}
	lang := r.PathValue("lang")
	if lang == "default" {
		lang = ""
	} else if l, err := branding.LocaleID(lang); err != nil || l != lang {
		http.NotFound(w, r)
		return
	}
	b, err := h.deps.Branding.For(r.Context(), r.PathValue("tenant"), lang)
	if err != nil || b.LogoType == "" || b.Lang != lang {
		http.NotFound(w, r)
		return
	}
	branding.WriteLogo(w, b)
}
