package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/guestgate/guestgate/internal/directory"

	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/signin"
)

// myApps is the "My Apps" page at /{tenant}: the signed-in guest's apps.
// Without a live session it goes to sign-in first (R4).
func (h *Handler) myApps(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	s, err := h.deps.Sessions.Lookup(r.Context(), t.ID, h.sessionToken(r, t.ID))
	if err != nil {
		http.Redirect(w, r, tenantPath(t, "/login"), http.StatusSeeOther)
		return
	}
	// The user must still be allowed in (R9, a disabled or deleted account).
	if _, err := h.deps.SignIn.ContinueSession(r.Context(), t, s, signin.Continuation{}); err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	u, err := h.deps.Directory.GetUser(r.Context(), t.ID, s.UserID)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	apps, err := h.appLinks(r.Context(), t.ID)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	l := lang(r)
	h.r.render(w, r, http.StatusOK, "myapps", page{
		Lang: l, Title: i18n.T(l, "myapps.title"), TenantName: t.DisplayName,
		CSRF: h.csrf.Token(w, r), Action: tenantPath(t, "/signout"), Address: u.Mail, Apps: apps,
	})
}

// EndBrowserSession ends this browser's session at a tenant and clears its
// cookie; the provider calls it at RP-initiated logout.
func (h *Handler) EndBrowserSession(w http.ResponseWriter, r *http.Request, tenantID string) error {
	t := directory.Tenant{ID: tenantID}
	if err := h.deps.Sessions.End(r.Context(), tenantID, h.sessionToken(r, t.ID)); err != nil {
		return err
	}
	h.clearSessionCookie(w, t)
	return nil
}

// appLinks lists the tenant's apps that people sign in to (those with a
// redirect URI), each linked to the origin of its first redirect URI.
// guestgate has no app assignments yet, so every guest sees every such app.
func (h *Handler) appLinks(ctx context.Context, tenantID string) ([]appLink, error) {
	if h.deps.Apps == nil {
		return nil, nil
	}
	apps, err := h.deps.Apps.ListApps(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var links []appLink
	for _, a := range apps {
		if len(a.RedirectURIs) == 0 {
			continue
		}
		link := appLink{Name: a.DisplayName}
		if u, err := url.Parse(a.RedirectURIs[0]); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			link.URL = u.Scheme + "://" + u.Host + "/"
		}
		links = append(links, link)
	}
	return links, nil
}
