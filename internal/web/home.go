package web

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/signin"
)

// homeStart is the home tenant's page for a guest signing in elsewhere:
// a live session of the member answers at once; otherwise the password.
func (h *Handler) homeStart(w http.ResponseWriter, r *http.Request) {
	home := tenantFrom(r.Context())
	hs, err := h.deps.SignIn.OpenHandoff(r.Context(), home, r.URL.Query().Get("handoff"), h.csrf.Browser(r))
	if err != nil {
		h.fail(w, r, home.DisplayName, err)
		return
	}
	if s, err := h.deps.Sessions.Lookup(r.Context(), home.ID, h.sessionToken(r, home.ID)); err == nil && h.deps.SignIn.SessionAnswers(r.Context(), hs, s) {
		http.Redirect(w, r, hs.ReturnURL(), http.StatusSeeOther)
		return
	}
	h.homePasswordPage(w, r, http.StatusOK, hs, "")
}

func (h *Handler) homePasswordPage(w http.ResponseWriter, r *http.Request, status int, hs signin.HomeSignIn, errMsg string) {
	l := lang(r)
	h.passwordPage(w, r, status, hs.Home, hs.Address, tenantPath(hs.Home, "/login/home"),
		map[string]string{"handoff": hs.Token}, errMsg, i18n.T(l, "home.intro", hs.Home.DisplayName, hs.From.DisplayName))
}

// homePassword takes the member's password at the home tenant and sends
// the browser back to the inviting tenant.
func (h *Handler) homePassword(w http.ResponseWriter, r *http.Request) {
	home := tenantFrom(r.Context())
	hs, err := h.deps.SignIn.OpenHandoff(r.Context(), home, r.PostFormValue("handoff"), h.csrf.Browser(r))
	if err != nil {
		h.fail(w, r, home.DisplayName, err)
		return
	}
	res, err := h.deps.SignIn.HomePassword(r.Context(), hs, r.PostFormValue("password"), clientAddr(r))
	if err != nil {
		msg, status, known := h.passwordError(w, r, err)
		if !known {
			h.fail(w, r, home.DisplayName, err)
			return
		}
		h.homePasswordPage(w, r, status, hs, msg)
		return
	}
	h.setSessionCookie(w, home, res.Token, res.Session.ExpiresAt)
	http.Redirect(w, r, res.Next, http.StatusSeeOther)
}

// homeReturn is the way back at the inviting tenant.
func (h *Handler) homeReturn(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	res, err := h.deps.SignIn.HomeReturn(r.Context(), t, r.URL.Query().Get("handoff"), h.csrf.Browser(r), func(tenantID string) string {
		return h.sessionToken(r, tenantID)
	})
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	h.finish(w, r, t, res)
}
