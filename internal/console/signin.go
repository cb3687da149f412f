package console

import (
	"errors"
	"net"
	"net/http"

	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/signin"
)

type signInData struct{ Email string }

func (h *Handler) signInPage(w http.ResponseWriter, r *http.Request) {
	if _, err := h.signedIn(r); err == nil {
		http.Redirect(w, r, base(tenantOf(r))+"/", http.StatusSeeOther)
		return
	}
	h.signInForm(w, r, http.StatusOK, "", "")
}

func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request, status int, email, errMsg string) {
	v := h.newView(w, r, admin{}, "", "console.signin.title")
	v.Error, v.Data = errMsg, signInData{Email: email}
	h.render(w, r, status, "signin", v)
}

// signIn signs a member in with a password through the sign-in service
// (a route whose method checks a password), which starts the tenant's
// session. A guest or an unknown address gets the same answer as a wrong
// password.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) {
	t := tenantOf(r)
	l := lang(r)
	email := r.PostFormValue("email")
	refused := func(status int, key string) { h.signInForm(w, r, status, email, i18n.T(l, key, t.DisplayName)) }
	route, err := h.d.SignIn.BeginFor(r.Context(), t, email, consoleSignIn)
	if _, password := route.Method.(signin.PasswordMethod); err != nil || !password {
		if err != nil && !signin.IsRefusal(err) {
			h.fail(w, r, err)
			return
		}
		refused(http.StatusUnauthorized, "console.signin.refused")
		return
	}
	res, err := h.d.SignIn.CheckPassword(r.Context(), route, r.PostFormValue("password"), clientAddr(r), consoleSignIn)
	var throttled *member.ThrottledError
	switch {
	case errors.As(err, &throttled):
		refused(http.StatusTooManyRequests, "console.signin.throttled")
		return
	case errors.Is(err, member.ErrDisabled):
		refused(http.StatusForbidden, "console.signin.disabled")
		return
	case err != nil && signin.IsRefusal(err), errors.Is(err, member.ErrWrongPassword):
		refused(http.StatusUnauthorized, "console.signin.refused")
		return
	case err != nil:
		h.fail(w, r, err)
		return
	}
	h.setSession(w, t.ID, res.Token, res.Session.ExpiresAt)
	http.Redirect(w, r, base(t)+"/", http.StatusSeeOther)
}

// signOut ends the session at the tenant.
func (h *Handler) signOut(w http.ResponseWriter, r *http.Request, a admin) {
	token := httpx.ReadCookie(r, h.cfg.SecureCookies, httpx.SessionCookie(a.Tenant.ID))
	if err := h.d.Sessions.End(r.Context(), a.Tenant.ID, token); err != nil {
		h.fail(w, r, err)
		return
	}
	httpx.SetCookie(w, h.cfg.SecureCookies, httpx.SessionCookie(a.Tenant.ID), "", -1)
	http.Redirect(w, r, base(a.Tenant)+"/signin", http.StatusSeeOther)
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
