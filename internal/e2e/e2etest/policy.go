package e2etest

import (
	"net/http"
	"testing"
)

// InviteNoMail invites addr without a mail and returns the user id and redeem link.
func InviteNoMail(t *testing.T, in *Instance, c *http.Client, addr string) (string, string) {
	t.Helper()
	var inv map[string]any
	if s := API(t, c, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
		"invitedUserEmailAddress": addr, "inviteRedirectUrl": "https://apps.fabrikam.example/welcome",
	}, &inv); s != http.StatusCreated {
		t.Fatalf("invite %s = %d %v", addr, s, inv)
	}
	return inv["invitedUser"].(map[string]any)["id"].(string), inv["inviteRedeemUrl"].(string)
}

// GetUser reads a user, with every property guestgate keeps, through the API.
func GetUser(t *testing.T, in *Instance, c *http.Client, id string) map[string]any {
	t.Helper()
	var u map[string]any
	if s := API(t, c, http.MethodGet, in.URL+"/v1.0/users/"+id+allUserProperties, nil, &u); s != http.StatusOK {
		t.Fatalf("GET user %s = %d %v", id, s, u)
	}
	return u
}

// allUserProperties selects every user property guestgate keeps: like
// Graph, GET /v1.0/users/{id} answers only the default set without $select.
const allUserProperties = "?$select=id,displayName,mail,userPrincipalName,preferredLanguage,userType,accountEnabled,createdDateTime," +
	"creationType,externalUserState,externalUserStateChangeDateTime,identities,otherMails"
