package groups

import (
	"context"
	"fmt"

	"github.com/guestgate/guestgate/internal/audit"
)

// Object is a directory object a member reference names: a user or a group
// of the tenant.
type Object struct {
	ID          string
	Type        string // MemberUser or MemberGroup
	DisplayName string
	// UserPrincipalName is set for users.
	UserPrincipalName string
}

// Resolve finds directory object id in tenantID: a user, else a live
// group; store.ErrNotFound when neither (another tenant's object included).
func (s *Service) Resolve(ctx context.Context, tenantID, id string) (Object, error) {
	u, err := s.d.Directory.GetUser(ctx, tenantID, id)
	if err == nil {
		return Object{ID: u.ID, Type: MemberUser, DisplayName: u.DisplayName, UserPrincipalName: u.UserPrincipalName}, nil
	}
	if !notFound(err) {
		return Object{}, fmt.Errorf("resolve %s: %w", id, err)
	}
	g, err := s.d.Store.GetGroup(ctx, tenantID, id)
	if err != nil {
		return Object{}, fmt.Errorf("resolve %s: %w", id, err)
	}
	return Object{ID: g.ID, Type: MemberGroup, DisplayName: g.DisplayName}, nil
}

// AddMember puts directory object memberID (a user or a group of the same
// tenant) in groupID, with the audit record. A member already there is
// store.ErrAlreadyExists; a group that would contain itself is ErrCycle.
func (s *Service) AddMember(ctx context.Context, tenantID, groupID, memberID string, by audit.Actor) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		g, err := s.d.Store.GetGroup(ctx, tenantID, groupID)
		if err != nil {
			return fmt.Errorf("add member: group: %w", err)
		}
		m, err := s.Resolve(ctx, tenantID, memberID)
		if err != nil {
			return fmt.Errorf("add member: %w", err)
		}
		var ancestors []string
		if m.Type == MemberGroup {
			up, err := s.transitive(ctx, tenantID, groupID)
			if err != nil {
				return fmt.Errorf("add member: %w", err)
			}
			ancestors = ids(up)
		}
		if err := DecideAddMember(groupID, m.ID, m.Type, ancestors); err != nil {
			return fmt.Errorf("add member: %w", err)
		}
		if err := s.d.Store.AddGroupMember(ctx, Member{TenantID: tenantID, GroupID: groupID, MemberID: m.ID,
			MemberType: m.Type, CreatedAt: s.d.Clock.Now()}); err != nil {
			return fmt.Errorf("add member: %w", err)
		}
		return s.audit(ctx, tenantID, ActivityAddMember, audit.OperationAdd, by, objectTarget(m), groupTarget(g))
	})
}

// RemoveMember takes memberID out of groupID, with the audit record; a
// member not in the group is store.ErrNotFound.
func (s *Service) RemoveMember(ctx context.Context, tenantID, groupID, memberID string, by audit.Actor) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		g, err := s.d.Store.GetGroup(ctx, tenantID, groupID)
		if err != nil {
			return fmt.Errorf("remove member: group: %w", err)
		}
		m, err := s.Resolve(ctx, tenantID, memberID)
		if err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
		if err := s.d.Store.RemoveGroupMember(ctx, tenantID, groupID, m.ID); err != nil {
			return fmt.Errorf("remove member: %w", err)
		}
		return s.audit(ctx, tenantID, ActivityRemoveMember, audit.OperationDelete, by, objectTarget(m), groupTarget(g))
	})
}

// Members returns one page of groupID's direct members, resolved;
// store.ErrNotFound when the group is not the tenant's live group.
func (s *Service) Members(ctx context.Context, tenantID, groupID, afterID string, limit int) ([]Object, error) {
	if _, err := s.d.Store.GetGroup(ctx, tenantID, groupID); err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	ms, err := s.d.Store.ListGroupMembers(ctx, tenantID, groupID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	out := make([]Object, 0, len(ms))
	for _, m := range ms {
		o, err := s.Resolve(ctx, tenantID, m.MemberID)
		if notFound(err) {
			continue // deleted between the two reads
		}
		if err != nil {
			return nil, fmt.Errorf("list members: %w", err)
		}
		out = append(out, o)
	}
	return out, nil
}

// MemberOf returns one page of the live groups memberID is directly in.
func (s *Service) MemberOf(ctx context.Context, tenantID, memberID, afterID string, limit int) ([]Group, error) {
	gs, err := s.d.Store.ListMemberOf(ctx, tenantID, memberID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("memberOf: %w", err)
	}
	return gs, nil
}

// TransitiveMemberOf returns every live group memberID is in, directly or
// through nested groups, each once, nearest first; ErrTooDeep past
// MaxNesting groups.
func (s *Service) TransitiveMemberOf(ctx context.Context, tenantID, memberID string) ([]Group, error) {
	gs, err := s.transitive(ctx, tenantID, memberID)
	if err != nil {
		return nil, fmt.Errorf("transitiveMemberOf: %w", err)
	}
	return gs, nil
}

// CheckMemberGroups returns the ids of wanted that memberID is in,
// directly or transitively.
func (s *Service) CheckMemberGroups(ctx context.Context, tenantID, memberID string, wanted []string) ([]string, error) {
	gs, err := s.TransitiveMemberOf(ctx, tenantID, memberID)
	if err != nil {
		return nil, err
	}
	return CheckMemberGroups(wanted, ids(gs)), nil
}

// transitive walks memberOf breadth first, reading each level in pages.
func (s *Service) transitive(ctx context.Context, tenantID, memberID string) ([]Group, error) {
	const page = 200
	seen := map[string]bool{memberID: true}
	var out []Group
	queue := []string{memberID}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		after := ""
		for {
			gs, err := s.d.Store.ListMemberOf(ctx, tenantID, id, after, page)
			if err != nil {
				return nil, err
			}
			for _, g := range gs {
				if seen[g.ID] {
					continue
				}
				if len(out) >= MaxNesting {
					return nil, ErrTooDeep
				}
				seen[g.ID] = true
				out = append(out, g)
				queue = append(queue, g.ID)
			}
			if len(gs) < page {
				break
			}
			after = gs[len(gs)-1].ID
		}
	}
	return out, nil
}

func ids(gs []Group) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		out = append(out, g.ID)
	}
	return out
}

func objectTarget(o Object) audit.Target {
	t := audit.Target{ID: o.ID, DisplayName: o.DisplayName, Type: auditTypeGroup}
	if o.Type == MemberUser {
		t.Type, t.UserPrincipalName = auditUser, o.UserPrincipalName
	}
	return t
}
