package console

import (
	"errors"
	"unicode"
	"unicode/utf8"

	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/i18n"
)

// fieldOf is the form field a Graph property of a federation is entered in.
var fieldOf = map[string]string{
	"displayName": "displayName", "issuerUri": "issuerUri", "issuer": "issuer",
	"passiveSignInUri": "passiveSignInUri", "signingCertificate": "signingCertificate",
	"metadataUrl": "metadataUrl", "domains": "domains", "preferredAuthenticationProtocol": "protocol",
	"clientId": "clientId", "clientSecret": "clientSecret",
}

// fedProblem is a federation change the service refused, as a form shows
// it: the field it concerns ("" for the whole form) and the message.
type fedProblem struct {
	Field, Message string
}

// fedMessage is what a form says of a federation change the service
// refused: the API's message (docs/graph.md), in the page's language. It
// reports false for an error that is not the admin's to correct.
func fedMessage(l string, err error) (fedProblem, bool) {
	var ve *federation.ValidationError
	switch {
	case errors.As(err, &ve):
		msg := ve.Message
		if key := "console.idps.err." + ve.Code; ve.Code != "" && i18n.Has(l, key) {
			args := make([]any, len(ve.Args))
			for i, a := range ve.Args {
				args[i] = a
			}
			msg = i18n.T(l, key, args...)
		}
		return fedProblem{Field: fieldOf[ve.Property], Message: sentence(msg)}, true
	case errors.Is(err, federation.ErrWSFedUnsupported):
		return fedProblem{Field: "protocol", Message: i18n.T(l, "console.idps.err.wsfed")}, true
	case errors.Is(err, federation.ErrMetadataUnavailable):
		// Never the cause: it would tell whether a port is open, or show
		// the answer (issue 20, finding 4); the log has it.
		return fedProblem{Field: "metadataUrl", Message: i18n.T(l, "console.idps.err.metadata_unavailable")}, true
	}
	return fedProblem{}, false
}

// sentence starts a message with a capital letter and ends it with a full
// stop (the API's messages are clauses after a property name).
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	last, _ := utf8.DecodeLastRuneInString(s)
	if last != '.' && last != '。' {
		s += "."
	}
	return s
}
