package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
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
	h.r.render(w, r, http.StatusBadRequest, "tenant_context", page{Lang: l, Title: i18n.T(l, "context.title"), Heading: i18n.T(l, "context.title"),
		Paragraphs: []string{i18n.T(l, "context.explain")}, Error: errMsg, RequestID: httpx.RequestID(r.Context())})
}

// UnknownTenant says that the {tenant} of a URL matches no tenant (R5: an
// error, never a fallback).
func (h *Handler) UnknownTenant(w http.ResponseWriter, r *http.Request, name string) {
	l := lang(r)
	h.r.render(w, r, http.StatusNotFound, "message", page{
		Lang: l, Title: i18n.T(l, "tenant.unknown_title"),
		Heading: i18n.T(l, "tenant.unknown_title"), Paragraphs: []string{i18n.T(l, "tenant.unknown_quoted", name), i18n.T(l, "tenant.todo")},
		RequestID: httpx.RequestID(r.Context()),
	})
}

// signInToOrganization takes a verified domain and continues at that
// tenant's sign-in, with tenant context.
func (h *Handler) signInToOrganization(w http.ResponseWriter, r *http.Request) {
	l := lang(r)
	raw := strings.TrimSpace(r.URL.Query().Get("domain"))
	if raw == "" {
		h.tenantContextPage(w, r, i18n.T(l, "context.enter_domain"))
		return
	}
	domain, err := directory.NormalizeDomain(raw)
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

// AuthorizeError is the page for an app's sign-in request the provider
// refused before it could send the browser back to the app (an unknown
// client_id, a redirect_uri the app did not register): what happened,
// what to do, the protocol's description for the app's owner, and the
// request id. A client that asked for JSON gets the OAuth error instead
// (the caller decides).
func (h *Handler) AuthorizeError(w http.ResponseWriter, r *http.Request, status int, description string) {
	l := lang(r)
	t := tenantFrom(r.Context())
	p := page{
		Lang: l, Title: i18n.T(l, "authorize.title"), TenantName: t.DisplayName, Heading: i18n.T(l, "authorize.title"),
		Paragraphs: []string{i18n.T(l, "authorize.explain", h.cfg.name()), i18n.T(l, "authorize.todo")},
		RequestID:  httpx.RequestID(r.Context()),
	}
	if description != "" {
		p.Paragraphs = append(p.Paragraphs, i18n.T(l, "authorize.detail", description))
	}
	h.r.render(w, r, status, "message", p)
}

// NotFound is the page for an address under a tenant that serves nothing:
// in the guest's language, with the way back, never Go's plain text.
func (h *Handler) NotFound(w http.ResponseWriter, r *http.Request) {
	l := lang(r)
	h.r.render(w, r, http.StatusNotFound, "message", page{
		Lang: l, Title: i18n.T(l, "notfound.title"), TenantName: tenantFrom(r.Context()).DisplayName,
		Heading: i18n.T(l, "notfound.title"), Paragraphs: []string{i18n.T(l, "notfound.explain"), i18n.T(l, "notfound.todo")},
		RequestID: httpx.RequestID(r.Context()),
	})
}

// myAppsAlias sends /{tenant}/myapps, the name guests know from Microsoft's
// My Apps, to the tenant's My Apps page.
func (h *Handler) myAppsAlias(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, tenantPath(tenantFrom(r.Context()), "/"), http.StatusSeeOther)
}
