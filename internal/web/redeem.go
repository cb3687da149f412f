package web

import (
	"net/http"
	"net/url"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
)

// redeemStart is the invitation link (R2): it names the tenant and says a
// code will be sent, without saying which identity provider (R6: decided now).
func (h *Handler) redeemStart(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	red, err := h.deps.Invitations.Resolve(r.Context(), ticket)
	if err != nil {
		h.fail(w, r, "", err)
		return
	}
	if red.User.ExternalUserState == directory.StateAccepted {
		h.alreadyRedeemed(w, r, red)
		return
	}
	if _, err := h.decide(r.Context(), red.Tenant, red.User); err != nil {
		h.fail(w, r, red.Tenant.DisplayName, err)
		return
	}
	l := lang(r)
	h.r.render(w, r, http.StatusOK, "redeem", page{
		Lang: l, Title: i18n.T(l, "redeem.title"), TenantName: red.Tenant.DisplayName,
		Heading: i18n.T(l, "redeem.title"), Paragraphs: []string{i18n.T(l, "redeem.invited_by", red.Tenant.DisplayName)},
		CSRF: h.csrf.token(w, r), Action: "/redeem/send", Hidden: map[string]string{"ticket": ticket},
		Address: red.User.Mail,
	})
}

// alreadyRedeemed: a live session goes straight on; otherwise a page explains.
func (h *Handler) alreadyRedeemed(w http.ResponseWriter, r *http.Request, red invitation.Redemption) {
	if s, err := h.deps.Sessions.Lookup(r.Context(), red.Tenant.ID, sessionToken(r, red.Tenant)); err == nil && s.UserID == red.User.ID {
		http.Redirect(w, r, red.Invitation.RedirectURL, http.StatusSeeOther)
		return
	}
	l := lang(r)
	h.r.render(w, r, http.StatusOK, "message", page{
		Lang: l, Title: i18n.T(l, "ticket.redeemed_title"), TenantName: red.Tenant.DisplayName,
		Heading: i18n.T(l, "ticket.redeemed_title"), Paragraphs: []string{i18n.T(l, "ticket.redeemed", red.Tenant.DisplayName)},
		LinkURL: red.Invitation.RedirectURL, LinkText: i18n.T(l, "ticket.continue"),
	})
}

// redeemForm resolves the ticket of a posted redeem form, after the CSRF check.
func (h *Handler) redeemForm(r *http.Request) (invitation.Redemption, invitation.Decision, string, error) {
	if !h.csrf.valid(r) {
		return invitation.Redemption{}, invitation.Decision{}, "", errBadCSRF
	}
	ticket := r.PostFormValue("ticket")
	red, err := h.deps.Invitations.Resolve(r.Context(), ticket)
	if err != nil {
		return red, invitation.Decision{}, ticket, err
	}
	dec, err := h.decide(r.Context(), red.Tenant, red.User)
	return red, dec, ticket, err
}

// redeemSend is Send code: issue the code and go to the code page.
func (h *Handler) redeemSend(w http.ResponseWriter, r *http.Request) {
	red, _, ticket, err := h.redeemForm(r)
	if err != nil {
		h.fail(w, r, red.Tenant.DisplayName, err)
		return
	}
	if err := h.sendPasscode(r.Context(), red.Tenant, red.User, lang(r)); err != nil {
		h.redeemCodeError(w, r, red, ticket, err)
		return
	}
	http.Redirect(w, r, "/redeem/code?ticket="+url.QueryEscape(ticket), http.StatusSeeOther)
}

// redeemCode shows the enter-code page.
func (h *Handler) redeemCode(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	red, err := h.deps.Invitations.Resolve(r.Context(), ticket)
	if err != nil {
		h.fail(w, r, "", err)
		return
	}
	h.codePage(w, r, http.StatusOK, red.Tenant, red.User.Mail, "/redeem/verify", "/redeem/send", map[string]string{"ticket": ticket}, "")
}

// redeemVerify takes the code; on success the guest is Accepted with IdP
// mail, a session starts (R4), and the browser goes to inviteRedirectUrl.
func (h *Handler) redeemVerify(w http.ResponseWriter, r *http.Request) {
	red, dec, ticket, err := h.redeemForm(r)
	if err != nil {
		h.fail(w, r, red.Tenant.DisplayName, err)
		return
	}
	if err := h.acceptPasscode(r.Context(), w, red.Tenant, red.User, dec, r.PostFormValue("code"), nil); err != nil {
		h.redeemCodeError(w, r, red, ticket, err)
		return
	}
	h.deps.Log.InfoContext(r.Context(), "guest signed in with passcode", "tenant_id", red.Tenant.ID, "user_id", red.User.ID, "redeemed", dec.Redeeming)
	http.Redirect(w, r, red.Invitation.RedirectURL, http.StatusSeeOther)
}

func (h *Handler) redeemCodeError(w http.ResponseWriter, r *http.Request, red invitation.Redemption, ticket string, err error) {
	msg, status, ok := passcodeError(lang(r), err, h.deps.OTP.Limits().Validity)
	if !ok {
		h.fail(w, r, red.Tenant.DisplayName, err)
		return
	}
	h.codePage(w, r, status, red.Tenant, red.User.Mail, "/redeem/verify", "/redeem/send", map[string]string{"ticket": ticket}, msg)
}
