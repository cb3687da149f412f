package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/signin"
)

// redeemStart is the invitation link (R2). The identity provider is
// decided now (R6); the page follows what the route's method can do: one
// that mails a code says a code will be sent, one that proves the address
// elsewhere (a home tenant, a partner) sends the browser there.
func (h *Handler) redeemStart(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	route, red, err := h.deps.SignIn.BeginRedemption(r.Context(), ticket)
	if err == nil && red.User.ExternalUserState == directory.StateAccepted {
		h.alreadyRedeemed(w, r, red)
		return
	}
	if err != nil {
		h.fail(w, r, red.Tenant.DisplayName, err)
		return
	}
	if _, elsewhere := route.Method.(signin.RedirectMethod); elsewhere {
		h.goElsewhere(w, r, route, signin.Continuation{RedirectURL: red.Invitation.RedirectURL})
		return
	}
	if _, code := route.Method.(signin.CodeMethod); !code {
		h.fail(w, r, red.Tenant.DisplayName, signin.ErrDecisionChanged)
		return
	}
	l := lang(r)
	h.r.render(w, r, http.StatusOK, "redeem", page{
		Lang: l, Title: i18n.T(l, "redeem.title"), TenantName: red.Tenant.DisplayName, TenantID: red.Tenant.ID,
		Heading: i18n.T(l, "redeem.title"), Paragraphs: []string{i18n.T(l, "redeem.invited_by", red.Tenant.DisplayName)},
		CSRF: h.csrf.Token(w, r), Action: "/redeem/send", Hidden: map[string]string{"ticket": ticket},
		Address: red.User.Mail,
	})
}

// alreadyRedeemed: a live session goes straight on; otherwise a page explains.
func (h *Handler) alreadyRedeemed(w http.ResponseWriter, r *http.Request, red invitation.Redemption) {
	if s, err := h.deps.Sessions.Lookup(r.Context(), red.Tenant.ID, h.sessionToken(r, red.Tenant.ID)); err == nil && s.UserID == red.User.ID {
		http.Redirect(w, r, red.Invitation.RedirectURL, http.StatusSeeOther)
		return
	}
	l := lang(r)
	h.r.render(w, r, http.StatusOK, "message", page{
		Lang: l, Title: i18n.T(l, "ticket.redeemed_title"), TenantName: red.Tenant.DisplayName, TenantID: red.Tenant.ID,
		Heading: i18n.T(l, "ticket.redeemed_title"), Paragraphs: []string{i18n.T(l, "ticket.redeemed", red.Tenant.DisplayName)},
		LinkURL: red.Invitation.RedirectURL, LinkText: i18n.T(l, "ticket.continue"),
	})
}

// redeemForm resolves the ticket of a posted redeem form (its CSRF token checked by form).
func (h *Handler) redeemForm(r *http.Request) (signin.Route, invitation.Redemption, string, error) {
	ticket := r.PostFormValue("ticket")
	route, red, err := h.deps.SignIn.BeginRedemption(r.Context(), ticket)
	return route, red, ticket, err
}

// redeemSend is Send code: issue the code and go to the code page
// (post/redirect/get: a reload never sends a second code). A send refused
// by the resend limits sends nothing; the page says how long to wait.
func (h *Handler) redeemSend(w http.ResponseWriter, r *http.Request) {
	route, red, ticket, err := h.redeemForm(r)
	if err != nil {
		h.fail(w, r, red.Tenant.DisplayName, err)
		return
	}
	flag := flagSent
	if err := h.deps.SignIn.SendCode(r.Context(), route, lang(r)); err != nil {
		var te *otp.ThrottledError
		if !errors.As(err, &te) {
			h.redeemCodeError(w, r, route, red, ticket, err)
			return
		}
		flag = ""
	}
	http.Redirect(w, r, codeURL("/redeem/code", url.Values{"ticket": {ticket}}, flag), http.StatusSeeOther)
}

// redeemCode shows the enter-code page.
func (h *Handler) redeemCode(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	route, red, err := h.deps.SignIn.BeginRedemption(r.Context(), ticket)
	if err == nil && red.User.ExternalUserState == directory.StateAccepted {
		h.alreadyRedeemed(w, r, red)
		return
	}
	if err != nil {
		h.fail(w, r, red.Tenant.DisplayName, err)
		return
	}
	h.redeemCodePage(w, r, http.StatusOK, route, red, ticket, r.URL.Query().Get("f"), "")
}

func (h *Handler) redeemCodePage(w http.ResponseWriter, r *http.Request, status int, route signin.Route, red invitation.Redemption, ticket, flag, errMsg string) {
	st, err := h.deps.SignIn.CodeState(r.Context(), route)
	if err != nil {
		h.fail(w, r, red.Tenant.DisplayName, err)
		return
	}
	h.codePage(w, r, status, red.Tenant, st, red.User.Mail, "/redeem/verify", "/redeem/send", map[string]string{"ticket": ticket}, flag, errMsg, origin(red.Invitation.RedirectURL))
}

// redeemVerify takes the code; the guest then reviews permissions (first
// redemption) or goes on to inviteRedirectUrl.
func (h *Handler) redeemVerify(w http.ResponseWriter, r *http.Request) {
	route, red, ticket, err := h.redeemForm(r)
	if err != nil {
		h.fail(w, r, red.Tenant.DisplayName, err)
		return
	}
	res, err := h.deps.SignIn.VerifyCode(r.Context(), route, r.PostFormValue("code"), signin.Continuation{RedirectURL: red.Invitation.RedirectURL})
	if err != nil {
		h.redeemCodeError(w, r, route, red, ticket, err)
		return
	}
	h.finish(w, r, red.Tenant, res)
}

// redeemCodeError: a refused code leads back to the enter-code page (by
// redirect), a rate limit is said on it, anything else is an error page.
func (h *Handler) redeemCodeError(w http.ResponseWriter, r *http.Request, route signin.Route, red invitation.Redemption, ticket string, err error) {
	if flag, ok := refusalFlag(err); ok {
		http.Redirect(w, r, codeURL("/redeem/code", url.Values{"ticket": {ticket}}, flag), http.StatusSeeOther)
		return
	}
	msg, status, ok := h.passcodeError(w, r, err)
	if !ok {
		h.fail(w, r, red.Tenant.DisplayName, err)
		return
	}
	h.redeemCodePage(w, r, status, route, red, ticket, "", msg)
}
