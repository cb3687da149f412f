package web

import (
	"errors"
	"net/http"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/signin"
)

// Self-service sign-up to an app (R13; signin/appsignup.go): a person
// with no account in the tenant who signs in to an app that offers
// sign-up chooses how they will sign in, and becomes a guest. The
// wording says "sign up … as a guest", unlike the consumers directory's
// "create an account" pages (signup.go).

func init() { pageNames = append(pageNames, "appsignup") }

// appSignUpRoutes adds the app sign-up pages to a tenant mux.
func (h *Handler) appSignUpRoutes(mux *http.ServeMux) {
	mux.HandleFunc("POST /signup/app/send", h.form(h.appSignUpSend))
	mux.HandleFunc("POST /signup/app/verify", h.form(h.appSignUpVerify))
	mux.HandleFunc("POST /signup/app/elsewhere", h.form(h.appSignUpElsewhere))
}

// offerAppSignUp shows the sign-up choices when the address may sign up
// to the request's app; it reports whether it answered.
func (h *Handler) offerAppSignUp(w http.ResponseWriter, r *http.Request, route signin.Route, reqID string) bool {
	o, err := h.deps.SignIn.OfferAppSignUp(r.Context(), route, reqID, h.csrf.Ensure(w, r))
	if errors.Is(err, signin.ErrSignUpDomain) {
		l := lang(r)
		h.r.render(w, r, http.StatusForbidden, "message", page{
			Lang: l, Title: i18n.T(l, "appsignup.domain_title"), TenantName: route.Tenant.DisplayName,
			Heading: i18n.T(l, "appsignup.domain_title"), Paragraphs: []string{i18n.T(l, "appsignup.domain_explain", route.Tenant.DisplayName)},
		})
		return true
	}
	if err != nil {
		h.fail(w, r, route.Tenant.DisplayName, err)
		return true
	}
	if o == nil {
		return false
	}
	h.appSignUpPage(w, r, *o)
	return true
}

func (h *Handler) appSignUpPage(w http.ResponseWriter, r *http.Request, o signin.AppSignUpOffer) {
	l := lang(r)
	t := o.Tenant
	// Hidden carries the offer's state; the opt_ keys only choose what
	// the template shows (it writes the state input itself).
	hidden := map[string]string{"state": o.Token}
	if o.Passcode {
		hidden["opt_passcode"] = "1"
	}
	if o.Home != nil {
		hidden["opt_home"] = o.Home.DisplayName
	}
	if o.Partner != "" {
		hidden["opt_partner"] = o.Partner
	}
	switch {
	case o.Personal && o.HasPersonal:
		hidden["opt_personal"] = "existing"
	case o.Personal:
		hidden["opt_personal"] = "create"
	}
	h.r.render(w, r, http.StatusOK, "appsignup", page{
		Lang: l, Title: i18n.T(l, "appsignup.title", o.AppName), TenantName: t.DisplayName,
		Heading: i18n.T(l, "appsignup.title", o.AppName), Paragraphs: []string{i18n.T(l, "appsignup.explain", t.DisplayName, o.AppName)},
		CSRF: h.csrf.Token(w, r), Action: tenantPath(t, "/signup/app/send"), ResendAction: tenantPath(t, "/signup/app/elsewhere"),
		Hidden: hidden, Address: o.Address,
	})
}

// appSignUpForm opens the offer a form posted (its CSRF token checked by form).
func (h *Handler) appSignUpForm(w http.ResponseWriter, r *http.Request) (directory.Tenant, signin.AppSignUpOffer, bool) {
	t := tenantFrom(r.Context())
	o, err := h.deps.SignIn.OpenAppSignUp(r.Context(), t, r.PostFormValue("state"), h.csrf.Browser(r))
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return t, o, false
	}
	return t, o, true
}

// appSignUpSend mails the code of the passcode choice.
func (h *Handler) appSignUpSend(w http.ResponseWriter, r *http.Request) {
	t, o, ok := h.appSignUpForm(w, r)
	if !ok {
		return
	}
	status, msg, flag := http.StatusOK, "", flagSent
	if err := h.deps.SignIn.SendAppSignUpCode(r.Context(), o, lang(r)); err != nil {
		var known bool
		if msg, status, known = h.passcodeError(w, r, err); !known {
			h.fail(w, r, t.DisplayName, err)
			return
		}
		flag = ""
	}
	h.appSignUpCodePage(w, r, status, t, o, flag, msg)
}

// appSignUpCodePage renders the enter-code page of an app sign-up from
// the sign-up code's state.
func (h *Handler) appSignUpCodePage(w http.ResponseWriter, r *http.Request, status int, t directory.Tenant, o signin.AppSignUpOffer, flag, msg string) {
	st, err := h.deps.SignIn.AppSignUpCodeState(r.Context(), o)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	h.codePage(w, r, status, t, st, o.Address, tenantPath(t, "/signup/app/verify"), tenantPath(t, "/signup/app/send"),
		map[string]string{"state": o.Token}, flag, msg)
}

// appSignUpVerify takes the code: the guest is created and signed in.
func (h *Handler) appSignUpVerify(w http.ResponseWriter, r *http.Request) {
	t, o, ok := h.appSignUpForm(w, r)
	if !ok {
		return
	}
	res, err := h.deps.SignIn.CompleteAppSignUpPasscode(r.Context(), o, r.PostFormValue("code"))
	if err != nil {
		if flag, ok := refusalFlag(err); ok {
			h.appSignUpCodePage(w, r, http.StatusBadRequest, t, o, flag, "")
			return
		}
		msg, status, known := h.passcodeError(w, r, err)
		if !known {
			h.fail(w, r, t.DisplayName, err)
			return
		}
		h.appSignUpCodePage(w, r, status, t, o, "", msg)
		return
	}
	h.finish(w, r, t, res)
}

// appSignUpElsewhere goes to prove the address at the home tenant, at the
// partner's identity provider, or with a personal account.
func (h *Handler) appSignUpElsewhere(w http.ResponseWriter, r *http.Request) {
	t, o, ok := h.appSignUpForm(w, r)
	if !ok {
		return
	}
	to, err := h.deps.SignIn.StartAppSignUpElsewhere(r.Context(), o, r.PostFormValue("choice"), h.csrf.Browser(r))
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	if to.External {
		h.toPartner(w, r, t.DisplayName, to.URL)
		return
	}
	http.Redirect(w, r, to.URL, http.StatusSeeOther)
}
