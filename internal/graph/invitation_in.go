package graph

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
)

// Graph type names that may ride as "@odata.type" in an invitation body.
const (
	typeInvitation  = "#microsoft.graph.invitation"
	typeMessageInfo = "#microsoft.graph.invitedUserMessageInfo"
	typeRecipient   = "#microsoft.graph.recipient"
	typeEmail       = "#microsoft.graph.emailAddress"
	typeUser        = "#microsoft.graph.user"
	typeDirObject   = "#microsoft.graph.directoryObject"
)

// invitationIn is a POST /v1.0/invitations body as Graph SDKs and
// PowerShell send it: every nested object may carry its "@odata.type"
// (checked: it must name the property's type), the read-only properties of
// an earlier answer may be sent back (ignored), and invitedUser and the
// sponsors may be whole objects (only id is used). Anything else unknown
// is refused, as decode does.
type invitationIn struct {
	ODataContext            *string        `json:"@odata.context"`
	ODataType               *string        `json:"@odata.type"`
	ID                      *string        `json:"id"`
	InvitedUserDisplayName  *string        `json:"invitedUserDisplayName"`
	InvitedUserEmailAddress string         `json:"invitedUserEmailAddress"`
	InvitedUserType         string         `json:"invitedUserType"`
	InviteRedirectURL       string         `json:"inviteRedirectUrl"`
	InviteRedeemURL         *string        `json:"inviteRedeemUrl"`
	SendInvitationMessage   bool           `json:"sendInvitationMessage"`
	ResetRedemption         bool           `json:"resetRedemption"`
	Status                  *string        `json:"status"`
	InvitedUserMessageInfo  *messageInfoIn `json:"invitedUserMessageInfo"`
	InvitedUser             *objectRef     `json:"invitedUser"`
	InvitedUserSponsors     []objectRef    `json:"invitedUserSponsors"`
}

type messageInfoIn struct {
	ODataType             *string       `json:"@odata.type"`
	MessageLanguage       *string       `json:"messageLanguage"`
	CCRecipients          []recipientIn `json:"ccRecipients"`
	CustomizedMessageBody *string       `json:"customizedMessageBody"`
}

type recipientIn struct {
	ODataType    *string        `json:"@odata.type"`
	EmailAddress emailAddressIn `json:"emailAddress"`
}

type emailAddressIn struct {
	ODataType *string `json:"@odata.type"`
	Name      *string `json:"name"`
	Address   string  `json:"address"`
}

// objectRef is a directory object given by reference: a whole object is
// accepted (PowerShell's New-MgInvitation -InvitedUser $user sends every
// property Get-MgUser read, annotations included); only "@odata.type" and
// "id" are read.
type objectRef struct {
	ODataType *string
	ID        string
}

func (o *objectRef) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var props map[string]json.RawMessage
	if err := json.Unmarshal(b, &props); err != nil {
		return badRequest("A directory object reference must be a JSON object.")
	}
	for k, v := range props {
		switch {
		case strings.EqualFold(k, "id"):
			if err := json.Unmarshal(v, &o.ID); err != nil {
				return badRequest("Property 'id' has a value of the wrong type (string expected).")
			}
		case k == "@odata.type":
			var t string
			if err := json.Unmarshal(v, &t); err != nil {
				return badRequest("Property '@odata.type' has a value of the wrong type (string expected).")
			}
			o.ODataType = &t
		}
	}
	return nil
}

// check verifies the "@odata.type" of the body and of every nested object.
func (in invitationIn) check() error {
	if err := checkType("@odata.type", in.ODataType, typeInvitation); err != nil {
		return err
	}
	if mi := in.InvitedUserMessageInfo; mi != nil {
		if err := checkType("invitedUserMessageInfo", mi.ODataType, typeMessageInfo); err != nil {
			return err
		}
		for _, cc := range mi.CCRecipients {
			if err := checkType("invitedUserMessageInfo.ccRecipients", cc.ODataType, typeRecipient); err != nil {
				return err
			}
			if err := checkType("invitedUserMessageInfo.ccRecipients.emailAddress", cc.EmailAddress.ODataType, typeEmail); err != nil {
				return err
			}
		}
	}
	if in.InvitedUser != nil {
		if err := checkType("invitedUser", in.InvitedUser.ODataType, typeUser); err != nil {
			return err
		}
	}
	for _, s := range in.InvitedUserSponsors {
		// Sponsors are directory objects; guestgate's are users.
		if err := checkType("invitedUserSponsors", s.ODataType, typeUser, typeDirObject); err != nil {
			return err
		}
		if s.ID == "" {
			return badRequest("Each of invitedUserSponsors needs an id.")
		}
	}
	return nil
}

// checkType accepts an absent "@odata.type" or one naming a wanted type,
// with or without the leading '#'.
func checkType(property string, got *string, want ...string) error {
	if got == nil {
		return nil
	}
	name := "#" + strings.TrimPrefix(*got, "#")
	for _, w := range want {
		if strings.EqualFold(name, w) {
			return nil
		}
	}
	return badRequest("The @odata.type '" + *got + "' of property '" + property + "' is not valid here; expected '" + strings.Join(want, "' or '") + "'.")
}

func (in invitationIn) request() invitation.Request {
	req := invitation.Request{
		Email:       in.InvitedUserEmailAddress,
		RedirectURL: in.InviteRedirectURL,
		SendMessage: in.SendInvitationMessage,
		UserType:    directory.UserType(in.InvitedUserType),
	}
	if strings.EqualFold(in.InvitedUserType, string(directory.UserTypeMember)) {
		req.UserType = directory.UserTypeMember
	} else if strings.EqualFold(in.InvitedUserType, string(directory.UserTypeGuest)) {
		req.UserType = directory.UserTypeGuest
	}
	if in.InvitedUserDisplayName != nil {
		req.DisplayName = *in.InvitedUserDisplayName
	}
	if mi := in.InvitedUserMessageInfo; mi != nil {
		req.MessageLanguage = deref(mi.MessageLanguage)
		req.CustomMessage = deref(mi.CustomizedMessageBody)
		for _, cc := range mi.CCRecipients {
			req.CCRecipients = append(req.CCRecipients, cc.EmailAddress.Address)
			req.CCNames = append(req.CCNames, deref(cc.EmailAddress.Name))
		}
	}
	for _, s := range in.InvitedUserSponsors {
		req.Sponsors = append(req.Sponsors, s.ID)
	}
	return req
}
