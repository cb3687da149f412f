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
