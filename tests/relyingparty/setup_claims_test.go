package relyingparty

import "testing"

// askForGroupsClaim sets the app's groupMembershipClaims to SecurityGroup.
func askForGroupsClaim(t *testing.T, bin string, env []string, s setup) {
	t.Helper()
	t.Fatal("groupMembershipClaims cannot be set yet")
}
