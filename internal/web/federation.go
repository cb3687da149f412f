package web

import (
	"errors"
	"net/http"

	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/i18n"
)

// toPartner moves the browser on to the partner's sign-in URL u after a
// form post: browsers hold a redirect to the partner to this page's CSP
// form-action, which names only guestgate and the tenant's apps. A page
// that moves on by itself (and offers the link) is a navigation, not a
// form submission.
func (h *Handler) toPartner(w http.ResponseWriter, r *http.Request, tenantName, u string) {
	l := lang(r)
	h.r.render(w, r, http.StatusOK, "message", page{
		Lang: l, Title: i18n.T(l, "federation.continue_title"), TenantName: tenantName,
		Heading: i18n.T(l, "federation.continue_title"), Paragraphs: []string{i18n.T(l, "federation.continue_explain")},
		LinkURL: u, LinkText: i18n.T(l, "federation.continue"), Refresh: "0;url=" + u,
	})
}

// samlACS is the tenant's SAML assertion consumer service: the partner's
// response arrives as a cross-site POST (no cookie, no CSRF token: the
// signature, the RelayState sealed by guestgate and InResponseTo protect
// it), and the browser goes on to a same-site page that checks it is the
// browser that started.
func (h *Handler) samlACS(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, t.DisplayName, errBadRequest)
		return
	}
	next, err := h.deps.SignIn.FederationCallback(r.Context(), t, r.PostForm.Get("RelayState"), r)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// oidcCallback is the tenant's redirect URI for OpenID Connect federation.
func (h *Handler) oidcCallback(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	next, err := h.deps.SignIn.FederationCallback(r.Context(), t, r.URL.Query().Get("state"), r)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// federationReturn finishes the sign-in in the browser that started it.
func (h *Handler) federationReturn(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	res, err := h.deps.SignIn.FederationReturn(r.Context(), t, r.URL.Query().Get("proof"), h.csrf.Browser(r))
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	h.finish(w, r, t, res)
}

// samlMetadata publishes the tenant's SAML service-provider metadata for
// partners to configure their side.
func (h *Handler) samlMetadata(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	if h.deps.SAMLMetadata == nil {
		http.NotFound(w, r)
		return
	}
	md, err := h.deps.SAMLMetadata(t.ID)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	_, _ = w.Write(md)
}

// federationPage explains a federation failure (fail's cases for them).
func federationPage(l, tenantName string, err error) (heading, text string, status int, ok bool) {
	var pe *federation.PartnerError
	switch {
	case errors.As(err, &pe):
		status = http.StatusForbidden
		if pe.Problem == federation.ProblemUnreachable {
			status = http.StatusBadGateway
		}
		return i18n.T(l, "fed.title"), i18n.T(l, "fed.problem."+string(pe.Problem), tenantName), status, true
	case errors.Is(err, federation.ErrRemoved):
		return i18n.T(l, "fed.removed.title"), i18n.T(l, "fed.removed.explain", tenantName), http.StatusForbidden, true
	}
	return "", "", 0, false
}
