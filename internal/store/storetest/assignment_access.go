package storetest

import (
	"testing"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/store"
)

// testAppAccess: the one read of a user's access to an app.
func testAppAccess(t *testing.T, open Open) {
	t.Run("unknown_app_or_user_not_found", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		app := seedApp(t, s, tn.ID, "portal", at(0))
		u := seedGuest(t, s, tn, "ann@partner.example")
		_, err := s.ReadAccess(t.Context(), tn.ID, uuid.NewString(), u.ID)
		wantErr(t, "unknown app", err, store.ErrNotFound)
		_, err = s.ReadAccess(t.Context(), tn.ID, app.AppID, uuid.NewString())
		wantErr(t, "unknown user", err, store.ErrNotFound)
		must(t, "delete user", s.DeleteUser(t.Context(), tn.ID, u.ID, at(1)))
		_, err = s.ReadAccess(t.Context(), tn.ID, app.AppID, u.ID)
		wantErr(t, "deleted user", err, store.ErrNotFound)
	})
	t.Run("direct_and_group_assignments_nested_groups_claim_only", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		app := seedApp(t, s, tn.ID, "portal", at(0))
		settings, err := s.GetAssignmentApp(t.Context(), tn.ID, app.AppID)
		must(t, "get", err)
		reader, writer, outer := uuid.NewString(), uuid.NewString(), uuid.NewString()
		settings.AssignmentRequired, settings.GroupMembershipClaims = true, assignment.ClaimsSecurityGroup
		for _, r := range []struct{ id, v string }{{reader, "Reader"}, {writer, "Writer"}, {outer, "Outer"}} {
			settings.AppRoles = append(settings.AppRoles, assignment.AppRole{ID: r.id, Value: r.v, DisplayName: r.v,
				AllowedMemberTypes: []string{"User"}, IsEnabled: true})
		}
		must(t, "update", s.UpdateAssignmentApp(t.Context(), settings))
		ann, bob := seedGuest(t, s, tn, "ann@partner.example"), seedGuest(t, s, tn, "bob@partner.example")
		inner, top, gone := seedGroup(t, s, tn, "inner"), seedGroup(t, s, tn, "top"), seedGroup(t, s, tn, "gone")
		addMember(t, s, tn, inner.ID, ann.ID, groups.MemberUser)
		addMember(t, s, tn, top.ID, inner.ID, groups.MemberGroup)
		addMember(t, s, tn, gone.ID, ann.ID, groups.MemberUser)
		seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalUser, ann.ID, reader)
		seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalGroup, inner.ID, writer)
		seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalGroup, inner.ID, reader)
		seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalGroup, top.ID, outer) // ann is in top only through inner
		seedAssignment(t, s, tn.ID, app.AppID, assignment.PrincipalGroup, gone.ID, outer)
		must(t, "delete group", s.DeleteGroup(t.Context(), tn.ID, gone.ID, at(1)))

		f, err := s.ReadAccess(t.Context(), tn.ID, app.AppID, ann.ID)
		must(t, "ann", err)
		a := assignment.BuildAccess(f)
		wantEqual(t, "ann required", a.Required, true)
		wantEqual(t, "ann assigned", a.Assigned, true)
		wantEqual(t, "ann's roles (direct, and her direct group's; not the nested or deleted group's)", a.Roles, []string{"Reader", "Writer"})
		wantEqual(t, "ann's groups at any depth, live only", sortedOrNil(a.Groups), sortedOrNil([]string{inner.ID, top.ID}))

		f, err = s.ReadAccess(t.Context(), tn.ID, app.AppID, bob.ID)
		must(t, "bob", err)
		b := assignment.BuildAccess(f)
		wantEqual(t, "bob assigned", b.Assigned, false)
		wantEqual(t, "bob allowed", b.Allowed(), false)
		wantEqual(t, "bob's groups", len(b.Groups), 0)

		settings.GroupMembershipClaims = assignment.ClaimsNone
		must(t, "no groups claim", s.UpdateAssignmentApp(t.Context(), settings))
		f, err = s.ReadAccess(t.Context(), tn.ID, app.AppID, ann.ID)
		must(t, "ann without groups claim", err)
		wantEqual(t, "groups not read without the claim", len(f.Groups), 0)
	})
	t.Run("groups_read_bounded_past_overage", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		app := seedApp(t, s, tn.ID, "portal", at(0))
		settings, err := s.GetAssignmentApp(t.Context(), tn.ID, app.AppID)
		must(t, "get", err)
		settings.GroupMembershipClaims = assignment.ClaimsAll
		must(t, "update", s.UpdateAssignmentApp(t.Context(), settings))
		u := seedGuest(t, s, tn, "ann@partner.example")
		for i := 0; i < assignment.GroupsOverage+5; i++ {
			g := groups.Group{TenantID: tn.ID, ID: uuid.NewString(), DisplayName: "g", MailNickname: "g", CreatedAt: at(0)}
			must(t, "create group", s.CreateGroup(t.Context(), g))
			addMember(t, s, tn, g.ID, u.ID, groups.MemberUser)
		}
		f, err := s.ReadAccess(t.Context(), tn.ID, app.AppID, u.ID)
		must(t, "read", err)
		wantEqual(t, "groups read", len(f.Groups), assignment.GroupsOverage+1)
		a := assignment.BuildAccess(f)
		wantEqual(t, "overage", a.Overage(), true)
		wantEqual(t, "not required, allowed", a.Allowed(), true)
	})
}
