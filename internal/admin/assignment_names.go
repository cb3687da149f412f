package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/store"
)

// ErrAmbiguousName: a display name names more than one app or group; the
// id (or a group's mailNickname) says which.
var ErrAmbiguousName = errors.New("more than one has that name: give the id (for a group, its mail nickname will do) instead")

// appPage is how many apps one read of FindApp takes.
const appPage = 200

// FindApp returns t's app named by its app id (client_id) or its display
// name (any case; a name two apps share is ErrAmbiguousName), or
// store.ErrNotFound.
func (a Assignments) FindApp(ctx context.Context, t directory.Tenant, idOrName string) (assignment.App, error) {
	found, err := a.assignments.Get(ctx, t.ID, idOrName)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return found, err
	}
	var match []assignment.App
	for after := ""; ; {
		page, err := a.assignments.List(ctx, t.ID, after, appPage)
		if err != nil {
			return assignment.App{}, err
		}
		for _, x := range page {
			if strings.EqualFold(x.DisplayName, idOrName) {
				match = append(match, x)
			}
		}
		if len(page) < appPage {
			break
		}
		after = page[len(page)-1].AppID
	}
	return only(match, "app", idOrName)
}

// FindAssignedUser returns t's user named by object id, userPrincipalName
// or mail (any case), or store.ErrNotFound.
func (a Assignments) FindAssignedUser(ctx context.Context, t directory.Tenant, name string) (directory.User, error) {
	if name == "" {
		return directory.User{}, fmt.Errorf("user: %w", store.ErrNotFound)
	}
	u, err := a.store.GetUser(ctx, t.ID, name)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	u, err = a.store.GetUserByUPN(ctx, t.ID, name)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return u, err
	}
	u, err = a.store.GetUserByMail(ctx, t.ID, name)
	if errors.Is(err, store.ErrNotFound) {
		return directory.User{}, fmt.Errorf("user %q: %w", name, store.ErrNotFound)
	}
	return u, err
}

// FindAssignedGroup returns t's live group named by object id,
// mailNickname or display name (any case; a name two groups share is
// ErrAmbiguousName), or store.ErrNotFound.
func (a Assignments) FindAssignedGroup(ctx context.Context, t directory.Tenant, name string) (groups.Group, error) {
	g, err := a.FindGroup(ctx, t, name)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return g, err
	}
	gs, err := a.groups.Query(ctx, t.ID, groups.Query{Filter: []groups.Clause{{Field: groups.FieldDisplayName, Op: groups.OpEq, Values: []string{name}}}, Limit: 2})
	if err != nil {
		return groups.Group{}, err
	}
	return only(gs, "group", name)
}

// only is the one element of match, store.ErrNotFound for none and
// ErrAmbiguousName for several.
func only[T any](match []T, what, name string) (T, error) {
	var zero T
	switch len(match) {
	case 0:
		return zero, fmt.Errorf("%s %q: %w", what, name, store.ErrNotFound)
	case 1:
		return match[0], nil
	}
	return zero, fmt.Errorf("%s %q: %w", what, name, ErrAmbiguousName)
}
