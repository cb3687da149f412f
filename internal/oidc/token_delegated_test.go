package oidc

import (
	"slices"
	"testing"
)

func TestGraphScopes(t *testing.T) {
	in := []string{"openid", "profile", "https://graph.microsoft.com/Policy.ReadWrite.AuthenticationMethod", "user.read.all",
		"https://graph.microsoft.com/Mail.Send", "https://example.com/User.Read.All", "offline_access"}
	if got := graphScopes(in); !slices.Equal(got, []string{"Policy.ReadWrite.AuthenticationMethod", "User.Read.All"}) {
		t.Errorf("graphScopes = %v", got)
	}
	if got := tokenScopes(in[:4]); !slices.Equal(got, []string{"openid", "profile", "Policy.ReadWrite.AuthenticationMethod", "User.Read.All"}) {
		t.Errorf("tokenScopes = %v", got)
	}
	c := &client{}
	for scope, want := range map[string]bool{"https://graph.microsoft.com/User.Invite.All": true, "Mail.Send": false, "https://graph.microsoft.com/.default": false} {
		if got := c.IsScopeAllowed(scope); got != want {
			t.Errorf("IsScopeAllowed(%q) = %t, want %t", scope, got, want)
		}
	}
}
