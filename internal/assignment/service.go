package assignment

import (
	"context"
	"errors"
	"fmt"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/store"
)

// Audit names of the changes, as the reproduced product logs them.
const (
	ActivityUpdateServicePrincipal = "Update service principal"
	ActivityUpdateApplication      = "Update application"
	ActivityAssignUser             = "Add app role assignment grant to user"
	ActivityAssignGroup            = "Add app role assignment to group"
	ActivityUnassignUser           = "Remove app role assignment from user"
	ActivityUnassignGroup          = "Remove app role assignment from group"
	loggedBy                       = "Core Directory"
	auditTypeServicePrincipal      = "ServicePrincipal"
	auditTypeApplication           = "Application"
)

// Users finds users of a tenant (directory.Store has it).
type Users interface {
	GetUser(ctx context.Context, tenantID, id string) (directory.User, error)
}

// Groups finds live groups of a tenant (groups.Store has it).
type Groups interface {
	GetGroup(ctx context.Context, tenantID, id string) (groups.Group, error)
}

// Deps are what a Service uses.
type Deps struct {
	Store     Store
	Directory Users
	Groups    Groups
	Tx        store.Transactor
	Audit     audit.Store
	Clock     clock.Clock
}

// Service keeps the apps' assignment settings and assignments, and reads
// a user's access to an app. It is safe for concurrent use.
type Service struct{ d Deps }

var _ Reader = (*Service)(nil)

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	return &Service{d: d}
}

// Access reads what userID may do in appID (the OAuth client_id) with one
// store read: whether the app requires assignment and the user is
// assigned (directly, or through a live group the user is a direct member
// of), the values of the user's enabled roles, and, when the app asked
// for them, the live groups the user is in at any depth. An unknown app or
// user (a deleted one included) is store.ErrNotFound.
func (s *Service) Access(ctx context.Context, tenantID, appID, userID string) (Access, error) {
	f, err := s.d.Store.ReadAccess(ctx, tenantID, appID, userID)
	if err != nil {
		return Access{}, fmt.Errorf("read access: %w", err)
	}
	return BuildAccess(f), nil
}

// Get returns the tenant's app appID (its client id).
func (s *Service) Get(ctx context.Context, tenantID, appID string) (App, error) {
	a, err := s.d.Store.GetAssignmentApp(ctx, tenantID, appID)
	if err != nil {
		return App{}, fmt.Errorf("get app: %w", err)
	}
	return a, nil
}

// GetByServicePrincipal returns the tenant's app whose service principal
// has object id id.
func (s *Service) GetByServicePrincipal(ctx context.Context, tenantID, id string) (App, error) {
	a, err := s.d.Store.GetAssignmentAppByObjectID(ctx, tenantID, id)
	if err == nil && a.ServicePrincipalID != id {
		err = store.ErrNotFound
	}
	if err != nil {
		return App{}, fmt.Errorf("get service principal %s: %w", id, err)
	}
	return a, nil
}

// GetByApplication returns the tenant's app whose application object has
// object id id.
func (s *Service) GetByApplication(ctx context.Context, tenantID, id string) (App, error) {
	a, err := s.d.Store.GetAssignmentAppByObjectID(ctx, tenantID, id)
	if err == nil && a.ApplicationID != id {
		err = store.ErrNotFound
	}
	if err != nil {
		return App{}, fmt.Errorf("get application %s: %w", id, err)
	}
	return a, nil
}

// List returns one page of the tenant's apps ordered by app id.
func (s *Service) List(ctx context.Context, tenantID, afterAppID string, limit int) ([]App, error) {
	as, err := s.d.Store.ListAssignmentApps(ctx, tenantID, afterAppID, limit)
	if err != nil {
		return nil, fmt.Errorf("list apps: %w", err)
	}
	return as, nil
}

func servicePrincipalTarget(a App) audit.Target {
	return audit.Target{ID: a.ServicePrincipalID, DisplayName: a.DisplayName, Type: auditTypeServicePrincipal}
}

func applicationTarget(a App) audit.Target {
	return audit.Target{ID: a.ApplicationID, DisplayName: a.DisplayName, Type: auditTypeApplication}
}

func (s *Service) audit(ctx context.Context, tenantID, category, activity, op string, by audit.Actor, targets ...audit.Target) error {
	return audit.Write(ctx, s.d.Audit, audit.Record{
		TenantID: tenantID, Category: category, Activity: activity,
		LoggedByService: loggedBy, OperationType: op, InitiatedBy: by, Targets: targets,
	}, s.d.Clock.Now())
}

// notFound reports whether err is store.ErrNotFound.
func notFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
