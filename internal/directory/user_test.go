package directory

import "testing"

// TestIsInvited: a guest, or a member an invitation created, has its
// identity elsewhere; a member created here (or signed up) does not.
func TestIsInvited(t *testing.T) {
	cases := []struct {
		name string
		u    User
		want bool
	}{
		{"guest", User{UserType: UserTypeGuest, CreationType: CreationInvitation}, true},
		{"guest signed up", User{UserType: UserTypeGuest, CreationType: "SelfServiceSignUp"}, true},
		{"member invited as a member", User{UserType: UserTypeMember, CreationType: CreationInvitation}, true},
		{"member created here", User{UserType: UserTypeMember}, false},
		{"member signed up", User{UserType: UserTypeMember, CreationType: "SelfServiceSignUp"}, false},
	}
	for _, c := range cases {
		if got := c.u.IsInvited(); got != c.want {
			t.Errorf("%s: IsInvited() = %v, want %v", c.name, got, c.want)
		}
	}
}
