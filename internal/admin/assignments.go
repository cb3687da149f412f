package admin

import (
	"context"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// Assignments is the operator's app assignment: who may reach which app,
// the app roles, the groups claim (guestgate app assign …). It names users
// and groups as Groups does.
type Assignments struct {
	Groups
	assignments *assignment.Service
}

// NewAssignments builds Assignments over the groups and the assignment
// service.
func NewAssignments(g Groups, a *assignment.Service) (Assignments, error) {
	switch {
	case g.groups == nil:
		return Assignments{}, errMissing("the group service")
	case a == nil:
		return Assignments{}, errMissing("the assignment service")
	}
	return Assignments{Groups: g, assignments: a}, nil
}

// App returns t's app appID (its client id) with its assignment settings.
func (a Assignments) App(ctx context.Context, t directory.Tenant, appID string) (assignment.App, error) {
	return a.assignments.Get(ctx, t.ID, appID)
}

// SetAssignmentRequired sets whether only assigned users and groups may
// sign in to the app (appRoleAssignmentRequired).
func (a Assignments) SetAssignmentRequired(ctx context.Context, t directory.Tenant, appID string, required bool) (assignment.App, error) {
	return a.assignments.SetRequired(ctx, t.ID, appID, required, audit.CLI)
}

// SetGroupClaims sets the app's groupMembershipClaims (None,
// SecurityGroup, All, ApplicationGroup).
func (a Assignments) SetGroupClaims(ctx context.Context, t directory.Tenant, appID, claims string) (assignment.App, error) {
	return a.assignments.SetGroupClaims(ctx, t.ID, appID, claims, audit.CLI)
}

// SetAppRoles replaces the app's roles (a role is removed only once
// disabled).
func (a Assignments) SetAppRoles(ctx context.Context, t directory.Tenant, appID string, roles []assignment.AppRole) (assignment.App, error) {
	return a.assignments.SetAppRoles(ctx, t.ID, appID, roles, audit.CLI)
}

// Assign gives principal (a user by object id or userPrincipalName, else
// a group by object id or mailNickname) the app role named by role (its
// id or value; "" is the default access role of an app without roles).
func (a Assignments) Assign(ctx context.Context, t directory.Tenant, appID, principal, role string) (assignment.Assignment, error) {
	app, err := a.assignments.Get(ctx, t.ID, appID)
	if err != nil {
		return assignment.Assignment{}, err
	}
	id, err := a.memberID(ctx, t, principal)
	if err != nil {
		return assignment.Assignment{}, err
	}
	return a.assignments.Assign(ctx, t.ID, app.AppID, id, RoleID(app, role), audit.CLI)
}

// RoleID names an app role by its id or its value; "" is the default
// access role. A name that matches neither is returned unchanged, for the
// rules to refuse.
func RoleID(app assignment.App, role string) string {
	if role == "" {
		return assignment.DefaultAccessRoleID
	}
	for _, r := range app.AppRoles {
		if strings.EqualFold(r.ID, role) || r.Value == role {
			return r.ID
		}
	}
	return role
}

// Unassign removes the assignment id of the app appID.
func (a Assignments) Unassign(ctx context.Context, t directory.Tenant, appID, id string) error {
	found, err := a.assignments.GetAssignment(ctx, t.ID, id)
	if err != nil {
		return err
	}
	if found.AppID != appID {
		return fmt.Errorf("assignment %s of app %s: %w", id, appID, store.ErrNotFound)
	}
	return a.assignments.Unassign(ctx, t.ID, id, audit.CLI)
}

// AppAssignments returns every assignment of the app (appRoleAssignedTo).
func (a Assignments) AppAssignments(ctx context.Context, t directory.Tenant, appID string) ([]assignment.Assignment, error) {
	return allPages(func(after string) ([]assignment.Assignment, error) {
		return a.assignments.ListForApp(ctx, t.ID, appID, after, listPage)
	})
}

// PrincipalAssignments returns every assignment made to principal itself
// (named as in Assign).
func (a Assignments) PrincipalAssignments(ctx context.Context, t directory.Tenant, principal string) ([]assignment.Assignment, error) {
	id, err := a.memberID(ctx, t, principal)
	if err != nil {
		return nil, err
	}
	return allPages(func(after string) ([]assignment.Assignment, error) {
		return a.assignments.ListForPrincipal(ctx, t.ID, id, after, listPage)
	})
}

// Access reads what user may do in the app, as the sign-in does.
func (a Assignments) Access(ctx context.Context, t directory.Tenant, appID, user string) (assignment.Access, error) {
	u, err := a.FindUser(ctx, t, user)
	if err != nil {
		return assignment.Access{}, err
	}
	return a.assignments.Access(ctx, t.ID, appID, u.ID)
}

func allPages(read func(after string) ([]assignment.Assignment, error)) ([]assignment.Assignment, error) {
	var out []assignment.Assignment
	after := ""
	for {
		page, err := read(after)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < listPage {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}
