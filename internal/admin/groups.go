package admin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/store"
)

// Groups is the operator's security groups (guestgate group …).
type Groups struct {
	Directory
	groups *groups.Service
}

// NewGroups builds Groups over the directory and the group service.
func NewGroups(d Directory, g *groups.Service) (Groups, error) {
	switch {
	case d.store == nil:
		return Groups{}, errMissing("the directory")
	case g == nil:
		return Groups{}, errMissing("the group service")
	}
	return Groups{Directory: d, groups: g}, nil
}

// listPage is how many groups one read of ListGroups takes.
const listPage = 500

// CreateGroup creates a security group of t (guestgate group create).
func (g Groups) CreateGroup(ctx context.Context, t directory.Tenant, in groups.Input) (groups.Group, error) {
	return g.groups.Create(ctx, t.ID, in, audit.CLI)
}

// ListGroups returns every live group of t, by id (guestgate group list).
func (g Groups) ListGroups(ctx context.Context, t directory.Tenant) ([]groups.Group, error) {
	var out []groups.Group
	after := ""
	for {
		page, err := g.groups.List(ctx, t.ID, after, listPage)
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

// FindGroup returns t's group named by its object id or its mailNickname
// (any case), or store.ErrNotFound.
func (g Groups) FindGroup(ctx context.Context, t directory.Tenant, idOrNickname string) (groups.Group, error) {
	found, err := g.groups.Get(ctx, t.ID, idOrNickname)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return found, err
	}
	all, err := g.ListGroups(ctx, t)
	if err != nil {
		return groups.Group{}, err
	}
	for _, x := range all {
		if strings.EqualFold(x.MailNickname, idOrNickname) {
			return x, nil
		}
	}
	return groups.Group{}, fmt.Errorf("group %q: %w", idOrNickname, store.ErrNotFound)
}

// memberID names a member: a user by object id or userPrincipalName,
// else a group by object id or mailNickname.
func (g Groups) memberID(ctx context.Context, t directory.Tenant, name string) (string, error) {
	u, err := g.FindUser(ctx, t, name)
	if err == nil {
		return u.ID, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	found, err := g.FindGroup(ctx, t, name)
	if err != nil {
		return "", fmt.Errorf("member %q: %w", name, store.ErrNotFound)
	}
	return found.ID, nil
}

// AddMember puts member (a user or a group, see memberID) in group
// (guestgate group add-member).
func (g Groups) AddMember(ctx context.Context, t directory.Tenant, group, member string) (groups.Group, string, error) {
	found, err := g.FindGroup(ctx, t, group)
	if err != nil {
		return groups.Group{}, "", err
	}
	id, err := g.memberID(ctx, t, member)
	if err != nil {
		return groups.Group{}, "", err
	}
	return found, id, g.groups.AddMember(ctx, t.ID, found.ID, id, audit.CLI)
}

// RemoveMember takes member out of group (guestgate group remove-member).
func (g Groups) RemoveMember(ctx context.Context, t directory.Tenant, group, member string) (groups.Group, string, error) {
	found, err := g.FindGroup(ctx, t, group)
	if err != nil {
		return groups.Group{}, "", err
	}
	id, err := g.memberID(ctx, t, member)
	if err != nil {
		return groups.Group{}, "", err
	}
	return found, id, g.groups.RemoveMember(ctx, t.ID, found.ID, id, audit.CLI)
}

// Members returns every direct member of group (guestgate group members).
func (g Groups) Members(ctx context.Context, t directory.Tenant, group string) (groups.Group, []groups.Object, error) {
	found, err := g.FindGroup(ctx, t, group)
	if err != nil {
		return groups.Group{}, nil, err
	}
	var out []groups.Object
	after := ""
	for {
		page, err := g.groups.Members(ctx, t.ID, found.ID, after, listPage)
		if err != nil {
			return groups.Group{}, nil, err
		}
		out = append(out, page...)
		if len(page) < listPage {
			return found, out, nil
		}
		after = page[len(page)-1].ID
	}
}
