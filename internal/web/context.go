package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/store"
)

// TenantContextRequired explains R5: guests must come through a URL that
// names the tenant; /common, /organizations and the bare portal never fall
// through to some tenant. The page offers "Sign in to an organization".
func (h *Handler) TenantContextRequired(w http.ResponseWriter, r *http.Request) {
	h.tenantContextPage(w, r, "")
}

func (h *Handler) tenantContextPage(w http.ResponseWriter, r *http.Request, errMsg string) {
	l := lang(r)
	h.r.render(w, r, http.StatusBadRequest, "tenant_context", page{Lang: l, Title: i18n.T(l, "context.title"), Error: errMsg})
}

// UnknownTenant says that the {tenant} of a URL matches no tenant (R5: an
// error, never a fallback).
func (h *Handler) UnknownTenant(w http.ResponseWriter, r *http.Request, name string) {
	l := lang(r)
	h.r.render(w, r, http.StatusNotFound, "message", page{
		Lang: l, Title: i18n.T(l, "tenant.unknown_title"),
		Heading: i18n.T(l, "tenant.unknown_title"), Paragraphs: []string{i18n.T(l, "tenant.unknown", name)},
	})
}

// signInToOrganization takes a verified domain and continues at that
// tenant's sign-in, with tenant context.
func (h *Handler) signInToOrganization(w http.ResponseWriter, r *http.Request) {
	l := lang(r)
	domain, err := directory.NormalizeDomain(r.URL.Query().Get("domain"))
	if err != nil {
		h.tenantContextPage(w, r, i18n.T(l, "context.unknown_domain", r.URL.Query().Get("domain")))
		return
	}
	if _, err := h.deps.Directory.GetTenantByDomain(r.Context(), domain); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			h.fail(w, r, "", err)
			return
		}
		h.tenantContextPage(w, r, i18n.T(l, "context.unknown_domain", domain))
		return
	}
	http.Redirect(w, r, "/"+url.PathEscape(domain)+"/", http.StatusSeeOther)
}
