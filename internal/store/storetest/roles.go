package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
)

func testRoles(t *testing.T, open Open) {
	t.Run("R10_assignments_listed_by_principal_once_each", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		alice := seedMember(t, s, tn, "alice@contoso.example")
		bob := seedMember(t, s, tn, "bob@contoso.example")
		assign := func(user, role string) error {
			return s.CreateRoleAssignment(t.Context(), roles.Assignment{TenantID: tn.ID, ID: uuid.NewString(),
				PrincipalID: user, RoleDefinitionID: role, DirectoryScopeID: "/", CreatedAt: at(0)})
		}
		must(t, "assign alice", assign(alice.ID, roles.GlobalAdministrator.TemplateID))
		must(t, "assign bob", assign(bob.ID, roles.GuestInviter.TemplateID))
		wantErr(t, "assign alice again", assign(alice.ID, roles.GlobalAdministrator.TemplateID), store.ErrAlreadyExists)
		all, err := s.ListRoleAssignments(t.Context(), tn.ID, "")
		must(t, "list all", err)
		wantEqual(t, "assignments", len(all), 2)
		mine, err := s.ListRoleAssignments(t.Context(), tn.ID, bob.ID)
		must(t, "list bob's", err)
		wantEqual(t, "bob's assignments", len(mine), 1)
		wantEqual(t, "bob's role", mine[0].RoleDefinitionID, roles.GuestInviter.TemplateID)
		other := seedTenant(t, s, "fabrikam")
		theirs, err := s.ListRoleAssignments(t.Context(), other.ID, "")
		must(t, "list another tenant's", err)
		wantEqual(t, "another tenant's assignments", len(theirs), 0)
	})
	t.Run("R14_lock_lists_the_holders_of_one_role", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		alice := seedMember(t, s, tn, "alice@contoso.example")
		bob := seedMember(t, s, tn, "bob@contoso.example")
		olga := seedMember(t, s, other, "olga@fabrikam.example")
		for i, a := range []struct {
			tenant, user, role string
		}{
			{tn.ID, alice.ID, roles.GlobalAdministrator.TemplateID},
			{tn.ID, bob.ID, roles.GuestInviter.TemplateID},
			{tn.ID, bob.ID, roles.GlobalAdministrator.TemplateID},
			{other.ID, olga.ID, roles.GlobalAdministrator.TemplateID},
		} {
			must(t, "assign", s.CreateRoleAssignment(t.Context(), roles.Assignment{TenantID: a.tenant, ID: uuid.NewString(),
				PrincipalID: a.user, RoleDefinitionID: a.role, DirectoryScopeID: "/", CreatedAt: at(time.Duration(i) * time.Second)}))
		}
		var got []roles.Assignment
		must(t, "lock", s.InTx(t.Context(), func(ctx context.Context) error {
			var err error
			got, err = s.LockRoleAssignments(ctx, tn.ID, roles.GlobalAdministrator.TemplateID)
			return err
		}))
		wantEqual(t, "locked assignments", len(got), 2)
		wantEqual(t, "oldest first", got[0].PrincipalID, alice.ID)
		wantEqual(t, "then", got[1].PrincipalID, bob.ID)
		wantEqual(t, "role", got[1].RoleDefinitionID, roles.GlobalAdministrator.TemplateID)
	})
}

func testCollab(t *testing.T, open Open) {
	t.Run("settings_absent_then_replaced", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		_, err := s.GetCollaboration(t.Context(), tn.ID)
		wantErr(t, "get before any", err, store.ErrNotFound)
		v := collab.Settings{TenantID: tn.ID, AllowInvitesFrom: collab.InvitesAdminsAndGuestInviter, GuestUserRoleID: collab.GuestRoleRestricted,
			DomainMode: collab.DomainsDeny, Domains: []string{"denied.example"}, UpdatedAt: at(0)}
		must(t, "put", s.PutCollaboration(t.Context(), v))
		v.AllowInvitesFrom, v.Domains = collab.InvitesNone, []string{"a.example", "b.example"}
		must(t, "replace", s.PutCollaboration(t.Context(), v))
		got, err := s.GetCollaboration(t.Context(), tn.ID)
		must(t, "get", err)
		wantEqual(t, "allowInvitesFrom", got.AllowInvitesFrom, collab.InvitesNone)
		wantEqual(t, "guest role", got.GuestUserRoleID, collab.GuestRoleRestricted)
		wantEqual(t, "domains", len(got.Domains), 2)
		wantEqual(t, "mode", got.DomainMode, collab.DomainsDeny)
	})
}
