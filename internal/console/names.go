package console

import (
	"strings"

	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/roles"
)

// roleName is a directory role's name in lang: Entra's Japanese names on
// Japanese pages, Graph's displayName otherwise.
func roleName(lang string, r roles.Role) string {
	id := "console.role." + strings.ReplaceAll(r.DisplayName, " ", "")
	if i18n.Has(i18n.Default, id) {
		return i18n.T(lang, id)
	}
	return r.DisplayName
}

// methodName is a sign-in's authentication method ("Password", "Email
// OTP", …, as Entra's sign-in details name them) in lang; an unknown one
// as recorded.
func methodName(lang, method string) string {
	id := "console.method." + strings.ReplaceAll(method, " ", "")
	if method != "" && i18n.Has(i18n.Default, id) {
		return i18n.T(lang, id)
	}
	return method
}
