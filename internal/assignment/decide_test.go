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

func TestParseGroupClaims(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		err      error
	}{
		{"", ClaimsNone, nil},
		{"None", ClaimsNone, nil},
		{"securitygroup", ClaimsSecurityGroup, nil},
		{"All", ClaimsAll, nil},
		{"ApplicationGroup", ClaimsApplicationGroup, nil},
		{"DirectoryRole", "", ErrGroupClaims},
		{"SecurityGroup, DirectoryRole", "", ErrGroupClaims},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseGroupClaims(tc.in)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Fatalf("ParseGroupClaims(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
			}
		})
	}
}

func TestDecideAppRoles(t *testing.T) {
	long := strings.Repeat("x", maxRoleValue+1)
	app := func(r AppRole, f func(*AppRole)) []AppRole { f(&r); return []AppRole{r} }
	for _, tc := range []struct {
		name      string
		old, next []AppRole
		err       error
	}{
		{"first_roles", nil, []AppRole{role(roleA, "Reader", true), role(roleB, "Writer", true)}, nil},
		{"no_roles", nil, nil, nil},
		{"duplicate_value", nil, []AppRole{role(roleA, "Reader", true), role(roleB, "Reader", true)}, ErrInvalidRole},
		{"duplicate_id", nil, []AppRole{role(roleA, "Reader", true), role(roleA, "Writer", true)}, ErrInvalidRole},
		{"duplicate_id_other_case", nil, []AppRole{role(roleA, "Reader", true), role(strings.ToUpper(roleA), "Writer", true)}, ErrInvalidRole},
		{"id_not_guid", nil, []AppRole{role("reader", "Reader", true)}, ErrInvalidRole},
		{"id_default_access", nil, []AppRole{role(DefaultAccessRoleID, "Reader", true)}, ErrInvalidRole},
		{"value_with_space", nil, []AppRole{role(roleA, "Read all", true)}, ErrInvalidRole},
		{"value_leading_dot", nil, []AppRole{role(roleA, ".Reader", true)}, ErrInvalidRole},
		{"value_too_long", nil, []AppRole{role(roleA, long, true)}, ErrInvalidRole},
		{"no_display_name", nil, app(role(roleA, "Reader", true), func(r *AppRole) { r.DisplayName = "" }), ErrInvalidRole},
		{"application_member_type", nil, app(role(roleA, "Reader", true), func(r *AppRole) { r.AllowedMemberTypes = []string{"Application"} }), ErrInvalidRole},
		{"no_member_type", nil, app(role(roleA, "Reader", true), func(r *AppRole) { r.AllowedMemberTypes = nil }), ErrInvalidRole},
		{"empty_values_may_repeat", nil, []AppRole{role(roleA, "", true), role(roleB, "", true)}, nil},
		{"enabled_role_removed", []AppRole{role(roleA, "Reader", true)}, nil, ErrRoleEnabledRemoved},
		{"enabled_role_removed_other_kept", []AppRole{role(roleA, "Reader", true), role(roleB, "Writer", true)},
			[]AppRole{role(roleB, "Writer", true)}, ErrRoleEnabledRemoved},
		{"role_disabled_first", []AppRole{role(roleA, "Reader", true)}, []AppRole{role(roleA, "Reader", false)}, nil},
		{"disabled_role_removed", []AppRole{role(roleA, "Reader", false)}, nil, nil},
		{"disable_and_remove_at_once", []AppRole{role(roleA, "Reader", true)}, nil, ErrRoleEnabledRemoved},
		{"value_renamed", []AppRole{role(roleA, "Reader", true)}, []AppRole{role(roleA, "Viewer", true)}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
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

func TestDecideAssign(t *testing.T) {
	plain := App{ServicePrincipalID: "sp"}
	withRoles := App{ServicePrincipalID: "sp", AppRoles: []AppRole{role(roleA, "Reader", true), role(roleB, "Old", false)}}
	for _, tc := range []struct {
		name      string
		app       App
		principal string
		roleID    string
		err       error
	}{
		{"default_access_without_roles_user", plain, PrincipalUser, DefaultAccessRoleID, nil},
		{"default_access_without_roles_group", plain, PrincipalGroup, DefaultAccessRoleID, nil},
		{"some_role_without_roles", plain, PrincipalUser, roleA, ErrRoleNotFound},
		{"enabled_role", withRoles, PrincipalUser, roleA, nil},
		{"enabled_role_other_case", withRoles, PrincipalGroup, strings.ToUpper(roleA), nil},
		{"disabled_role", withRoles, PrincipalUser, roleB, ErrRoleNotFound},
		{"default_access_with_roles", withRoles, PrincipalUser, DefaultAccessRoleID, ErrRoleNotFound},
		{"unknown_role", withRoles, PrincipalUser, "33333333-3333-4333-8333-333333333333", ErrRoleNotFound},
		{"service_principal_principal", withRoles, "ServicePrincipal", roleA, ErrPrincipalType},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := DecideAssign(tc.app, tc.principal, tc.roleID); !errors.Is(err, tc.err) {
				t.Fatalf("got %v, want %v", err, tc.err)
			}
		})
	}
}

func TestBuildAccess(t *testing.T) {
	app := App{AssignmentRequired: true, GroupMembershipClaims: ClaimsSecurityGroup,
		AppRoles: []AppRole{role(roleA, "Writer", true), role(roleB, "Old", false), role(DefaultAccessRoleID[:35]+"1", "Reader", true)}}
	for _, tc := range []struct {
		name string
		f    Facts
		want Access
	}{
		{"unassigned_required", Facts{App: app},
			Access{Required: true, GroupsClaim: true}},
		{"roles_sorted_once_disabled_dropped", Facts{App: app, Assigned: true,
			RoleIDs: []string{roleA, DefaultAccessRoleID[:35] + "1", strings.ToUpper(roleA), roleB, "unknown"}, Groups: []string{"g2", "g1"}},
			Access{Required: true, Assigned: true, Roles: []string{"Reader", "Writer"}, GroupsClaim: true, Groups: []string{"g1", "g2"}}},
		{"default_access_no_value", Facts{App: App{}, Assigned: true, RoleIDs: []string{DefaultAccessRoleID}, Groups: []string{"g"}},
			Access{Assigned: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
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
