package graph

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/validation"
)

// TestNewUserBodyAsSDKsSendIt: the body Graph SDKs and PowerShell send for
// a new user decodes, @odata.type included; unknown properties are 400.
func TestNewUserBodyAsSDKsSendIt(t *testing.T) {
	decodeBody := func(body string) (newUserBody, error) {
		r := httptest.NewRequest(http.MethodPost, "/v1.0/users", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var in newUserBody
		return in, decode(httptest.NewRecorder(), r, &in)
	}
	in, err := decodeBody(`{"@odata.type": "#microsoft.graph.user", "accountEnabled": false, "displayName": "Kim Akers",
		"mailNickname": "kim", "userPrincipalName": "kim@fabrikam.example",
		"passwordProfile": {"@odata.type": "#microsoft.graph.passwordProfile", "forceChangePasswordNextSignIn": true, "password": "tulip-Quarry-2026"}}`)
	if err != nil || in.AccountEnabled == nil || *in.AccountEnabled || in.PasswordProfile == nil || in.PasswordProfile.Password != "tulip-Quarry-2026" {
		t.Fatalf("decode = %+v, %v", in, err)
	}
	var ge *Error
	if _, err := decodeBody(`{"userPrincipalName": "kim@fabrikam.example", "passwordPolicies": "DisablePasswordExpiration"}`); !errors.As(err, &ge) || ge.Status != http.StatusBadRequest {
		t.Fatalf("unknown property = %v, want 400", err)
	}
}

// TestWriteErrorMemberMessages: member refusals answer Graph's messages.
func TestWriteErrorMemberMessages(t *testing.T) {
	a := mustNew(Deps{Clock: clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))})
	cases := []struct {
		name string
		err  error
		want string
	}{
		{"weak_password", &member.ValidationError{Resource: validation.ResourceUser, Property: "passwordProfile.password", Err: &member.PasswordError{Reason: "it has 5 characters; use at least 12"}},
			"The specified password does not comply with password complexity requirements. Please provide a different password. Reason: it has 5 characters; use at least 12."},
		{"upn_domain", &member.ValidationError{Resource: validation.ResourceUser, Property: "userPrincipalName", Err: member.ErrUnverifiedDomain},
			"The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization."},
		{"duplicate", &member.ValidationError{Resource: validation.ResourceUser, Property: "userPrincipalName", Err: member.ErrAddressTaken},
			"Another object with the same value for property userPrincipalName already exists."},
		{"other_property", &member.ValidationError{Resource: validation.ResourceUser, Property: "displayName", Message: "a name is required"},
			"Invalid value specified for property 'displayName' of resource 'User'. a name is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			a.writeError(w, httptest.NewRequest(http.MethodPost, "/v1.0/users", nil), c.err)
			if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"code":"Request_BadRequest"`) || !strings.Contains(w.Body.String(), c.want) {
				t.Fatalf("%d %s, want 400 Request_BadRequest %q", w.Code, w.Body.String(), c.want)
			}
		})
	}
}
