package web

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/signin"
)

// goElsewhere starts a route whose method proves the address elsewhere
// (signin.RedirectMethod: a home tenant of this deployment, a partner's
// SAML, OpenID Connect or Google sign-in) and sends the browser there.
// After a form post, another site is reached through a page of our own
// (toPartner): the form's CSP form-action does not name it.
func (h *Handler) goElsewhere(w http.ResponseWriter, r *http.Request, route signin.Route, next signin.Continuation) {
	to, err := h.deps.SignIn.StartRedirect(r.Context(), route, next, h.csrf.Ensure(w, r))
	if err != nil {
		h.fail(w, r, route.Tenant.DisplayName, err)
		return
	}
	if to.External && r.Method != http.MethodGet {
		h.toPartner(w, r, route.Tenant.DisplayName, to.URL)
		return
	}
	http.Redirect(w, r, to.URL, http.StatusSeeOther)
}
