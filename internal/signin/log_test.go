package signin

import (
	"fmt"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/otp"
)

func TestSignInFailureCodes(t *testing.T) {
	cases := []struct {
		name string
		err  error
		code int
	}{
		{"not_a_user", ErrNotMember, 50034},
		{"disabled_guest", ErrAccountDisabled, 50057},
		{"disabled_member", member.ErrDisabled, 50057},
		{"wrong_password", member.ErrWrongPassword, 50126},
		{"password_throttle", &member.ThrottledError{RetryAt: time.Now()}, 50053},
		{"passcode_throttle", &otp.ThrottledError{RetryAt: time.Now()}, 50053},
		{"wrong_code_wrapped", fmt.Errorf("verify: %w", otp.ErrWrongCode), 50181},
		{"expired_code", otp.ErrExpired, 50181},
		{"used_code", otp.ErrUsed, 50181},
		{"void_code", otp.ErrTooManyAttempts, 50181},
		{"no_code", otp.ErrNoCode, 50181},
		{"R9_otp_disabled", invitation.ErrOTPDisabled, 50020},
		{"R9_unavailable_with_otp_off", &UnavailableError{IdP: directory.IdPPersonal, OTPDisabled: true}, 50020},
		{"no_sign_in_method", invitation.ErrNoSignInMethod, 50020},
		{"declined_consent", ErrConsentDeclined, 65004},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, reason, ok := failureOf(c.err)
			if !ok || code != c.code || reason == "" {
				t.Fatalf("failureOf = %d %q %v, want %d", code, reason, ok, c.code)
			}
		})
	}
	for _, err := range []error{ErrDecisionChanged, ErrExpiredState, fmt.Errorf("database down")} {
		if _, _, ok := failureOf(err); ok {
			t.Errorf("%v must not be recorded as a refused sign-in", err)
		}
	}
}
