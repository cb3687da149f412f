package console

import (
	"fmt"
	"strconv"

	"github.com/guestgate/guestgate/internal/i18n"
)

// The sign-in log stores a refusal's reason in English, as Graph returns
// it (internal/signin). The console shows it in the page's language: the
// known reasons by their text, any other by its error code's name, and
// an unknown code as recorded.

// reasonKeys maps a recorded failure reason to its message id.
var reasonKeys = map[string]string{
	"The user account does not exist in the directory. To sign into this application, the account must be added to the directory.": "console.reason.not_found",
	"The user account is disabled. The account has been disabled by an administrator.":                                             "console.reason.disabled",
	"Error validating credentials due to invalid username or password.":                                                            "console.reason.wrong_password",
	"The account is locked because the user tried to sign in too many times with an incorrect user ID or password.":                "console.reason.locked",
	"Too many one-time passcodes were asked for; the user must wait before asking again.":                                          "console.reason.passcode_locked",
	"Too many sign-in attempts from this client address or to this organization; the user must wait before trying again.":          "console.reason.rate_limited",
	"The one-time passcode is not valid.":                                                                      "console.reason.wrong_code",
	"The one-time passcode has expired.":                                                                       "console.reason.expired_code",
	"The one-time passcode was already used.":                                                                  "console.reason.used_code",
	"Too many wrong one-time passcodes were entered; the passcode is void.":                                    "console.reason.void_code",
	"No one-time passcode was sent to this address.":                                                           "console.reason.no_code",
	"This organization turned off sign-in with email one-time passcodes, the only way this guest can sign in.": "console.reason.otp_disabled",
	"No identity provider this organization allows applies to this guest.":                                     "console.reason.no_method",
	"The user declined to consent to access the app.":                                                          "console.reason.declined",
}

// failureLabel names an error code in lang ("Error 12345" when unknown).
func failureLabel(lang string, code int) string {
	id := "console.failure." + strconv.Itoa(code)
	if i18n.Has(i18n.Default, id) {
		return i18n.T(lang, id)
	}
	return i18n.T(lang, "console.failure.other", code)
}

// failureText is a recorded refusal as the log shows it: its code and
// its reason in lang.
func failureText(lang string, code int, reason string) string {
	if id, ok := reasonKeys[reason]; ok {
		return fmt.Sprintf("%d: %s", code, i18n.T(lang, id))
	}
	if id := "console.failure." + strconv.Itoa(code); lang != i18n.Default && i18n.Has(i18n.Default, id) {
		return fmt.Sprintf("%d: %s", code, i18n.T(lang, id))
	}
	return fmt.Sprintf("%d: %s", code, reason)
}
