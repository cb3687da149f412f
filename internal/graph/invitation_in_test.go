package graph

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
)

// decodeInvitation runs a body through decode and check, as the handler does.
func decodeInvitation(body string) (invitation.Request, invitationIn, error) {
	r := httptest.NewRequest(http.MethodPost, "/v1.0/invitations", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	var in invitationIn
	if err := decode(httptest.NewRecorder(), r, &in); err != nil {
		return invitation.Request{}, in, err
	}
	if err := in.check(); err != nil {
		return invitation.Request{}, in, err
	}
	return in.request(), in, nil
}

const (
	sponsorA = "5d0c6a44-8f2e-4c3b-9a1d-6e7f8a9b0c1d"
	userID   = "0b8f5e2a-3c4d-4e5f-8a9b-1c2d3e4f5a6b"
)

func TestInvitationShapeAsSDKsSendIt(t *testing.T) {
	cases := []struct {
		name string
		body string
		want invitation.Request
		// wantUser is invitedUser.id when the body carries one.
		wantUser string
	}{
		{
			// msgraph-sdk-go: models.NewInvitation() with its setters; nested
			// models serialize "@odata.type" when it is set (NewUser sets it).
			name: "go_sdk_invitation_with_message_info_cc_and_sponsors",
			body: `{"invitedUserDisplayName":"Teri Bell","invitedUserEmailAddress":"teri@gmail.example",` +
				`"invitedUserMessageInfo":{"ccRecipients":[{"emailAddress":{"address":"boss@partner.example","name":"The Boss","@odata.type":"#microsoft.graph.emailAddress"},"@odata.type":"#microsoft.graph.recipient"}],` +
				`"customizedMessageBody":"Welcome!","messageLanguage":"ja-JP","@odata.type":"#microsoft.graph.invitedUserMessageInfo"},` +
				`"invitedUserSponsors":[{"@odata.type":"#microsoft.graph.user","id":"` + sponsorA + `"}],` +
				`"invitedUserType":"Guest","inviteRedirectUrl":"https://apps.fabrikam.example","sendInvitationMessage":true}`,
			want: invitation.Request{
				Email: "teri@gmail.example", DisplayName: "Teri Bell", RedirectURL: "https://apps.fabrikam.example",
				SendMessage: true, MessageLanguage: "ja-JP", CustomMessage: "Welcome!",
				CCRecipients: []string{"boss@partner.example"}, CCNames: []string{"The Boss"},
				Sponsors: []string{sponsorA}, UserType: directory.UserTypeGuest,
			},
		},
		{
			name: "go_sdk_reset_redemption_with_new_user",
			body: `{"invitedUser":{"@odata.type":"#microsoft.graph.user","id":"` + userID + `"},` +
				`"invitedUserEmailAddress":"teri@outlook.example","inviteRedirectUrl":"https://apps.fabrikam.example","resetRedemption":true}`,
			want:     invitation.Request{Email: "teri@outlook.example", RedirectURL: "https://apps.fabrikam.example"},
			wantUser: userID,
		},
		{
			name: "sponsor_as_directory_object_without_hash",
			body: `{"invitedUserEmailAddress":"teri@gmail.example","inviteRedirectUrl":"https://apps.fabrikam.example",` +
				`"invitedUserSponsors":[{"@odata.type":"microsoft.graph.directoryObject","id":"` + sponsorA + `"}]}`,
			want: invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://apps.fabrikam.example", Sponsors: []string{sponsorA}},
		},
		{
			// PowerShell: $user = Get-MgUser -UserId …; New-MgInvitation -InvitedUser $user -ResetRedemption …
			// sends every property the cmdlet read, the response annotation included.
			name: "powershell_whole_user_object",
			body: `{"invitedUserEmailAddress":"teri@gmail.example","inviteRedirectUrl":"https://apps.fabrikam.example",` +
				`"sendInvitationMessage":false,"resetRedemption":true,"@odata.type":"#microsoft.graph.invitation",` +
				`"invitedUser":{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#users/$entity",` +
				`"businessPhones":[],"displayName":"teri","givenName":null,"jobTitle":null,"mail":"teri@gmail.example",` +
				`"mobilePhone":null,"officeLocation":null,"preferredLanguage":null,"surname":null,` +
				`"userPrincipalName":"teri_gmail.example#EXT#@fabrikam.guestgate.local","Id":"` + userID + `",` +
				`"identities":[{"signInType":"federated","issuer":"mail","issuerAssignedId":"teri@gmail.example"}],` +
				`"createdDateTime":"2030-01-02T03:04:05Z","userType":"Guest","externalUserState":"Accepted"}}`,
			want:     invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://apps.fabrikam.example"},
			wantUser: userID,
		},
		{
			// PowerShell hashtables keep the caller's capitalisation; Graph's
			// property names match case-insensitively.
			name: "powershell_hashtable_capitalisation",
			body: `{"InvitedUserEmailAddress":"teri@gmail.example","InviteRedirectUrl":"https://apps.fabrikam.example",` +
				`"InvitedUserMessageInfo":{"MessageLanguage":"sw","CcRecipients":[{"EmailAddress":{"Address":"boss@partner.example"}}]},` +
				`"InvitedUserType":"member"}`,
			want: invitation.Request{
				Email: "teri@gmail.example", RedirectURL: "https://apps.fabrikam.example", MessageLanguage: "sw",
				CCRecipients: []string{"boss@partner.example"}, CCNames: []string{""}, UserType: directory.UserTypeMember,
			},
		},
		{
			name: "earlier_answer_sent_back",
			body: `{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#invitations/$entity","id":"x","status":"PendingAcceptance",` +
				`"inviteRedeemUrl":"https://id.example/redeem?ticket=x","invitedUserEmailAddress":"teri@gmail.example",` +
				`"inviteRedirectUrl":"https://apps.fabrikam.example","invitedUser":{"id":"` + userID + `"}}`,
			want:     invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://apps.fabrikam.example"},
			wantUser: userID,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, in, err := decodeInvitation(c.body)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("request = %+v\nwant      %+v", got, c.want)
			}
			var user string
			if in.InvitedUser != nil {
				user = in.InvitedUser.ID
			}
			if user != c.wantUser {
				t.Fatalf("invitedUser.id = %q, want %q", user, c.wantUser)
			}
		})
	}
}

func TestInvitationShapeRefused(t *testing.T) {
	const base = `"invitedUserEmailAddress":"teri@gmail.example","inviteRedirectUrl":"https://apps.fabrikam.example"`
	cases := []struct {
		name, body, want string
	}{
		{"wrong_top_level_type", `{"@odata.type":"#microsoft.graph.user",` + base + `}`, "#microsoft.graph.invitation"},
		{"wrong_message_info_type", `{` + base + `,"invitedUserMessageInfo":{"@odata.type":"#microsoft.graph.recipient"}}`, "invitedUserMessageInfo"},
		{"wrong_recipient_type", `{` + base + `,"invitedUserMessageInfo":{"ccRecipients":[{"@odata.type":"#microsoft.graph.emailAddress","emailAddress":{"address":"a@b.example"}}]}}`, "#microsoft.graph.recipient"},
		{"wrong_email_address_type", `{` + base + `,"invitedUserMessageInfo":{"ccRecipients":[{"emailAddress":{"@odata.type":"#microsoft.graph.recipient","address":"a@b.example"}}]}}`, "#microsoft.graph.emailAddress"},
		{"invited_user_as_group", `{` + base + `,"invitedUser":{"@odata.type":"#microsoft.graph.group","id":"` + userID + `"}}`, "#microsoft.graph.user"},
		{"sponsor_as_group", `{` + base + `,"invitedUserSponsors":[{"@odata.type":"#microsoft.graph.group","id":"` + sponsorA + `"}]}`, "invitedUserSponsors"},
		{"sponsor_without_id", `{` + base + `,"invitedUserSponsors":[{"@odata.type":"#microsoft.graph.user"}]}`, "id"},
		{"invited_user_id_not_a_string", `{` + base + `,"invitedUser":{"id":42}}`, "string expected"},
		{"unknown_nested_property", `{` + base + `,"invitedUserMessageInfo":{"bcc":"x"}}`, "bcc"},
		{"unknown_email_address_property", `{` + base + `,"invitedUserMessageInfo":{"ccRecipients":[{"emailAddress":{"address":"a@b.example","phone":"1"}}]}}`, "phone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := decodeInvitation(c.body)
			var e *Error
			if !errors.As(err, &e) || e.Status != http.StatusBadRequest || !strings.Contains(e.Message, c.want) {
				t.Fatalf("err = %v, want a 400 naming %q", err, c.want)
			}
		})
	}
}
