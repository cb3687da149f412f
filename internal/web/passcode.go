package web

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
)

// codePage renders the enter-code page, with an error message if any.
// formOrigins are the origins beyond the tenant's apps that the code's
// success may redirect to (an invitation's redirect URL).
func (h *Handler) codePage(w http.ResponseWriter, r *http.Request, status int, t directory.Tenant, address, action, resend string, hidden map[string]string, errMsg string, formOrigins ...string) {
	l := lang(r)
	h.r.render(w, r, status, "code", page{
		FormTenantID: t.ID, FormOrigins: formOrigins,
		Lang: l, Title: i18n.T(l, "otp.enter_code_title"), TenantName: t.DisplayName,
		CSRF: h.csrf.token(w, r), Action: action, ResendAction: resend, Hidden: hidden,
		Address: address, ValidMinutes: int(h.deps.SignIn.PasscodeValidity().Minutes()), Error: errMsg,
	})
}
