package console

import (
	"errors"
	"net/http"

	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

// loadFederation is the federation of the path's id, or false when the
// page was answered (403 without the permission, 404 for an unknown or
// built-in id).
func (h *Handler) loadFederation(w http.ResponseWriter, r *http.Request, a admin) (federation.Federation, bool) {
	if !a.may(roles.PolicyReadWriteIdP) || h.d.Federations == nil {
		h.forbidden(w, r, a)
		return federation.Federation{}, false
	}
	f, err := h.d.Federations.Get(r.Context(), a.Tenant.ID, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		h.messagePage(w, r, a, http.StatusNotFound, "console.notfound.title")
		return f, false
	}
	if err != nil {
		h.fail(w, r, err)
		return f, false
	}
	return f, true
}

// confirmRemoveIdP says what removing a federation does (R7) before it is done.
func (h *Handler) confirmRemoveIdP(w http.ResponseWriter, r *http.Request, a admin) {
	f, ok := h.loadFederation(w, r, a)
	if !ok {
		return
	}
	v := h.newView(w, r, a, "idps", "console.idps.remove.title", f.DisplayName)
	v.Data = confirmData{Heading: v.Title, Paragraphs: []string{i18n.T(v.Lang, "console.idps.remove.r7")},
		Action: base(a.Tenant) + "/identity-providers/" + f.ID + "/remove", Button: i18n.T(v.Lang, "console.idps.remove.button"),
		Danger: true, CancelURL: base(a.Tenant) + "/identity-providers"}
	h.render(w, r, http.StatusOK, "confirm", v)
}

// removeIdP deletes a federation with the service the API uses (its audit record).
func (h *Handler) removeIdP(w http.ResponseWriter, r *http.Request, a admin) {
	f, ok := h.loadFederation(w, r, a)
	if !ok {
		return
	}
	if err := h.d.Federations.Delete(r.Context(), a.Tenant, f.ID, a.actor()); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, base(a.Tenant)+"/identity-providers?removed=1", http.StatusSeeOther)
}
