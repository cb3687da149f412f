package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/session"
	"github.com/guestgate/guestgate/internal/signin"
)

// loginStart is where an app's sign-in (or My Apps) lands: a live session
// signs in silently (R4); otherwise the person gives their address.
func (h *Handler) loginStart(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	reqID := r.URL.Query().Get("authRequestID")
	ar, err := h.deps.SignIn.AuthRequest(r.Context(), t, reqID)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	if s, err := h.deps.Sessions.Lookup(r.Context(), t.ID, h.sessionToken(r, t.ID)); err == nil && ar.Reusable(s, h.deps.Clock.Now()) {
		next, err := h.deps.SignIn.ContinueSession(r.Context(), t, s, signin.Continuation{AuthRequestID: reqID})
		if ar.PromptNone && reqID != "" && errors.Is(err, assignment.ErrNotAssigned) {
			// No page may be shown (prompt=none, a silent renewal): the
			// app hears the refusal (R16) instead.
			next, err = h.deps.SignIn.FailAuthRequest(r.Context(), t, reqID, "access_denied")
		}
		switch {
		case err == nil:
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		case !errors.Is(err, session.ErrRevoked):
			h.fail(w, r, t.DisplayName, err)
			return
		}
		// An admin ended the user's sessions: sign in again, as without one.
	}
	if ar.PromptNone && reqID != "" {
		next, err := h.deps.SignIn.FailAuthRequest(r.Context(), t, reqID, "login_required")
		if err != nil {
			h.fail(w, r, t.DisplayName, err)
			return
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.signinPage(w, r, http.StatusOK, t, reqID, ar.LoginHint, "")
}

func (h *Handler) signinPage(w http.ResponseWriter, r *http.Request, status int, t directory.Tenant, reqID, address, errMsg string) {
	l := lang(r)
	h.r.render(w, r, status, "signin", page{
		Lang: l, Title: i18n.T(l, "signin.title"), TenantName: t.DisplayName,
		CSRF: h.csrf.Token(w, r), Action: tenantPath(t, "/login/next"),
		Hidden: map[string]string{"authRequestID": reqID}, Address: address, Error: errMsg,
	})
}

// loginForm reads the address of a posted sign-in form (form has checked
// its CSRF token) and asks the sign-in service how the address signs in.
func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) (signin.Route, string, bool) {
	t := tenantFrom(r.Context())
	reqID := r.PostFormValue("authRequestID")
	addr, err := formAddress(r)
	if err != nil {
		h.signinPage(w, r, http.StatusBadRequest, t, reqID, r.PostFormValue("email"), i18n.T(lang(r), "signin.err_address"))
		return signin.Route{}, reqID, false
	}
	route, err := h.deps.SignIn.BeginFor(r.Context(), t, addr, signin.Continuation{AuthRequestID: reqID})
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return route, reqID, false
	}
	return route, reqID, true
}

// formAddress is the sign-in address a form posted ("email"), normalized
// (directory.NormalizeAddress); anything else is an error for the page.
func formAddress(r *http.Request) (string, error) {
	return directory.NormalizeAddress(r.PostFormValue("email"))
}

// loginNext takes the address and shows the next step of its route, by
// what the route's method can do (signin/method.go): a method that checks
// a password asks for it (a member); one that proves the address
// elsewhere sends the browser there (a home tenant, a partner); one that
// mails a code says a code will be sent and offers Send code (R2).
func (h *Handler) loginNext(w http.ResponseWriter, r *http.Request) {
	route, reqID, ok := h.loginForm(w, r)
	if !ok {
		return
	}
	if h.offerAppSignUp(w, r, route, reqID) {
		return
	}
	t, l := route.Tenant, lang(r)
	hidden := map[string]string{"authRequestID": reqID, "email": route.User.Mail}
	switch route.Method.(type) {
	case signin.PasswordMethod:
		h.passwordPage(w, r, http.StatusOK, t, route.User.Mail, tenantPath(t, "/login/password"), hidden, "")
	case signin.RedirectMethod:
		h.goElsewhere(w, r, route, signin.Continuation{AuthRequestID: reqID})
	case signin.CodeMethod:
		h.r.render(w, r, http.StatusOK, "redeem", page{
			Lang: l, Title: i18n.T(l, "signin.title"), TenantName: t.DisplayName, Heading: i18n.T(l, "signin.title"),
			CSRF: h.csrf.Token(w, r), Action: tenantPath(t, "/login/send"), Hidden: hidden, Address: route.User.Mail,
			LinkURL: tenantPath(t, "/login?authRequestID="+url.QueryEscape(reqID)), LinkText: i18n.T(l, "signin.use_another"),
		})
	default:
		h.fail(w, r, t.DisplayName, signin.ErrDecisionChanged)
	}
}

// loginSend is Send code on the sign-in path. The enter-code page
// follows by post/redirect/get, so a reload never sends a second code; the
// address travels sealed, never readable in a URL, with the state the
// send left (signin.SealSentCodePage: the page need not read it again). A
// send refused by the resend limits sends nothing and leads to the same
// page, which says how long to wait.
func (h *Handler) loginSend(w http.ResponseWriter, r *http.Request) {
	route, reqID, ok := h.loginForm(w, r)
	if !ok {
		return
	}
	flag := flagSent
	st, err := h.deps.SignIn.SendCodeState(r.Context(), route, lang(r))
	if err != nil {
		var te *otp.ThrottledError
		if !errors.As(err, &te) {
			h.loginCodeError(w, r, route, reqID, err)
			return
		}
		flag = ""
	}
	h.toLoginCodeWith(w, r, route, reqID, flag, st)
}

// toLoginCode redirects to the sign-in path's enter-code page.
func (h *Handler) toLoginCode(w http.ResponseWriter, r *http.Request, route signin.Route, reqID, flag string) {
	h.toLoginCodeWith(w, r, route, reqID, flag, otp.State{})
}

// toLoginCodeWith is toLoginCode with the state a send just left (a zero
// State: none, the page reads it).
func (h *Handler) toLoginCodeWith(w http.ResponseWriter, r *http.Request, route signin.Route, reqID, flag string, st otp.State) {
	t := route.Tenant
	tok, err := h.deps.SignIn.SealSentCodePage(r.Context(), t, route.User.Mail, st)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	http.Redirect(w, r, codeURL(tenantPath(t, "/login/code"), url.Values{"authRequestID": {reqID}, "s": {tok}}, flag), http.StatusSeeOther)
}

// loginCode is the sign-in path's enter-code page.
func (h *Handler) loginCode(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	q := r.URL.Query()
	addr, st, sent, err := h.deps.SignIn.OpenCodePageState(r.Context(), t, q.Get("s"))
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	if sent {
		// Right after this browser's send: its state, read and written by
		// the send, travelled sealed; Sign in decides the route again.
		h.codePage(w, r, http.StatusOK, t, st, addr, tenantPath(t, "/login/verify"), tenantPath(t, "/login/send"),
			map[string]string{"authRequestID": q.Get("authRequestID"), "email": addr}, q.Get("f"), "")
		return
	}
	route, err := h.deps.SignIn.BeginFor(r.Context(), t, addr, signin.Continuation{AuthRequestID: q.Get("authRequestID")})
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	h.loginCodePage(w, r, http.StatusOK, route, q.Get("authRequestID"), q.Get("f"), "")
}

func (h *Handler) loginCodePage(w http.ResponseWriter, r *http.Request, status int, route signin.Route, reqID, flag, errMsg string) {
	t := route.Tenant
	st, err := h.deps.SignIn.CodeState(r.Context(), route)
	if err != nil {
		h.fail(w, r, t.DisplayName, err)
		return
	}
	h.codePage(w, r, status, t, st, route.User.Mail, tenantPath(t, "/login/verify"), tenantPath(t, "/login/send"),
		map[string]string{"authRequestID": reqID, "email": route.User.Mail}, flag, errMsg)
}

// loginCodeError: a refused code leads back to the enter-code page (by
// redirect), a rate limit is said on it, anything else is an error page.
func (h *Handler) loginCodeError(w http.ResponseWriter, r *http.Request, route signin.Route, reqID string, err error) {
	if flag, ok := refusalFlag(err); ok {
		h.toLoginCode(w, r, route, reqID, flag)
		return
	}
	msg, status, known := h.passcodeError(w, r, err)
	if !known {
		h.fail(w, r, route.Tenant.DisplayName, err)
		return
	}
	h.loginCodePage(w, r, status, route, reqID, "", msg)
}

// refusalFlag reports a refused code (otp's sentinels) and the flag its
// enter-code page carries: the page itself shows why a code is void.
func refusalFlag(err error) (string, bool) {
	for _, e := range []error{otp.ErrNoCode, otp.ErrExpired, otp.ErrUsed, otp.ErrTooManyAttempts} {
		if errors.Is(err, e) {
			return "", true
		}
	}
	if errors.Is(err, otp.ErrWrongCode) {
		return flagWrong, true
	}
	return "", false
}

// loginVerify takes the code and finishes the sign-in. The address's
// route is read in the transaction that checks the code (VerifyCodeAt),
// not before it as loginForm reads it.
func (h *Handler) loginVerify(w http.ResponseWriter, r *http.Request) {
	t := tenantFrom(r.Context())
	reqID := r.PostFormValue("authRequestID")
	addr, err := formAddress(r)
	if err != nil {
		h.signinPage(w, r, http.StatusBadRequest, t, reqID, r.PostFormValue("email"), i18n.T(lang(r), "signin.err_address"))
		return
	}
	route, res, err := h.deps.SignIn.VerifyCodeAt(r.Context(), t, addr, r.PostFormValue("code"), signin.Continuation{AuthRequestID: reqID})
	var begun *signin.BeginError
	switch {
	case errors.As(err, &begun):
		h.fail(w, r, t.DisplayName, begun.Err)
	case err != nil:
		h.loginCodeError(w, r, route, reqID, err)
	default:
		h.finish(w, r, route.Tenant, res)
	}
}

// finish sends the browser on after a step of the sign-in service: to
// Review permissions with the proof in a cookie, or on with a session.
func (h *Handler) finish(w http.ResponseWriter, r *http.Request, t directory.Tenant, res signin.Result) {
	if res.Consent != nil {
		h.setConsentCookie(w, t, res.Consent.Proof, res.Consent.Expires)
		http.Redirect(w, r, tenantPath(t, "/consent"), http.StatusSeeOther)
		return
	}
	h.setSessionCookie(w, t, res.Token, res.Session.ExpiresAt)
	http.Redirect(w, r, res.Next, http.StatusSeeOther)
}
