package console

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/roles"
)

// routes are the console's pages and forms. Every change is a POST with a
// CSRF token, checked before anything else, then the member's permission.
func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, base(tenantOf(r))+"/", http.StatusSeeOther)
	})
	m.HandleFunc("GET /admin/signin", h.signInPage)
	m.HandleFunc("POST /admin/signin", h.signIn)
	m.HandleFunc("POST /admin/signout", h.change(h.signOut))
	m.HandleFunc("GET /admin/{$}", h.page(h.overview))

	m.HandleFunc("GET /admin/users", h.page(h.users))
	m.HandleFunc("GET /admin/users/{id}", h.page(h.user))
	m.HandleFunc("GET /admin/users/{id}/reset", h.page(h.confirmReset))
	m.HandleFunc("POST /admin/users/{id}/reset", h.change(h.resetRedemption, roles.UserReadWriteAll))
	m.HandleFunc("POST /admin/users/{id}/resend", h.change(h.resendInvitation))
	m.HandleFunc("POST /admin/users/{id}/revoke", h.change(h.revokeSessions, roles.UserReadWriteAll))
	m.HandleFunc("POST /admin/users/{id}/enable", h.change(h.setEnabled(true), roles.UserReadWriteAll))
	m.HandleFunc("POST /admin/users/{id}/disable", h.change(h.setEnabled(false), roles.UserReadWriteAll))
	m.HandleFunc("GET /admin/users/{id}/delete", h.page(h.confirmDelete))
	m.HandleFunc("POST /admin/users/{id}/delete", h.change(h.deleteUser, roles.UserReadWriteAll))

	m.HandleFunc("GET /admin/invite", h.page(h.invitePage))
	m.HandleFunc("POST /admin/invite", h.change(h.invite))
	m.HandleFunc("POST /admin/invite/bulk", h.limitUpload(h.change(h.bulkUpload)))
	m.HandleFunc("GET /admin/invite/bulk/{id}", h.page(h.bulkStatus))
	m.HandleFunc("GET /admin/invite/bulk/{id}/results.csv", h.page(h.bulkResultCSV))
	m.HandleFunc("GET /admin/invite/template.csv", h.page(h.bulkTemplate))

	m.HandleFunc("GET /admin/identity-providers", h.page(h.identityProviders))
	m.HandleFunc("GET /admin/identity-providers/email-otp", h.page(h.emailOTPPane))
	m.HandleFunc("POST /admin/identity-providers/email-otp", h.change(h.emailOTPConfirm, roles.PolicyReadWriteAuthn))
	m.HandleFunc("POST /admin/identity-providers/email-otp/save", h.change(h.emailOTPSave, roles.PolicyReadWriteAuthn))
	for _, k := range []idpKind{samlKind, oidcKind, googleKind} {
		m.HandleFunc("GET /admin/identity-providers/"+k.path, h.page(h.addIdPPage(k)))
		m.HandleFunc("POST /admin/identity-providers/"+k.path, h.change(h.addIdP(k), roles.PolicyReadWriteIdP))
	}
	m.HandleFunc("GET /admin/identity-providers/{id}/remove", h.page(h.confirmRemoveIdP))
	m.HandleFunc("POST /admin/identity-providers/{id}/remove", h.change(h.removeIdP, roles.PolicyReadWriteIdP))

	m.HandleFunc("GET /admin/collaboration", h.page(h.collabPage))
	m.HandleFunc("POST /admin/collaboration", h.change(h.collabSave, roles.PolicyReadWriteAuthz))

	m.HandleFunc("GET /admin/logs/signins", h.page(h.signInLog))
	m.HandleFunc("GET /admin/logs/audit", h.page(h.auditLog))

	m.HandleFunc("/admin/", func(w http.ResponseWriter, r *http.Request) {
		h.messagePage(w, r, admin{}, http.StatusNotFound, "console.notfound.title")
	})
}

// maxUpload bounds a bulk invitation CSV (a few thousand rows).
const maxUpload = 4 << 20

func (h *Handler) limitUpload(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
		next(w, r)
	}
}
