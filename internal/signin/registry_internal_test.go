package signin

import (
	"errors"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
)

// TestBuiltinMethods: every identity provider of section 3 has its
// built-in method, with the capability its pages need; a guest is never
// run as a member, and a decision no method serves is unavailable.
func TestBuiltinMethods(t *testing.T) {
	s := &Service{}
	s.methods = Builtin().build(s)
	guest := directory.User{UserType: directory.UserTypeGuest, CreationType: directory.CreationInvitation}
	member := directory.User{UserType: directory.UserTypeMember}
	for _, c := range []struct {
		rule   string
		user   directory.User
		idp    directory.IdP
		method string
		can    func(Method) bool
	}{
		{"member_password", member, directory.IdPNone, MethodPassword, is[PasswordMethod]},
		{"member_ignores_the_decision", member, directory.IdPMail, MethodPassword, is[PasswordMethod]},
		{"S3_mail_passcode", guest, directory.IdPMail, MethodPasscode, is[CodeMethod]},
		{"S3_azureActiveDirectory_home_tenant", guest, directory.IdPHomeTenant, MethodHomeTenant, is[RedirectMethod]},
		{"S3_microsoftAccount_personal", guest, directory.IdPPersonal, MethodHomeTenant, is[RedirectMethod]},
		{"S3_unmanaged", guest, directory.IdPUnmanaged, MethodHomeTenant, is[RedirectMethod]},
		{"S3_externalFederation_and_google", guest, directory.IdPFederation, MethodFederation, is[RedirectMethod]},
	} {
		t.Run(c.rule, func(t *testing.T) {
			r, err := s.routeFor(directory.Tenant{}, c.user, invitation.Decision{IdP: c.idp}, true)
			if err != nil || r.Method.Name() != c.method || !c.can(r.Method) {
				t.Fatalf("route = %+v, %v; want %s", r, err, c.method)
			}
		})
	}
	for _, c := range []struct {
		rule string
		idp  directory.IdP
	}{
		{"guest_never_a_member", directory.IdPNone},
		{"unknown_identity_provider", directory.IdP("carrierPigeon")},
	} {
		t.Run(c.rule, func(t *testing.T) {
			_, err := s.routeFor(directory.Tenant{}, guest, invitation.Decision{IdP: c.idp}, false)
			var ue *UnavailableError
			if !errors.As(err, &ue) || ue.IdP != c.idp || !ue.OTPDisabled {
				t.Fatalf("route error = %v, want *UnavailableError for %q with passcodes off", err, c.idp)
			}
		})
	}
}

func is[C any](m Method) bool {
	_, ok := m.(C)
	return ok
}
