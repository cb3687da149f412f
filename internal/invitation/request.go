package invitation

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/validation"
)

// Request is what an admin asks for when inviting (Graph's invitation
// resource, minus the fields guestgate fills in).
type Request struct {
	Email           string
	DisplayName     string
	RedirectURL     string
	SendMessage     bool
	MessageLanguage string
	CustomMessage   string
	CCRecipients    []string
	// CCNames are the display names of CCRecipients, index by index
	// (Graph's ccRecipients[].emailAddress.name; "" when none).
	CCNames []string
	// Sponsors are the object ids of the invitedUserSponsors; each must be
	// a user of the tenant (Invite checks).
	Sponsors []string
	// UserType is "Guest" (default) or "Member".
	UserType  directory.UserType
	InvitedBy string
	// By is who invites, for the audit record (an app, the CLI, an admin).
	By audit.Actor
}

// ValidationError is a request an admin must correct; the API answers 400.
// Its Resource is validation.ResourceInvitation.
type ValidationError = validation.Error

// maxCustomMessage bounds customizedMessageBody.
const maxCustomMessage = 10000

// normalize checks r and returns it cleaned: address normalized, user type
// defaulted. allowHTTP permits http redirect URLs (dev mode only).
func (r Request) normalize(allowHTTP bool) (Request, error) {
	addr, err := directory.NormalizeAddress(r.Email)
	if err != nil {
		return r, &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserEmailAddress", Message: err.Error()}
	}
	r.Email = addr
	if err := checkRedirect(r.RedirectURL, allowHTTP); err != nil {
		return r, err
	}
	if len(r.CCRecipients) > 1 {
		return r, &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserMessageInfo.ccRecipients", Message: "at most one cc recipient is supported"}
	}
	for i, cc := range r.CCRecipients {
		if r.CCRecipients[i], err = directory.NormalizeAddress(cc); err != nil {
			return r, &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserMessageInfo.ccRecipients", Message: err.Error()}
		}
	}
	if len(r.CCNames) > len(r.CCRecipients) {
		return r, &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserMessageInfo.ccRecipients", Message: "a name needs an address"}
	}
	for i := range r.CCNames {
		r.CCNames[i] = strings.TrimSpace(r.CCNames[i])
		if len(r.CCNames[i]) > 256 {
			return r, &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserMessageInfo.ccRecipients", Message: "a name is longer than 256 characters"}
		}
	}
	if r.MessageLanguage, err = checkLanguage(r.MessageLanguage); err != nil {
		return r, err
	}
	if err := checkSponsors(r.Sponsors); err != nil {
		return r, err
	}
	if len(r.CustomMessage) > maxCustomMessage {
		return r, &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserMessageInfo.customizedMessageBody", Message: fmt.Sprintf("longer than %d characters", maxCustomMessage)}
	}
	if len(r.DisplayName) > 256 {
		return r, &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserDisplayName", Message: "longer than 256 characters"}
	}
	switch r.UserType {
	case "":
		r.UserType = directory.UserTypeGuest
	case directory.UserTypeGuest, directory.UserTypeMember:
	default:
		return r, &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserType", Message: `must be "Guest" or "Member"`}
	}
	r.DisplayName = strings.TrimSpace(r.DisplayName)
	return r, nil
}

// checkLanguage accepts an empty messageLanguage or a well-formed, known
// BCP 47 tag (en-US, ja, sw), returned in its canonical form. A language
// the mail has no translation for is fine: the mail falls back to English.
func checkLanguage(tag string) (string, error) {
	tag = strings.TrimSpace(tag)
	if tag == "" {
		return "", nil
	}
	t, err := language.Parse(tag)
	if err != nil || strings.Contains(tag, "_") {
		return "", &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserMessageInfo.messageLanguage", Message: fmt.Sprintf("%q is not a BCP 47 language tag (such as en-US or ja-JP)", tag)}
	}
	return t.String(), nil
}

// MaxSponsors bounds invitedUserSponsors.
const MaxSponsors = 5

// checkSponsors checks the form of the sponsors' ids; Invite checks that
// each is a user of the tenant.
func checkSponsors(ids []string) error {
	if len(ids) > MaxSponsors {
		return &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserSponsors", Message: fmt.Sprintf("at most %d sponsors are supported", MaxSponsors)}
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if _, err := uuid.Parse(id); err != nil || len(id) != 36 {
			return &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserSponsors", Message: fmt.Sprintf("%q is not an object id", id)}
		}
		if seen[strings.ToLower(id)] {
			return &ValidationError{Resource: validation.ResourceInvitation, Property: "invitedUserSponsors", Message: fmt.Sprintf("sponsor %s is named twice", id)}
		}
		seen[strings.ToLower(id)] = true
	}
	return nil
}

func checkRedirect(raw string, allowHTTP bool) error {
	if raw == "" {
		return &ValidationError{Resource: validation.ResourceInvitation, Property: "inviteRedirectUrl", Message: "is required"}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return &ValidationError{Resource: validation.ResourceInvitation, Property: "inviteRedirectUrl", Message: "must be an absolute URL without credentials"}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	default:
		return &ValidationError{Resource: validation.ResourceInvitation, Property: "inviteRedirectUrl", Message: "must be an https URL"}
	}
	return nil
}
