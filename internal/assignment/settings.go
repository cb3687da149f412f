package assignment

import (
	"context"
	"fmt"
	"slices"

	"github.com/guestgate/guestgate/internal/audit"
)

// ApplicationPatch changes the application properties that are not nil.
type ApplicationPatch struct {
	GroupMembershipClaims *string
	AppRoles              *[]AppRole
}

// SetRequired sets appRoleAssignmentRequired of appID's service
// principal, with the audit record ("Update service principal").
func (s *Service) SetRequired(ctx context.Context, tenantID, appID string, required bool, by audit.Actor) (App, error) {
	var a App
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		old, err := s.d.Store.GetAssignmentApp(ctx, tenantID, appID)
		if err != nil {
			return fmt.Errorf("set assignment required: %w", err)
		}
		a = old
		a.AssignmentRequired = required
		if err := s.d.Store.UpdateAssignmentApp(ctx, a); err != nil {
			return fmt.Errorf("set assignment required: %w", err)
		}
		t := servicePrincipalTarget(a)
		if old.AssignmentRequired != required {
			ch, err := audit.Changed("AppRoleAssignmentRequired", old.AssignmentRequired, required)
			if err != nil {
				return fmt.Errorf("set assignment required: %w", err)
			}
			t.Modified = []audit.Change{ch}
		}
		return s.audit(ctx, tenantID, audit.CategoryApplicationManagement, ActivityUpdateServicePrincipal, audit.OperationUpdate, by, t)
	})
	if err != nil {
		return App{}, err
	}
	return a, nil
}

// SetGroupClaims sets groupMembershipClaims of appID's application.
func (s *Service) SetGroupClaims(ctx context.Context, tenantID, appID, claims string, by audit.Actor) (App, error) {
	return s.UpdateApplication(ctx, tenantID, appID, ApplicationPatch{GroupMembershipClaims: &claims}, by)
}

// SetAppRoles replaces the app roles of appID's application.
func (s *Service) SetAppRoles(ctx context.Context, tenantID, appID string, roles []AppRole, by audit.Actor) (App, error) {
	return s.UpdateApplication(ctx, tenantID, appID, ApplicationPatch{AppRoles: &roles}, by)
}

// UpdateApplication changes the properties of appID's application named
// in p under the rules (ParseGroupClaims, DecideAppRoles), with the audit
// record ("Update application"), in one transaction.
func (s *Service) UpdateApplication(ctx context.Context, tenantID, appID string, p ApplicationPatch, by audit.Actor) (App, error) {
	var a App
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		old, err := s.d.Store.GetAssignmentApp(ctx, tenantID, appID)
		if err != nil {
			return fmt.Errorf("update application: %w", err)
		}
		if a, err = patched(old, p); err != nil {
			return fmt.Errorf("update application: %w", err)
		}
		if err := s.d.Store.UpdateAssignmentApp(ctx, a); err != nil {
			return fmt.Errorf("update application: %w", err)
		}
		t := applicationTarget(a)
		if t.Modified, err = applicationChanges(old, a); err != nil {
			return fmt.Errorf("update application: %w", err)
		}
		return s.audit(ctx, tenantID, audit.CategoryApplicationManagement, ActivityUpdateApplication, audit.OperationUpdate, by, t)
	})
	if err != nil {
		return App{}, err
	}
	return a, nil
}

// patched applies p to old under the rules.
func patched(old App, p ApplicationPatch) (App, error) {
	a := old
	if p.GroupMembershipClaims != nil {
		c, err := ParseGroupClaims(*p.GroupMembershipClaims)
		if err != nil {
			return App{}, err
		}
		a.GroupMembershipClaims = c
	}
	if p.AppRoles != nil {
		if err := DecideAppRoles(old.AppRoles, *p.AppRoles); err != nil {
			return App{}, err
		}
		a.AppRoles = slices.Clone(*p.AppRoles)
	}
	return a, nil
}

func applicationChanges(old, a App) ([]audit.Change, error) {
	return audit.ChangesOf(
		audit.Prop{Name: "GroupMembershipClaims", Set: old.GroupMembershipClaims != a.GroupMembershipClaims,
			Old: old.GroupMembershipClaims, New: a.GroupMembershipClaims},
		audit.Prop{Name: "AppRoles", Set: !slices.EqualFunc(old.AppRoles, a.AppRoles, roleEqual), Old: old.AppRoles, New: a.AppRoles},
	)
}

func roleEqual(x, y AppRole) bool {
	return x.ID == y.ID && x.Value == y.Value && x.DisplayName == y.DisplayName && x.Description == y.Description &&
		x.IsEnabled == y.IsEnabled && slices.Equal(x.AllowedMemberTypes, y.AllowedMemberTypes)
}
