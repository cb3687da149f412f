package groups

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/store"
)

// Audit names of group changes, as the reproduced product logs them.
const (
	ActivityAddGroup          = "Add group"
	ActivityUpdateGroup       = "Update group"
	ActivityDeleteGroup       = "Delete group"
	ActivityRestoreGroup      = "Restore group"
	ActivityHardDeleteGroup   = "Hard Delete group"
	ActivityAddMember         = "Add member to group"
	ActivityRemoveMember      = "Remove member from group"
	CategoryGroupManagement   = "GroupManagement"
	loggedBy                  = "Core Directory"
	auditTypeGroup, auditUser = "Group", "User"
)

// Deps are what a Service uses.
type Deps struct {
	Store     Store
	Directory directory.Store
	Tx        store.Transactor
	Audit     audit.Store
	Clock     clock.Clock
}

// Service creates, changes and reads groups and their members. It is safe
// for concurrent use.
type Service struct{ d Deps }

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	return &Service{d: d}
}

// Input is a new group's properties.
type Input struct {
	DisplayName  string
	Description  string
	MailNickname string
	// MemberIDs are directory objects (users or groups of the tenant) to
	// add at once, at most MaxCreateMembers (Graph's members@odata.bind).
	MemberIDs []string
}

// MaxCreateMembers is how many members a group may be created with.
const MaxCreateMembers = 20

// ErrTooManyMembers: more than MaxCreateMembers members at creation.
var ErrTooManyMembers = errors.New("a group can be created with at most 20 members; add more afterwards")

// Patch changes the properties that are not nil.
type Patch struct {
	DisplayName  *string
	Description  *string
	MailNickname *string
}

// Create stores a new security group of tenantID, and its first members,
// with the audit records, in one transaction: a member that cannot be
// added (not found in the tenant, named twice) leaves no group behind.
func (s *Service) Create(ctx context.Context, tenantID string, in Input, by audit.Actor) (Group, error) {
	if err := Validate(in.DisplayName, in.MailNickname, in.Description); err != nil {
		return Group{}, fmt.Errorf("create group: %w", err)
	}
	if len(in.MemberIDs) > MaxCreateMembers {
		return Group{}, fmt.Errorf("create group: %w", ErrTooManyMembers)
	}
	g := Group{TenantID: tenantID, ID: uuid.NewString(), DisplayName: in.DisplayName,
		Description: in.Description, MailNickname: in.MailNickname}
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		g.CreatedAt = s.d.Clock.Now()
		if err := s.d.Store.CreateGroup(ctx, g); err != nil {
			return fmt.Errorf("create group: %w", err)
		}
		if err := s.audit(ctx, tenantID, ActivityAddGroup, audit.OperationAdd, by, groupTarget(g)); err != nil {
			return err
		}
		for _, id := range in.MemberIDs {
			if err := s.AddMember(ctx, tenantID, g.ID, id, by); err != nil {
				return fmt.Errorf("create group: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return Group{}, err
	}
	return g, nil
}

// Get returns tenantID's live group id (store.ErrNotFound otherwise).
func (s *Service) Get(ctx context.Context, tenantID, id string) (Group, error) {
	g, err := s.d.Store.GetGroup(ctx, tenantID, id)
	if err != nil {
		return Group{}, fmt.Errorf("get group: %w", err)
	}
	return g, nil
}

// List returns one page of tenantID's live groups ordered by id.
func (s *Service) List(ctx context.Context, tenantID, afterID string, limit int) ([]Group, error) {
	gs, err := s.d.Store.ListGroups(ctx, tenantID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return gs, nil
}

// Query returns one page of tenantID's live groups q selects.
func (s *Service) Query(ctx context.Context, tenantID string, q Query) ([]Group, error) {
	gs, err := s.d.Store.QueryGroups(ctx, tenantID, q)
	if err != nil {
		return nil, fmt.Errorf("query groups: %w", err)
	}
	return gs, nil
}

// Count counts tenantID's live groups q's Filter and Search select.
func (s *Service) Count(ctx context.Context, tenantID string, q Query) (int, error) {
	n, err := s.d.Store.CountGroups(ctx, tenantID, q)
	if err != nil {
		return 0, fmt.Errorf("count groups: %w", err)
	}
	return n, nil
}

// Update changes the group's properties named in p, with the audit record.
func (s *Service) Update(ctx context.Context, tenantID, id string, p Patch, by audit.Actor) (Group, error) {
	var g Group
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		old, err := s.d.Store.GetGroup(ctx, tenantID, id)
		if err != nil {
			return fmt.Errorf("update group: %w", err)
		}
		g = old
		apply(&g.DisplayName, p.DisplayName)
		apply(&g.Description, p.Description)
		apply(&g.MailNickname, p.MailNickname)
		if err := Validate(g.DisplayName, g.MailNickname, g.Description); err != nil {
			return fmt.Errorf("update group: %w", err)
		}
		if err := s.d.Store.UpdateGroup(ctx, g); err != nil {
			return fmt.Errorf("update group: %w", err)
		}
		t := groupTarget(g)
		t.Modified, err = changes(old, g)
		if err != nil {
			return fmt.Errorf("update group: %w", err)
		}
		return s.audit(ctx, tenantID, ActivityUpdateGroup, audit.OperationUpdate, by, t)
	})
	if err != nil {
		return Group{}, err
	}
	return g, nil
}

func apply(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func changes(old, g Group) ([]audit.Change, error) {
	var out []audit.Change
	for _, c := range []struct{ name, a, b string }{
		{"DisplayName", old.DisplayName, g.DisplayName},
		{"Description", old.Description, g.Description},
		{"MailNickname", old.MailNickname, g.MailNickname},
	} {
		if c.a == c.b {
			continue
		}
		ch, err := audit.Changed(c.name, c.a, c.b)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}

// Delete soft-deletes the group; it stays restorable, with its members.
func (s *Service) Delete(ctx context.Context, tenantID, id string, by audit.Actor) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		g, err := s.d.Store.GetGroup(ctx, tenantID, id)
		if err != nil {
			return fmt.Errorf("delete group: %w", err)
		}
		if err := s.d.Store.DeleteGroup(ctx, tenantID, id, s.d.Clock.Now()); err != nil {
			return fmt.Errorf("delete group: %w", err)
		}
		return s.audit(ctx, tenantID, ActivityDeleteGroup, audit.OperationDelete, by, groupTarget(g))
	})
}

// GetDeleted returns tenantID's deleted group id (store.ErrNotFound otherwise).
func (s *Service) GetDeleted(ctx context.Context, tenantID, id string) (Group, error) {
	g, err := s.d.Store.GetDeletedGroup(ctx, tenantID, id)
	if err != nil {
		return Group{}, fmt.Errorf("get deleted group: %w", err)
	}
	return g, nil
}

// ListDeleted returns one page of tenantID's deleted groups ordered by id.
func (s *Service) ListDeleted(ctx context.Context, tenantID, afterID string, limit int) ([]Group, error) {
	gs, err := s.d.Store.ListDeletedGroups(ctx, tenantID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("list deleted groups: %w", err)
	}
	return gs, nil
}

// Restore makes a deleted group live again, with its members.
func (s *Service) Restore(ctx context.Context, tenantID, id string, by audit.Actor) (Group, error) {
	var g Group
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		var err error
		if g, err = s.d.Store.GetDeletedGroup(ctx, tenantID, id); err != nil {
			return fmt.Errorf("restore group: %w", err)
		}
		if err := s.d.Store.RestoreGroup(ctx, tenantID, id); err != nil {
			return fmt.Errorf("restore group: %w", err)
		}
		g.DeletedAt = time.Time{}
		return s.audit(ctx, tenantID, ActivityRestoreGroup, audit.OperationRestore, by, groupTarget(g))
	})
	if err != nil {
		return Group{}, err
	}
	return g, nil
}

// Purge removes a deleted group for good, with its memberships.
func (s *Service) Purge(ctx context.Context, tenantID, id string, by audit.Actor) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		g, err := s.d.Store.GetDeletedGroup(ctx, tenantID, id)
		if err != nil {
			return fmt.Errorf("purge group: %w", err)
		}
		if err := s.d.Store.PurgeGroup(ctx, tenantID, id); err != nil {
			return fmt.Errorf("purge group: %w", err)
		}
		return s.audit(ctx, tenantID, ActivityHardDeleteGroup, audit.OperationDelete, by, groupTarget(g))
	})
}

func groupTarget(g Group) audit.Target {
	return audit.Target{ID: g.ID, DisplayName: g.DisplayName, Type: auditTypeGroup}
}

func (s *Service) audit(ctx context.Context, tenantID, activity, op string, by audit.Actor, targets ...audit.Target) error {
	return audit.Write(ctx, s.d.Audit, audit.Record{
		TenantID: tenantID, Category: CategoryGroupManagement, Activity: activity,
		LoggedByService: loggedBy, OperationType: op, InitiatedBy: by, Targets: targets,
	}, s.d.Clock.Now())
}

// notFound reports whether err is store.ErrNotFound.
func notFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
