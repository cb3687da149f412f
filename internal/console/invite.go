package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
)

type inviteData struct {
	Email, DisplayName, RedirectURL, Message, Language, CC string
	Languages                                              []string
	CanInvite                                              bool
}

type inviteResult struct {
	Email     string
	UserID    string
	RedeemURL string
}

// mayInvite applies allowInvitesFrom to the admin (R10).
func (h *Handler) mayInvite(r *http.Request, a admin) bool {
	s, err := h.d.Collab.Get(r.Context(), a.Tenant)
	return err == nil && s.MayInvite(a.Roles, a.User.UserType)
}

func (h *Handler) invitePage(w http.ResponseWriter, r *http.Request, a admin) {
	h.inviteForm(w, r, a, http.StatusOK, inviteData{RedirectURL: h.redirectURL(a)}, "")
}

func (h *Handler) inviteForm(w http.ResponseWriter, r *http.Request, a admin, status int, d inviteData, errMsg string) {
	d.Languages, d.CanInvite = i18n.Languages, h.mayInvite(r, a)
	v := h.newView(w, r, a, "invite", "console.invite.title")
	v.Error, v.Data = errMsg, d
	h.render(w, r, status, "invite", v)
}

// invite sends one invitation (address, display name, redirect URL,
// message, language, cc), with the member as its initiator, under the
// member's write limit.
func (h *Handler) invite(w http.ResponseWriter, r *http.Request, a admin) {
	if !h.mayInvite(r, a) {
		h.forbidden(w, r, a)
		return
	}
	d := inviteData{
		Email: strings.TrimSpace(r.PostFormValue("email")), DisplayName: r.PostFormValue("displayName"),
		RedirectURL: strings.TrimSpace(r.PostFormValue("redirectUrl")), Message: r.PostFormValue("message"),
		Language: r.PostFormValue("language"), CC: r.PostFormValue("cc"),
	}
	if err := h.checkWrites(r, a); err != nil {
		if msg, ok := h.tooManyWrites(w, r, err); ok {
			h.inviteForm(w, r, a, http.StatusTooManyRequests, d, msg)
			return
		}
		h.fail(w, r, err)
		return
	}
	req := invitation.Request{Email: d.Email, DisplayName: d.DisplayName, RedirectURL: d.RedirectURL, SendMessage: true,
		MessageLanguage: d.Language, CustomMessage: d.Message, InvitedBy: a.User.DisplayName, UserType: directory.UserTypeGuest, By: a.actor()}
	for _, cc := range strings.FieldsFunc(d.CC, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' }) {
		req.CCRecipients = append(req.CCRecipients, cc)
		req.CCNames = append(req.CCNames, "")
	}
	res, err := h.d.Invitations.Invite(r.Context(), a.Tenant, req)
	if err != nil {
		if msg, ok := invitationMessage(lang(r), err); ok {
			h.inviteForm(w, r, a, http.StatusBadRequest, d, msg)
			return
		}
		h.fail(w, r, err)
		return
	}
	v := h.newView(w, r, a, "invite", "console.invite.sent_title")
	v.Data = inviteResult{Email: res.User.Mail, UserID: res.User.ID, RedeemURL: res.RedeemURL}
	h.render(w, r, http.StatusOK, "invite_result", v)
}

// invitationMessage is the text of an invitation the admin must correct;
// a domain the collaboration restrictions block says what the API says.
func invitationMessage(l string, err error) (string, bool) {
	var (
		de *collab.DomainError
		ve *invitation.ValidationError
	)
	switch {
	case errors.As(err, &de):
		return i18n.T(l, "console.invite.denied_domain", de.Domain), true
	case errors.Is(err, invitation.ErrOwnDomain):
		return i18n.T(l, "console.invite.own_domain"), true
	case errors.Is(err, invitation.ErrMemberExists):
		return i18n.T(l, "console.invite.member_exists"), true
	case errors.As(err, &ve):
		return ve.Error(), true
	}
	return "", false
}
