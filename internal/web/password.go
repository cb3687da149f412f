package web

import (
	"net"
	"net/http"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/signin"
)

// passwordPage asks a member for their password.
func (h *Handler) passwordPage(w http.ResponseWriter, r *http.Request, status int, t directory.Tenant, address, action string, hidden map[string]string, errMsg string, intro ...string) {
	l := lang(r)
	h.r.render(w, r, status, "password", page{
		Lang: l, Title: i18n.T(l, "password.title"), TenantName: t.DisplayName, Heading: i18n.T(l, "password.title"),
		Paragraphs: intro, CSRF: h.csrf.Token(w, r), Action: action, Hidden: hidden, Address: address, Error: errMsg,
	})
}

// loginPassword takes a member's password at their own tenant.
func (h *Handler) loginPassword(w http.ResponseWriter, r *http.Request) {
	route, reqID, ok := h.loginForm(w, r)
	if !ok {
		return
	}
	t := route.Tenant
	res, err := h.deps.SignIn.CheckPassword(r.Context(), route, r.PostFormValue("password"), clientAddr(r), signin.Continuation{AuthRequestID: reqID})
	if err != nil {
		msg, status, known := h.passwordError(w, r, err)
		if !known {
			h.fail(w, r, t.DisplayName, err)
			return
		}
		h.passwordPage(w, r, status, t, route.User.Mail, tenantPath(t, "/login/password"),
			map[string]string{"authRequestID": reqID, "email": route.User.Mail}, msg)
		return
	}
	h.finish(w, r, t, res)
}

// clientAddr is the client's IP address, for the password throttle: the
// request's (httpx.ClientOf, which believes X-Forwarded-For only from the
// deployment's trusted proxies), else the connection's peer.
func clientAddr(r *http.Request) string {
	if a := httpx.ClientOf(r.Context()).Addr; a != "" {
		return a
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
