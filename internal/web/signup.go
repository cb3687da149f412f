package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/signin"
)

// The consumers directory's sign-up pages (signin/signup.go): under
// /{directory.ConsumersTenantID}/signup, a person proves an address with
// a mailed code and chooses a password, creating a personal account (or,
// sent here by an invitation whose fallback says so, an account in the
// unmanaged tenant of their domain).

func init() { pageNames = append(pageNames, "signup") }

// signUpRoutes adds the sign-up pages to a tenant mux.
func (h *Handler) signUpRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /signup", h.signUpStart)
	mux.HandleFunc("POST /signup/start", h.form(h.signUpAddress))
	mux.HandleFunc("POST /signup/send", h.form(h.signUpSend))
	mux.HandleFunc("POST /signup/verify", h.form(h.signUpVerify))
	h.appSignUpRoutes(mux)
}

// signUpTenant is the consumers directory, the only tenant with these pages.
func (h *Handler) signUpTenant(w http.ResponseWriter, r *http.Request) (directory.Tenant, bool) {
	t := tenantFrom(r.Context())
	if !directory.IsConsumers(t.ID) {
		http.NotFound(w, r)
		return t, false
	}
	return t, true
}

// signUpStart opens a sign-up: from an invitation (state), or, with no
// state, the form that asks anyone for the address of a new personal account.
func (h *Handler) signUpStart(w http.ResponseWriter, r *http.Request) {
	t, ok := h.signUpTenant(w, r)
	if !ok {
		return
	}
	state := r.URL.Query().Get("state")
	if state == "" {
		h.signUpPage(w, r, http.StatusOK, t, signin.SignUp{}, "")
		return
	}
	su, ok := h.openSignUp(w, r, t, state)
	if ok {
		h.signUpPage(w, r, http.StatusOK, t, su, "")
	}
}

func (h *Handler) openSignUp(w http.ResponseWriter, r *http.Request, t directory.Tenant, state string) (signin.SignUp, bool) {
	su, err := h.deps.SignIn.OpenSignUp(r.Context(), state, h.csrf.Browser(r))
	if err != nil {
		h.signUpFail(w, r, t, err)
		return su, false
	}
	if su.SignInURL != "" {
		// A second sign-up for an address with the account: sign in with it.
		http.Redirect(w, r, su.SignInURL, http.StatusSeeOther)
		return su, false
	}
	return su, true
}

// signUpAddress takes the address of a personal account signed up for
// with no invitation.
func (h *Handler) signUpAddress(w http.ResponseWriter, r *http.Request) {
	t, ok := h.signUpTenant(w, r)
	if !ok {
		return
	}
	addr, err := formAddress(r)
	if err != nil {
		h.signUpPage(w, r, http.StatusBadRequest, t, signin.SignUp{}, i18n.T(lang(r), "signin.err_address"))
		return
	}
	u, err := h.deps.SignIn.StartPersonalSignUp(addr, h.csrf.Browser(r))
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// signUpForm opens the state a sign-up form posted (its CSRF token checked by form).
func (h *Handler) signUpForm(w http.ResponseWriter, r *http.Request) (directory.Tenant, signin.SignUp, bool) {
	t, ok := h.signUpTenant(w, r)
	if !ok {
		return t, signin.SignUp{}, false
	}
	su, ok := h.openSignUp(w, r, t, r.PostFormValue("state"))
	return t, su, ok
}

// signUpSend mails the code that proves the address (R3's limits).
func (h *Handler) signUpSend(w http.ResponseWriter, r *http.Request) {
	t, su, ok := h.signUpForm(w, r)
	if !ok {
		return
	}
	status, msg := http.StatusOK, ""
	if err := h.deps.SignIn.SendSignUpCode(r.Context(), su, lang(r)); err != nil {
		var known bool
		if msg, status, known = h.passcodeError(w, r, err); !known {
			h.signUpFail(w, r, t, err)
			return
		}
	}
	h.signUpCodePage(w, r, status, t, su, msg)
}

// signUpVerify takes the code and the password and creates the account.
func (h *Handler) signUpVerify(w http.ResponseWriter, r *http.Request) {
	t, su, ok := h.signUpForm(w, r)
	if !ok {
		return
	}
	res, err := h.deps.SignIn.CompleteSignUp(r.Context(), su, r.PostFormValue("code"), r.PostFormValue("displayName"), r.PostFormValue("password"))
	if err != nil {
		var verr *member.ValidationError
		if errors.As(err, &verr) {
			h.signUpCodePage(w, r, http.StatusBadRequest, t, su, i18n.T(lang(r), "signup.err_password", verr.Message))
			return
		}
		if errors.Is(err, signin.ErrNotInvited) {
			h.fail(w, r, su.From.DisplayName, err)
			return
		}
		msg, status, known := h.passcodeError(w, r, err)
		if !known {
			h.signUpFail(w, r, t, err)
			return
		}
		h.signUpCodePage(w, r, status, t, su, msg)
		return
	}
	if res.Token != "" {
		h.setSessionCookie(w, res.Home, res.Token, res.Session.ExpiresAt)
	}
	// No session: the proved address had its account already; sign in.
	http.Redirect(w, r, res.Next, http.StatusSeeOther)
}

// signUpFail explains why no account can be made here.
func (h *Handler) signUpFail(w http.ResponseWriter, r *http.Request, t directory.Tenant, err error) {
	if errors.Is(err, signin.ErrSignUpUnavailable) {
		l := lang(r)
		h.r.render(w, r, http.StatusForbidden, "message", page{
			Lang: l, Title: i18n.T(l, "signup.unavailable_title"), TenantName: t.DisplayName,
			Heading: i18n.T(l, "signup.unavailable_title"), Paragraphs: []string{i18n.T(l, "signup.unavailable")},
		})
		return
	}
	h.fail(w, r, t.DisplayName, err)
}

func (h *Handler) signUpPage(w http.ResponseWriter, r *http.Request, status int, t directory.Tenant, su signin.SignUp, errMsg string) {
	l := lang(r)
	p := page{Lang: l, Title: i18n.T(l, "signup.title"), TenantName: t.DisplayName, CSRF: h.csrf.Token(w, r), Error: errMsg}
	p.Heading, p.Paragraphs = signUpWords(l, su)
	if su.Token == "" {
		p.Action = tenantPath(t, "/signup/start")
	} else {
		p.Action, p.Address, p.Hidden = tenantPath(t, "/signup/send"), su.Address, map[string]string{"state": su.Token}
	}
	h.r.render(w, r, status, "signup", p)
}

func (h *Handler) signUpCodePage(w http.ResponseWriter, r *http.Request, status int, t directory.Tenant, su signin.SignUp, errMsg string) {
	l := lang(r)
	p := page{
		Lang: l, Title: i18n.T(l, "signup.title"), TenantName: t.DisplayName, CSRF: h.csrf.Token(w, r), Error: errMsg,
		Action: tenantPath(t, "/signup/verify"), ResendAction: tenantPath(t, "/signup/send"),
		Hidden: map[string]string{"state": su.Token}, Address: su.Address,
		ValidMinutes: int(h.deps.SignIn.PasscodeValidity().Minutes()),
	}
	p.Heading, p.Paragraphs = signUpWords(l, su)
	h.r.render(w, r, status, "signup", p)
}

// signUpWords are the heading and explanation of a sign-up: a personal
// account, or (a tenant's fallback) an account for the domain. A tenant's
// sign-in sends here invited guests and, alike, addresses it does not know
// (docs/security.md, Enumeration), so the words never say "invited you"
// (R15: that is said, truthfully, once the address is proved).
func signUpWords(l string, su signin.SignUp) (string, []string) {
	if su.Unmanaged {
		d := su.Address[strings.LastIndexByte(su.Address, '@')+1:]
		return i18n.T(l, "signup.unmanaged_heading", d), []string{i18n.T(l, "unmanaged.signup.unmanaged_explain", su.From.DisplayName, d)}
	}
	if su.Token != "" && !directory.IsConsumers(su.From.ID) {
		return i18n.T(l, "signup.personal_heading"), []string{i18n.T(l, "unmanaged.signup.personal_needed", su.From.DisplayName)}
	}
	return i18n.T(l, "signup.personal_heading"), []string{i18n.T(l, "signup.personal_explain")}
}
