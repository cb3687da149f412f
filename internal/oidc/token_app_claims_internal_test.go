package oidc

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/guestgate/guestgate/internal/assignment"
)

// groupIDs returns n distinct group object ids.
func groupIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	}
	return ids
}

// TestAppClaims (R16): the roles and groups claims as Entra ID writes them
// in JWTs; more than 200 groups is an overage pointing to Graph's
// getMemberObjects instead of the list.
func TestAppClaims(t *testing.T) {
	const graph = "https://login.example/v1.0"
	const user = "5f3c2a1e-0b9d-4c8e-a7f6-1d2e3f4a5b6c"
	overage := map[string]any{
		claimClaimNames:   map[string]any{"groups": "src1"},
		claimClaimSources: map[string]any{"src1": map[string]any{"endpoint": graph + "/users/" + user + "/getMemberObjects"}},
	}
	cases := []struct {
		name   string
		access assignment.Access
		want   map[string]any
	}{
		{"nothing assigned, no groups asked", assignment.Access{}, map[string]any{}},
		{"roles only", assignment.Access{Assigned: true, Roles: []string{"Reader", "Writer"}},
			map[string]any{"roles": []string{"Reader", "Writer"}}},
		{"groups not asked: none even when member", assignment.Access{Groups: groupIDs(3)}, map[string]any{}},
		{"groups asked, in none: claim left out", assignment.Access{GroupsClaim: true}, map[string]any{}},
		{"groups asked", assignment.Access{GroupsClaim: true, Groups: groupIDs(2)},
			map[string]any{"groups": groupIDs(2)}},
		{"200 groups: still the list", assignment.Access{GroupsClaim: true, Groups: groupIDs(200)},
			map[string]any{"groups": groupIDs(200)}},
		{"201 groups: overage", assignment.Access{GroupsClaim: true, Groups: groupIDs(201)}, overage},
		{"roles and an overage", assignment.Access{Roles: []string{"Admin"}, GroupsClaim: true, Groups: groupIDs(250)},
			map[string]any{"roles": []string{"Admin"}, claimClaimNames: overage[claimClaimNames], claimClaimSources: overage[claimClaimSources]}},
	}
	for _, c := range cases {
		t.Run("R16/"+c.name, func(t *testing.T) {
			if got := appClaims(c.access, graph, user); !reflect.DeepEqual(got, c.want) {
				t.Errorf("appClaims = %v, want %v", got, c.want)
			}
		})
	}
}
