package assignment

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// Limits of an app's roles, as Graph's: a value of at most 120 characters
// without spaces, a display name of at most 100. MaxAppRoles bounds the
// list kept with the app.
const (
	MaxAppRoles       = 200
	maxRoleValue      = 120
	maxRoleName       = 100
	maxRoleDescriptor = 1000
)

// Errors of the rules. The admin API answers each with Graph's message
// (internal/graph).
var (
	// ErrRoleNotFound: the role assigned is not an enabled role of the
	// app open to users (nor the default access role of an app without
	// roles).
	ErrRoleNotFound = errors.New("permission being assigned was not found on application")
	// ErrAlreadyAssigned: the principal already holds the role on the app.
	ErrAlreadyAssigned = errors.New("permission being assigned already exists on the object")
	// ErrPrincipalType: the principal is neither a user nor a group.
	ErrPrincipalType = errors.New("principalType must be User or Group")
	// ErrGroupClaims: groupMembershipClaims is not a known value.
	ErrGroupClaims = errors.New("groupMembershipClaims must be None, SecurityGroup, All or ApplicationGroup")
	// ErrInvalidRole: an app role breaks a rule of Graph's appRole.
	ErrInvalidRole = errors.New("invalid app role")
	// ErrRoleEnabledRemoved: an enabled app role cannot be removed; Graph
	// requires it to be disabled first, in an earlier update.
	ErrRoleEnabledRemoved = errors.New("an app role must be disabled (isEnabled false) before it is removed")
)

// ParseGroupClaims returns v, one of the Claims… values matched in any
// case, in Graph's spelling; "" and null mean None.
func ParseGroupClaims(v string) (string, error) {
	if strings.TrimSpace(v) == "" {
		return ClaimsNone, nil
	}
	for _, c := range []string{ClaimsNone, ClaimsSecurityGroup, ClaimsAll, ClaimsApplicationGroup} {
		if strings.EqualFold(strings.TrimSpace(v), c) {
			return c, nil
		}
	}
	return "", fmt.Errorf("%w: %q", ErrGroupClaims, v)
}

// DecideAppRoles checks next, the app roles that are to replace old: each
// role valid with a unique id and value, and no enabled role of old left
// out (Graph removes only a role already disabled).
func DecideAppRoles(old, next []AppRole) error {
	if len(next) > MaxAppRoles {
		return fmt.Errorf("%w: an app defines at most %d roles", ErrInvalidRole, MaxAppRoles)
	}
	ids, values := map[string]bool{}, map[string]bool{}
	for _, r := range next {
		if err := validateRole(r); err != nil {
			return err
		}
		id := strings.ToLower(r.ID)
		if ids[id] {
			return fmt.Errorf("%w: id %s is used twice", ErrInvalidRole, r.ID)
		}
		ids[id] = true
		if r.Value == "" {
			continue
		}
		if values[r.Value] {
			return fmt.Errorf("%w: value %q is used twice", ErrInvalidRole, r.Value)
		}
		values[r.Value] = true
	}
	for _, r := range old {
		if r.IsEnabled && !ids[strings.ToLower(r.ID)] {
			return fmt.Errorf("app role %s: %w", r.ID, ErrRoleEnabledRemoved)
		}
	}
	return nil
}

func validateRole(r AppRole) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrInvalidRole, r.Value, why) }
	switch id, err := uuid.Parse(r.ID); {
	case err != nil || len(r.ID) != 36:
		return bad("id must be a GUID")
	case id.String() == DefaultAccessRoleID:
		return bad("id must not be the default access role's")
	case r.DisplayName == "" || len([]rune(r.DisplayName)) > maxRoleName:
		return bad(fmt.Sprintf("displayName is required, at most %d characters", maxRoleName))
	case len([]rune(r.Description)) > maxRoleDescriptor:
		return bad(fmt.Sprintf("description is at most %d characters", maxRoleDescriptor))
	case len(r.Value) > maxRoleValue || strings.ContainsAny(r.Value, " \t\r\n") || strings.HasPrefix(r.Value, "."):
		return bad(fmt.Sprintf("value has at most %d characters, no spaces, and does not start with '.'", maxRoleValue))
	case len(r.AllowedMemberTypes) != 1 || r.AllowedMemberTypes[0] != MemberTypeUser:
		return bad(`allowedMemberTypes must be ["User"]: only users and groups are assigned here`)
	}
	return nil
}

// DecideAssign checks that roleID may be assigned to a principal of
// principalType on app: an enabled role of the app open to users, or the
// default access role when the app defines no roles.
func DecideAssign(app App, principalType, roleID string) error {
	if principalType != PrincipalUser && principalType != PrincipalGroup {
		return ErrPrincipalType
	}
	if len(app.AppRoles) == 0 {
		if equalFoldID(roleID, DefaultAccessRoleID) {
			return nil
		}
		return fmt.Errorf("%w '%s'", ErrRoleNotFound, app.ServicePrincipalID)
	}
	for _, r := range app.AppRoles {
		if equalFoldID(r.ID, roleID) && r.IsEnabled && slices.Contains(r.AllowedMemberTypes, MemberTypeUser) {
			return nil
		}
	}
	return fmt.Errorf("%w '%s'", ErrRoleNotFound, app.ServicePrincipalID)
}

// Facts are what the store reads for Access: the app, the role ids
// assigned to the user directly or through a group, whether any
// assignment exists, and the groups the user is in at any depth (read
// only when the app asked for the groups claim; at most GroupsOverage+1).
type Facts struct {
	App      App
	Assigned bool
	RoleIDs  []string
	Groups   []string
}

// BuildAccess turns the facts into an Access: the values of the enabled
// roles assigned (an assignment of a role since disabled or removed still
// admits, but carries no value), and the groups only when asked for.
func BuildAccess(f Facts) Access {
	a := Access{Required: f.App.AssignmentRequired, Assigned: f.Assigned, GroupsClaim: f.App.GroupsClaim()}
	byID := make(map[string]AppRole, len(f.App.AppRoles))
	for _, r := range f.App.AppRoles {
		byID[strings.ToLower(r.ID)] = r
	}
	seen := map[string]bool{}
	for _, id := range f.RoleIDs {
		r, ok := byID[strings.ToLower(id)]
		if !ok || !r.IsEnabled || r.Value == "" || seen[r.Value] {
			continue
		}
		seen[r.Value] = true
		a.Roles = append(a.Roles, r.Value)
	}
	sort.Strings(a.Roles)
	if a.GroupsClaim {
		a.Groups = slices.Clone(f.Groups)
		sort.Strings(a.Groups)
	}
	return a
}

// equalFoldID compares two GUIDs in any case.
func equalFoldID(a, b string) bool { return strings.EqualFold(a, b) }
