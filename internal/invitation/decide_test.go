package invitation

import (
	"errors"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
)

func TestDecideIdP(t *testing.T) {
	pending := directory.User{ExternalUserState: directory.StatePendingAcceptance}
	otpGuest := directory.User{ExternalUserState: directory.StateAccepted, IdP: directory.IdPMail}
	homeGuest := directory.User{ExternalUserState: directory.StateAccepted, IdP: directory.IdPHomeTenant}
	// reset is an OTP guest after a redemption reset: pending, no IdP (R7).
	reset := directory.User{ExternalUserState: directory.StatePendingAcceptance, IdP: directory.IdPNone}
	public := directory.Tenant{Cloud: directory.CloudPublic}
	usgov := directory.Tenant{Cloud: directory.CloudUSGov}
	cases := []struct {
		rule    string
		in      DecisionInput
		want    Decision
		wantErr error
	}{
		{"R1_pending_guest_falls_back_to_otp", DecisionInput{User: pending, OTPEnabled: true}, Decision{IdP: directory.IdPMail, Redeeming: true}, nil},
		{"S3_pending_guest_no_otp_no_method", DecisionInput{User: pending, OTPEnabled: false}, Decision{}, ErrNoSignInMethod},
		{"R7_otp_guest_keeps_otp", DecisionInput{User: otpGuest, OTPEnabled: true}, Decision{IdP: directory.IdPMail}, nil},
		{"R9_otp_guest_refused_when_disabled", DecisionInput{User: otpGuest, OTPEnabled: false}, Decision{}, ErrOTPDisabled},
		{"R8_other_idp_guest_keeps_idp_when_otp_enabled", DecisionInput{User: homeGuest, OTPEnabled: true}, Decision{IdP: directory.IdPHomeTenant}, nil},
		{"R9_other_idp_guest_unaffected_by_disabling", DecisionInput{User: homeGuest, OTPEnabled: false}, Decision{IdP: directory.IdPHomeTenant}, nil},
		{"R7_reset_otp_guest_redecides_with_otp", DecisionInput{User: reset, OTPEnabled: true}, Decision{IdP: directory.IdPMail, Redeeming: true}, nil},
		{"R9_reset_otp_guest_with_otp_disabled_has_no_method_public", DecisionInput{User: reset, Tenant: public, OTPEnabled: false}, Decision{}, ErrNoSignInMethod},
		{"R11_usgov_pending_guest_never_offered_unmanaged", DecisionInput{User: pending, Tenant: usgov, OTPEnabled: false}, Decision{}, ErrNoSignInMethod},
		{"R11_usgov_pending_guest_otp_when_enabled", DecisionInput{User: pending, Tenant: usgov, OTPEnabled: true}, Decision{IdP: directory.IdPMail, Redeeming: true}, nil},
	}
	for _, c := range cases {
		t.Run(c.rule, func(t *testing.T) {
			got, err := DecideIdP(c.in)
			if !errors.Is(err, c.wantErr) || got != c.want {
				t.Fatalf("DecideIdP = %+v, %v; want %+v, %v", got, err, c.want, c.wantErr)
			}
		})
	}
}
