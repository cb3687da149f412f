package assignment

import (
	"errors"
	"strings"
	"testing"
)

const (
	roleA = "11111111-1111-4111-8111-111111111111"
	roleB = "22222222-2222-4222-8222-222222222222"
)

func role(id, value string, enabled bool) AppRole {
	return AppRole{ID: id, Value: value, DisplayName: value + " role", AllowedMemberTypes: []string{MemberTypeUser}, IsEnabled: enabled}
}

// TestParseGroupClaims (R16: apps may ask for a groups claim): the
// groupMembershipClaims values an app may set, Graph's spelling, any case.
func TestParseGroupClaims(t *testing.T) {
	for _, tc := range []struct {
		rule, in, want string
		err            error
	}{
		{"R16", "", ClaimsNone, nil},
		{"R16", "None", ClaimsNone, nil},
		{"R16", "securitygroup", ClaimsSecurityGroup, nil},
		{"R16", "All", ClaimsAll, nil},
		{"R16", "ApplicationGroup", ClaimsApplicationGroup, nil},
		{"R16", "DirectoryRole", "", ErrGroupClaims},
		{"R16", "SecurityGroup, DirectoryRole", "", ErrGroupClaims},
	} {
		t.Run(tc.rule+"_"+tc.in, func(t *testing.T) {
			got, err := ParseGroupClaims(tc.in)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("ParseGroupClaims(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

// TestDecideAppRoles (R16: apps may ask for a roles claim): the app roles
// an app may define, and that an enabled role is disabled before it is
// removed.
func TestDecideAppRoles(t *testing.T) {
	long := strings.Repeat("x", maxRoleValue+1)
	app := func(r AppRole, f func(*AppRole)) []AppRole { f(&r); return []AppRole{r} }
	for _, tc := range []struct {
		rule, name string
		old, next  []AppRole
		err        error
	}{
		{"R16", "first_roles", nil, []AppRole{role(roleA, "Reader", true), role(roleB, "Writer", true)}, nil},
		{"R16", "no_roles", nil, nil, nil},
		{"R16", "duplicate_value", nil, []AppRole{role(roleA, "Reader", true), role(roleB, "Reader", true)}, ErrInvalidRole},
		{"R16", "duplicate_id", nil, []AppRole{role(roleA, "Reader", true), role(roleA, "Writer", true)}, ErrInvalidRole},
		{"R16", "duplicate_id_other_case", nil, []AppRole{role(roleA, "Reader", true), role(strings.ToUpper(roleA), "Writer", true)}, ErrInvalidRole},
		{"R16", "id_not_guid", nil, []AppRole{role("reader", "Reader", true)}, ErrInvalidRole},
		{"R16", "id_default_access", nil, []AppRole{role(DefaultAccessRoleID, "Reader", true)}, ErrInvalidRole},
		{"R16", "value_with_space", nil, []AppRole{role(roleA, "Read all", true)}, ErrInvalidRole},
		{"R16", "value_leading_dot", nil, []AppRole{role(roleA, ".Reader", true)}, ErrInvalidRole},
		{"R16", "value_too_long", nil, []AppRole{role(roleA, long, true)}, ErrInvalidRole},
		{"R16", "no_display_name", nil, app(role(roleA, "Reader", true), func(r *AppRole) { r.DisplayName = "" }), ErrInvalidRole},
		{"R16", "application_member_type", nil, app(role(roleA, "Reader", true), func(r *AppRole) { r.AllowedMemberTypes = []string{"Application"} }), ErrInvalidRole},
		{"R16", "no_member_type", nil, app(role(roleA, "Reader", true), func(r *AppRole) { r.AllowedMemberTypes = nil }), ErrInvalidRole},
		{"R16", "empty_values_may_repeat", nil, []AppRole{role(roleA, "", true), role(roleB, "", true)}, nil},
		{"R16", "enabled_role_removed", []AppRole{role(roleA, "Reader", true)}, nil, ErrRoleEnabledRemoved},
		{"R16", "enabled_role_removed_other_kept", []AppRole{role(roleA, "Reader", true), role(roleB, "Writer", true)},
			[]AppRole{role(roleB, "Writer", true)}, ErrRoleEnabledRemoved},
		{"R16", "role_disabled_first", []AppRole{role(roleA, "Reader", true)}, []AppRole{role(roleA, "Reader", false)}, nil},
		{"R16", "disabled_role_removed", []AppRole{role(roleA, "Reader", false)}, nil, nil},
		{"R16", "disable_and_remove_at_once", []AppRole{role(roleA, "Reader", true)}, nil, ErrRoleEnabledRemoved},
		{"R16", "value_renamed", []AppRole{role(roleA, "Reader", true)}, []AppRole{role(roleA, "Viewer", true)}, nil},
	} {
		t.Run(tc.rule+"_"+tc.name, func(t *testing.T) {
			if err := DecideAppRoles(tc.old, tc.next); !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
		})
	}
	many := make([]AppRole, MaxAppRoles+1)
	if err := DecideAppRoles(nil, many); !errors.Is(err, ErrInvalidRole) {
		t.Fatalf("too many roles: got %v", err)
	}
}

// TestDecideAssign (R16: only users and groups assigned to an app sign in
// to it when it requires assignment): who may be assigned to which of the
// app's roles.
func TestDecideAssign(t *testing.T) {
	plain := App{ServicePrincipalID: "sp"}
	withRoles := App{ServicePrincipalID: "sp", AppRoles: []AppRole{role(roleA, "Reader", true), role(roleB, "Old", false)}}
	for _, tc := range []struct {
		rule, name string
		app        App
		principal  string
		roleID     string
		err        error
	}{
		{"R16", "default_access_without_roles_user", plain, PrincipalUser, DefaultAccessRoleID, nil},
		{"R16", "default_access_without_roles_group", plain, PrincipalGroup, DefaultAccessRoleID, nil},
		{"R16", "some_role_without_roles", plain, PrincipalUser, roleA, ErrRoleNotFound},
		{"R16", "enabled_role", withRoles, PrincipalUser, roleA, nil},
		{"R16", "enabled_role_other_case", withRoles, PrincipalGroup, strings.ToUpper(roleA), nil},
		{"R16", "disabled_role", withRoles, PrincipalUser, roleB, ErrRoleNotFound},
		{"R16", "default_access_with_roles", withRoles, PrincipalUser, DefaultAccessRoleID, ErrRoleNotFound},
		{"R16", "unknown_role", withRoles, PrincipalUser, "33333333-3333-4333-8333-333333333333", ErrRoleNotFound},
		{"R16", "service_principal_principal", withRoles, "ServicePrincipal", roleA, ErrPrincipalType},
	} {
		t.Run(tc.rule+"_"+tc.name, func(t *testing.T) {
			if err := DecideAssign(tc.app, tc.principal, tc.roleID); !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
		})
	}
}

// TestBuildAccess (R16): whether a user may sign in to an app that
// requires assignment, and the roles and groups claims its tokens carry.
func TestBuildAccess(t *testing.T) {
	app := App{AssignmentRequired: true, GroupMembershipClaims: ClaimsSecurityGroup,
		AppRoles: []AppRole{role(roleA, "Writer", true), role(roleB, "Old", false), role(DefaultAccessRoleID[:35]+"1", "Reader", true)}}
	for _, tc := range []struct {
		rule, name string
		f          Facts
		want       Access
	}{
		{"R16", "unassigned_required", Facts{App: app},
			Access{Required: true, GroupsClaim: true}},
		{"R16", "roles_sorted_once_disabled_dropped", Facts{App: app, Assigned: true,
			RoleIDs: []string{roleA, DefaultAccessRoleID[:35] + "1", strings.ToUpper(roleA), roleB, "unknown"}, Groups: []string{"g2", "g1"}},
			Access{Required: true, Assigned: true, Roles: []string{"Reader", "Writer"}, GroupsClaim: true, Groups: []string{"g1", "g2"}}},
		{"R16", "default_access_no_value", Facts{App: App{}, Assigned: true, RoleIDs: []string{DefaultAccessRoleID}, Groups: []string{"g"}},
			Access{Assigned: true}},
	} {
		t.Run(tc.rule+"_"+tc.name, func(t *testing.T) {
			got := BuildAccess(tc.f)
			if !equalAccess(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func equalAccess(a, b Access) bool {
	return a.Required == b.Required && a.Assigned == b.Assigned && a.GroupsClaim == b.GroupsClaim &&
		strings.Join(a.Roles, ",") == strings.Join(b.Roles, ",") && strings.Join(a.Groups, ",") == strings.Join(b.Groups, ",")
}
