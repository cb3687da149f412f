package graph

import (
	"errors"
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/store"
)

// invitationBody is Graph's invitation resource as guestgate answers it.
type invitationBody struct {
	ODataContext            string       `json:"@odata.context,omitempty"`
	ID                      string       `json:"id,omitempty"`
	InvitedUserDisplayName  *string      `json:"invitedUserDisplayName"`
	InvitedUserEmailAddress string       `json:"invitedUserEmailAddress"`
	InvitedUserType         string       `json:"invitedUserType"`
	InviteRedirectURL       string       `json:"inviteRedirectUrl"`
	InviteRedeemURL         string       `json:"inviteRedeemUrl,omitempty"`
	SendInvitationMessage   bool         `json:"sendInvitationMessage"`
	ResetRedemption         bool         `json:"resetRedemption"`
	Status                  string       `json:"status,omitempty"`
	InvitedUserMessageInfo  *messageInfo `json:"invitedUserMessageInfo"`
	InvitedUser             *userRef     `json:"invitedUser,omitempty"`
	InvitedUserSponsors     []sponsorRef `json:"invitedUserSponsors,omitempty"`
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

// sponsorRef is a sponsor in an answer: a directoryObject that is a user.
type sponsorRef struct {
	ODataType string `json:"@odata.type"`
	ID        string `json:"id"`
}

// createInvitation is POST /v1.0/invitations (201).
func (a *API) createInvitation(w http.ResponseWriter, r *http.Request, c Caller) error {
	if err := a.requireInvite(r, c); err != nil {
		return err
	}
	var in invitationIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	if strings.EqualFold(in.InvitedUserType, string(directory.UserTypeMember)) {
		// Inviting a member grants more than User.Invite.All does.
		if err := require(c, permInviteMember...); err != nil {
			return err
		}
	}
	t, err := a.tenant(r.Context(), c)
	if err != nil {
		return err
	}
	if in.ResetRedemption {
		return a.resetRedemption(w, r, c, t, in)
	}
	req := in.request()
	req.By = a.actor(r, c)
	res, err := a.deps.Invitations.Invite(r.Context(), t, req)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, invitationOut(res))
	return nil
}

// resetRedemption is POST /v1.0/invitations with resetRedemption: true
// (R7): the user named by invitedUser.id keeps its object id and is
// invited again, at invitedUserEmailAddress when given (a new address).
func (a *API) resetRedemption(w http.ResponseWriter, r *http.Request, c Caller, t directory.Tenant, in invitationIn) error {
	if err := require(c, permResetRedemption...); err != nil {
		return err
	}
	if in.InvitedUser == nil || in.InvitedUser.ID == "" {
		return badRequest("resetRedemption requires invitedUser.id: the object id of the user whose redemption status is reset.")
	}
	res, err := a.deps.Invitations.ResetRedemption(r.Context(), t, in.InvitedUser.ID, in.request(), a.actor(r, c), c.authority())
	if errors.Is(err, store.ErrNotFound) {
		return notFound("Resource '" + in.InvitedUser.ID + "' does not exist or one of its queried reference-property objects are not present.")
	}
	if err != nil {
		return err
	}
	out := invitationOut(res)
	out.ResetRedemption = true
	writeJSON(w, http.StatusCreated, out)
	return nil
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
	for i, cc := range inv.CCRecipients {
		var name string
		if i < len(inv.CCNames) {
			name = inv.CCNames[i]
		}
		out.InvitedUserMessageInfo.CCRecipients = append(out.InvitedUserMessageInfo.CCRecipients, recipient{EmailAddress: emailAddress{Name: nilIfEmpty(name), Address: cc}})
	}
	for _, id := range inv.Sponsors {
		out.InvitedUserSponsors = append(out.InvitedUserSponsors, sponsorRef{ODataType: typeUser, ID: id})
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

// ResetRedemptionJSON is the Graph invitation object of a redemption reset
// (what POST /v1.0/invitations with resetRedemption answers and
// `guestgate user reset-redemption --output json` prints).
func ResetRedemptionJSON(res invitation.Result) any {
	out := invitationOut(res)
	out.ResetRedemption = true
	return out
}
