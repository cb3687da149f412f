package console

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/i18n"
)

// notAdministered is the 403 page of every console path of a tenant that
// nobody administers (directory.Tenant.Administered: an unmanaged tenant,
// the consumers directory). Its accounts are self-service sign-ups, not
// staff: no page, no sign-in, no change, whatever they hold (R15).
func (h *Handler) notAdministered(w http.ResponseWriter, r *http.Request) {
	h.messagePage(w, r, admin{}, http.StatusForbidden, "unmanaged.console.title",
		i18n.T(lang(r), "unmanaged.console.explain", tenantOf(r).DisplayName))
}
