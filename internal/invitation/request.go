package invitation

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
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
	// UserType is "Guest" (default) or "Member".
	UserType  directory.UserType
	InvitedBy string
}

// ValidationError is a request an admin must correct; the API answers 400.
type ValidationError struct {
	Field   string // the Graph property name
	Message string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Message }

// maxCustomMessage bounds customizedMessageBody.
const maxCustomMessage = 10000

// normalize checks r and returns it cleaned: address normalized, user type
// defaulted. allowHTTP permits http redirect URLs (dev mode only).
func (r Request) normalize(allowHTTP bool) (Request, error) {
	addr, err := directory.NormalizeAddress(r.Email)
	if err != nil {
		return r, &ValidationError{Field: "invitedUserEmailAddress", Message: err.Error()}
	}
	r.Email = addr
	if err := checkRedirect(r.RedirectURL, allowHTTP); err != nil {
		return r, err
	}
	if len(r.CCRecipients) > 1 {
		return r, &ValidationError{Field: "invitedUserMessageInfo.ccRecipients", Message: "at most one cc recipient is supported"}
	}
	for i, cc := range r.CCRecipients {
		if r.CCRecipients[i], err = directory.NormalizeAddress(cc); err != nil {
			return r, &ValidationError{Field: "invitedUserMessageInfo.ccRecipients", Message: err.Error()}
		}
	}
	if len(r.CustomMessage) > maxCustomMessage {
		return r, &ValidationError{Field: "invitedUserMessageInfo.customizedMessageBody", Message: fmt.Sprintf("longer than %d characters", maxCustomMessage)}
	}
	if len(r.DisplayName) > 256 {
		return r, &ValidationError{Field: "invitedUserDisplayName", Message: "longer than 256 characters"}
	}
	switch r.UserType {
	case "":
		r.UserType = directory.UserTypeGuest
	case directory.UserTypeGuest, directory.UserTypeMember:
	default:
		return r, &ValidationError{Field: "invitedUserType", Message: `must be "Guest" or "Member"`}
	}
	r.DisplayName = strings.TrimSpace(r.DisplayName)
	return r, nil
}

func checkRedirect(raw string, allowHTTP bool) error {
	if raw == "" {
		return &ValidationError{Field: "inviteRedirectUrl", Message: "is required"}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return &ValidationError{Field: "inviteRedirectUrl", Message: "must be an absolute URL without credentials"}
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	default:
		return &ValidationError{Field: "inviteRedirectUrl", Message: "must be an https URL"}
	}
	return nil
}
