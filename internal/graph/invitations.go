package graph

import (
	"net/http"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
)

// invitationBody is Graph's invitation resource, in and out.
type invitationBody struct {
	ODataContext            string           `json:"@odata.context,omitempty"`
	ODataType               string           `json:"@odata.type,omitempty"`
	ID                      string           `json:"id,omitempty"`
	InvitedUserDisplayName  *string          `json:"invitedUserDisplayName"`
	InvitedUserEmailAddress string           `json:"invitedUserEmailAddress"`
	InvitedUserType         string           `json:"invitedUserType"`
	InviteRedirectURL       string           `json:"inviteRedirectUrl"`
	InviteRedeemURL         string           `json:"inviteRedeemUrl,omitempty"`
	SendInvitationMessage   bool             `json:"sendInvitationMessage"`
	ResetRedemption         bool             `json:"resetRedemption"`
	Status                  string           `json:"status,omitempty"`
	InvitedUserMessageInfo  *messageInfo     `json:"invitedUserMessageInfo"`
	InvitedUser             *userRef         `json:"invitedUser,omitempty"`
	InvitedUserSponsors     []map[string]any `json:"invitedUserSponsors,omitempty"`
}

type messageInfo struct {
	MessageLanguage       *string     `json:"messageLanguage"`
	CCRecipients          []recipient `json:"ccRecipients"`
	CustomizedMessageBody *string     `json:"customizedMessageBody"`
}

type recipient struct {
	EmailAddress emailAddress `json:"emailAddress"`
}

type emailAddress struct {
	Name    *string `json:"name"`
	Address string  `json:"address"`
}

type userRef struct {
	ID string `json:"id"`
}

// createInvitation is POST /v1.0/invitations (201).
func (a *API) createInvitation(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := require(c, permInvite...); err != nil {
		return err
	}
	var in invitationBody
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.ResetRedemption {
		return badRequest("resetRedemption is not supported yet.")
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	res, err := a.deps.Invitations.Invite(r.Context(), t, in.request(c))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, invitationOut(res))
	return nil
}

func (in invitationBody) request(c Caller) invitation.Request {
	req := invitation.Request{
		Email:       in.InvitedUserEmailAddress,
		RedirectURL: in.InviteRedirectURL,
		SendMessage: in.SendInvitationMessage,
		UserType:    directory.UserType(in.InvitedUserType),
		InvitedBy:   "",
	}
	if in.InvitedUserDisplayName != nil {
		req.DisplayName = *in.InvitedUserDisplayName
	}
	if mi := in.InvitedUserMessageInfo; mi != nil {
		req.MessageLanguage = deref(mi.MessageLanguage)
		req.CustomMessage = deref(mi.CustomizedMessageBody)
		for _, cc := range mi.CCRecipients {
			req.CCRecipients = append(req.CCRecipients, cc.EmailAddress.Address)
		}
	}
	return req
}

func invitationOut(res invitation.Result) invitationBody {
	inv := res.Invitation
	out := invitationBody{
		ODataContext:            "https://graph.microsoft.com/v1.0/$metadata#invitations/$entity",
		ID:                      inv.ID,
		InvitedUserDisplayName:  nilIfEmpty(inv.DisplayName),
		InvitedUserEmailAddress: inv.Email,
		InvitedUserType:         string(res.User.UserType),
		InviteRedirectURL:       inv.RedirectURL,
		InviteRedeemURL:         res.RedeemURL,
		SendInvitationMessage:   inv.SendMessage,
		Status:                  string(inv.Status),
		InvitedUserMessageInfo: &messageInfo{
			MessageLanguage: nilIfEmpty(inv.MessageLanguage), CCRecipients: []recipient{},
			CustomizedMessageBody: nilIfEmpty(inv.CustomMessage),
		},
		InvitedUser: &userRef{ID: inv.UserID},
	}
	for _, cc := range inv.CCRecipients {
		out.InvitedUserMessageInfo.CCRecipients = append(out.InvitedUserMessageInfo.CCRecipients, recipient{EmailAddress: emailAddress{Address: cc}})
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// InvitationJSON is the Graph invitation object for a created invitation
// (what POST /v1.0/invitations answers and `guestgate invite --output json` prints).
func InvitationJSON(res invitation.Result) any { return invitationOut(res) }
