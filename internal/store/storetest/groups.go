package storetest

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/store"
)

func seedGroup(t *testing.T, s Store, tn directory.Tenant, name string) groups.Group {
	t.Helper()
	g := groups.Group{TenantID: tn.ID, ID: uuid.NewString(), DisplayName: name, MailNickname: name,
		Description: "the " + name, CreatedAt: at(0)}
	must(t, "create group "+name, s.CreateGroup(t.Context(), g))
	return g
}

func groupIDs(gs []groups.Group) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		out = append(out, g.ID)
	}
	return out
}

func testGroups(t *testing.T, open Open) {
	t.Run("created_read_updated_paged", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		g := seedGroup(t, s, tn, "partners")
		wantErr(t, "create same id", s.CreateGroup(t.Context(), g), store.ErrAlreadyExists)
		got, err := s.GetGroup(t.Context(), tn.ID, g.ID)
		must(t, "get", err)
		wantEqual(t, "displayName", got.DisplayName, "partners")
		wantEqual(t, "description", got.Description, "the partners")
		wantEqual(t, "createdDateTime", got.CreatedAt, at(0))
		wantEqual(t, "not deleted", got.Deleted(), false)
		g.DisplayName, g.Description, g.MailNickname = "Partners", "", "ext-partners"
		must(t, "update", s.UpdateGroup(t.Context(), g))
		got, err = s.GetGroup(t.Context(), tn.ID, g.ID)
		must(t, "get updated", err)
		wantEqual(t, "updated name", got.DisplayName, "Partners")
		wantEqual(t, "updated nickname", got.MailNickname, "ext-partners")
		for i := 0; i < 4; i++ {
			seedGroup(t, s, tn, "g"+string(rune('a'+i)))
		}
		page, err := s.ListGroups(t.Context(), tn.ID, "", 3)
		must(t, "first page", err)
		wantEqual(t, "first page size", len(page), 3)
		rest, err := s.ListGroups(t.Context(), tn.ID, page[2].ID, 3)
		must(t, "second page", err)
		wantEqual(t, "second page size", len(rest), 2)
		if rest[0].ID <= page[2].ID {
			t.Fatalf("pages overlap: %s after %s", rest[0].ID, page[2].ID)
		}
	})
	t.Run("tenant_isolation_another_tenants_group_not_found", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		g := seedGroup(t, s, tn, "partners")
		_, err := s.GetGroup(t.Context(), other.ID, g.ID)
		wantErr(t, "get through another tenant", err, store.ErrNotFound)
		moved := g
		moved.TenantID, moved.DisplayName = other.ID, "stolen"
		wantErr(t, "update through another tenant", s.UpdateGroup(t.Context(), moved), store.ErrNotFound)
		wantErr(t, "delete through another tenant", s.DeleteGroup(t.Context(), other.ID, g.ID, at(time.Hour)), store.ErrNotFound)
		theirs, err := s.ListGroups(t.Context(), other.ID, "", 10)
		must(t, "list another tenant's", err)
		wantEqual(t, "another tenant's groups", len(theirs), 0)
		must(t, "delete", s.DeleteGroup(t.Context(), tn.ID, g.ID, at(time.Hour)))
		wantErr(t, "restore through another tenant", s.RestoreGroup(t.Context(), other.ID, g.ID), store.ErrNotFound)
		_, err = s.GetDeletedGroup(t.Context(), other.ID, g.ID)
		wantErr(t, "get deleted through another tenant", err, store.ErrNotFound)
		deleted, err := s.ListDeletedGroups(t.Context(), other.ID, "", 10)
		must(t, "list another tenant's deleted", err)
		wantEqual(t, "another tenant's deleted groups", len(deleted), 0)
	})
	t.Run("soft_delete_then_restore_keeps_members", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		g := seedGroup(t, s, tn, "partners")
		guest := seedGuest(t, s, tn, "ann@partner.example")
		must(t, "add member", s.AddGroupMember(t.Context(), groups.Member{TenantID: tn.ID, GroupID: g.ID,
			MemberID: guest.ID, MemberType: groups.MemberUser, CreatedAt: at(0)}))
		must(t, "delete", s.DeleteGroup(t.Context(), tn.ID, g.ID, at(time.Hour)))
		wantErr(t, "delete again", s.DeleteGroup(t.Context(), tn.ID, g.ID, at(time.Hour)), store.ErrNotFound)
		_, err := s.GetGroup(t.Context(), tn.ID, g.ID)
		wantErr(t, "get deleted as live", err, store.ErrNotFound)
		live, err := s.ListGroups(t.Context(), tn.ID, "", 10)
		must(t, "list live", err)
		wantEqual(t, "live groups", len(live), 0)
		of, err := s.ListMemberOf(t.Context(), tn.ID, guest.ID, "", 10)
		must(t, "memberOf while deleted", err)
		wantEqual(t, "memberOf while deleted", len(of), 0)
		d, err := s.GetDeletedGroup(t.Context(), tn.ID, g.ID)
		must(t, "get deleted", err)
		wantEqual(t, "deletedDateTime", d.DeletedAt, at(time.Hour))
		ds, err := s.ListDeletedGroups(t.Context(), tn.ID, "", 10)
		must(t, "list deleted", err)
		wantEqual(t, "deleted groups", groupIDs(ds), []string{g.ID})
		must(t, "restore", s.RestoreGroup(t.Context(), tn.ID, g.ID))
		wantErr(t, "restore again", s.RestoreGroup(t.Context(), tn.ID, g.ID), store.ErrNotFound)
		of, err = s.ListMemberOf(t.Context(), tn.ID, guest.ID, "", 10)
		must(t, "memberOf after restore", err)
		wantEqual(t, "memberOf after restore", groupIDs(of), []string{g.ID})
		wantErr(t, "purge a live group", s.PurgeGroup(t.Context(), tn.ID, g.ID), store.ErrNotFound)
		must(t, "delete again", s.DeleteGroup(t.Context(), tn.ID, g.ID, at(2*time.Hour)))
		other := seedTenant(t, s, "fabrikam")
		wantErr(t, "purge through another tenant", s.PurgeGroup(t.Context(), other.ID, g.ID), store.ErrNotFound)
		must(t, "purge", s.PurgeGroup(t.Context(), tn.ID, g.ID))
		_, err = s.GetDeletedGroup(t.Context(), tn.ID, g.ID)
		wantErr(t, "get purged", err, store.ErrNotFound)
		wantErr(t, "restore purged", s.RestoreGroup(t.Context(), tn.ID, g.ID), store.ErrNotFound)
		// The memberships went too: a group made with the same id has none.
		must(t, "create again", s.CreateGroup(t.Context(), g))
		ms, err := s.ListGroupMembers(t.Context(), tn.ID, g.ID, "", 10)
		must(t, "members of a new group with the id", err)
		wantEqual(t, "members of a new group with the id", len(ms), 0)
	})
}

func testGroupMembers(t *testing.T, open Open) {
	t.Run("members_once_each_listed_and_removed", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		parent := seedGroup(t, s, tn, "all-partners")
		child := seedGroup(t, s, tn, "fabrikam-partners")
		guest := seedGuest(t, s, tn, "ann@partner.example")
		add := func(g groups.Group, id, kind string) error {
			return s.AddGroupMember(t.Context(), groups.Member{TenantID: tn.ID, GroupID: g.ID, MemberID: id, MemberType: kind, CreatedAt: at(0)})
		}
		must(t, "add guest to child", add(child, guest.ID, groups.MemberUser))
		must(t, "add child to parent", add(parent, child.ID, groups.MemberGroup))
		wantErr(t, "add guest twice", add(child, guest.ID, groups.MemberUser), store.ErrAlreadyExists)
		ms, err := s.ListGroupMembers(t.Context(), tn.ID, parent.ID, "", 10)
		must(t, "members of parent", err)
		wantEqual(t, "members of parent", len(ms), 1)
		wantEqual(t, "nested group member", ms[0].MemberType, groups.MemberGroup)
		of, err := s.ListMemberOf(t.Context(), tn.ID, child.ID, "", 10)
		must(t, "memberOf child", err)
		wantEqual(t, "child is in parent", groupIDs(of), []string{parent.ID})
		wantErr(t, "remove unknown", s.RemoveGroupMember(t.Context(), tn.ID, child.ID, parent.ID), store.ErrNotFound)
		must(t, "remove guest", s.RemoveGroupMember(t.Context(), tn.ID, child.ID, guest.ID))
		ms, err = s.ListGroupMembers(t.Context(), tn.ID, child.ID, "", 10)
		must(t, "members after remove", err)
		wantEqual(t, "members after remove", len(ms), 0)
	})
	t.Run("members_paged_and_deleted_members_hidden", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		g := seedGroup(t, s, tn, "partners")
		sub := seedGroup(t, s, tn, "sub")
		var users []directory.User
		for _, m := range []string{"a@x.example", "b@x.example", "c@x.example"} {
			u := seedGuest(t, s, tn, m)
			users = append(users, u)
			must(t, "add "+m, s.AddGroupMember(t.Context(), groups.Member{TenantID: tn.ID, GroupID: g.ID, MemberID: u.ID, MemberType: groups.MemberUser, CreatedAt: at(0)}))
		}
		must(t, "add sub", s.AddGroupMember(t.Context(), groups.Member{TenantID: tn.ID, GroupID: g.ID, MemberID: sub.ID, MemberType: groups.MemberGroup, CreatedAt: at(0)}))
		first, err := s.ListGroupMembers(t.Context(), tn.ID, g.ID, "", 2)
		must(t, "first page", err)
		wantEqual(t, "first page", len(first), 2)
		rest, err := s.ListGroupMembers(t.Context(), tn.ID, g.ID, first[1].MemberID, 10)
		must(t, "second page", err)
		wantEqual(t, "second page", len(rest), 2)
		must(t, "delete sub", s.DeleteGroup(t.Context(), tn.ID, sub.ID, at(time.Hour)))
		must(t, "delete a user", s.DeleteUser(t.Context(), tn.ID, users[0].ID, at(time.Hour)))
		all, err := s.ListGroupMembers(t.Context(), tn.ID, g.ID, "", 10)
		must(t, "members after deletes", err)
		wantEqual(t, "members after deletes", len(all), 2)
	})
	t.Run("tenant_isolation_member_references_stay_in_their_tenant", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		g := seedGroup(t, s, tn, "partners")
		guest := seedGuest(t, s, tn, "ann@partner.example")
		must(t, "add", s.AddGroupMember(t.Context(), groups.Member{TenantID: tn.ID, GroupID: g.ID, MemberID: guest.ID, MemberType: groups.MemberUser, CreatedAt: at(0)}))
		ms, err := s.ListGroupMembers(t.Context(), other.ID, g.ID, "", 10)
		must(t, "members through another tenant", err)
		wantEqual(t, "members through another tenant", len(ms), 0)
		of, err := s.ListMemberOf(t.Context(), other.ID, guest.ID, "", 10)
		must(t, "memberOf through another tenant", err)
		wantEqual(t, "memberOf through another tenant", len(of), 0)
		wantErr(t, "remove through another tenant", s.RemoveGroupMember(t.Context(), other.ID, g.ID, guest.ID), store.ErrNotFound)
		// A membership row naming another tenant's group is refused by the
		// key: the group must exist in the row's tenant.
		err = s.AddGroupMember(t.Context(), groups.Member{TenantID: other.ID, GroupID: g.ID, MemberID: guest.ID, MemberType: groups.MemberUser, CreatedAt: at(0)})
		if err == nil {
			t.Fatal("a membership in another tenant's group was stored")
		}
	})
}

// testGroupPurges: purging a user or a group (for good, after a soft
// delete) takes its memberships with it in the same transaction: no row of
// group_members names it afterwards, as member or as group.
func testGroupPurges(t *testing.T, open Open) {
	t.Run("purged_user_leaves_no_membership", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		g := seedGroup(t, s, tn, "partners")
		other := seedGroup(t, s, tn, "other")
		gone := seedGuest(t, s, tn, "gone@partner.example")
		kept := seedGuest(t, s, tn, "kept@partner.example")
		for _, m := range []struct{ g, u string }{{g.ID, gone.ID}, {other.ID, gone.ID}, {g.ID, kept.ID}} {
			must(t, "add member", s.AddGroupMember(t.Context(), groups.Member{TenantID: tn.ID, GroupID: m.g, MemberID: m.u, MemberType: groups.MemberUser, CreatedAt: at(0)}))
		}
		must(t, "delete user", s.DeleteUser(t.Context(), tn.ID, gone.ID, at(time.Hour)))
		of, err := s.ListMemberOf(t.Context(), tn.ID, gone.ID, "", 10)
		must(t, "memberOf while deleted", err)
		wantEqual(t, "memberships kept while deleted (for a restore)", len(of), 2)
		must(t, "purge user", s.PurgeDeletedUser(t.Context(), tn.ID, gone.ID))
		of, err = s.ListMemberOf(t.Context(), tn.ID, gone.ID, "", 10)
		must(t, "memberOf after purge", err)
		wantEqual(t, "memberships after purge", len(of), 0)
		ms, err := s.ListGroupMembers(t.Context(), tn.ID, g.ID, "", 10)
		must(t, "members after purge", err)
		wantEqual(t, "the other member stays", len(ms), 1)
		wantEqual(t, "the other member", ms[0].MemberID, kept.ID)
		// A user created again with the purged id starts with no group.
		must(t, "create again", s.CreateUser(t.Context(), gone))
		of, err = s.ListMemberOf(t.Context(), tn.ID, gone.ID, "", 10)
		must(t, "memberOf of a new user with the id", err)
		wantEqual(t, "memberOf of a new user with the id", len(of), 0)
	})
	t.Run("purged_group_leaves_no_membership", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		parent := seedGroup(t, s, tn, "parent")
		child := seedGroup(t, s, tn, "child")
		guest := seedGuest(t, s, tn, "ann@partner.example")
		must(t, "child in parent", s.AddGroupMember(t.Context(), groups.Member{TenantID: tn.ID, GroupID: parent.ID, MemberID: child.ID, MemberType: groups.MemberGroup, CreatedAt: at(0)}))
		must(t, "guest in child", s.AddGroupMember(t.Context(), groups.Member{TenantID: tn.ID, GroupID: child.ID, MemberID: guest.ID, MemberType: groups.MemberUser, CreatedAt: at(0)}))
		must(t, "delete child", s.DeleteGroup(t.Context(), tn.ID, child.ID, at(time.Hour)))
		must(t, "purge child", s.PurgeGroup(t.Context(), tn.ID, child.ID))
		// A group created again with the purged id is in no group and has
		// no members.
		must(t, "create again", s.CreateGroup(t.Context(), child))
		of, err := s.ListMemberOf(t.Context(), tn.ID, child.ID, "", 10)
		must(t, "memberOf of the new group", err)
		wantEqual(t, "memberOf of the new group", len(of), 0)
		ms, err := s.ListGroupMembers(t.Context(), tn.ID, parent.ID, "", 10)
		must(t, "members of parent", err)
		wantEqual(t, "members of parent", len(ms), 0)
		of, err = s.ListMemberOf(t.Context(), tn.ID, guest.ID, "", 10)
		must(t, "memberOf of the guest", err)
		wantEqual(t, "memberOf of the guest", len(of), 0)
	})
}

func testGroupQuery(t *testing.T, open Open) {
	t.Run("filter_search_order_count_paged", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "contoso")
		other := seedTenant(t, s, "fabrikam")
		for _, n := range []string{"Partners-A", "partners-b", "Sales", "Partners_C"} {
			seedGroup(t, s, tn, n)
		}
		seedGroup(t, s, other, "Partners-Other")
		gone := seedGroup(t, s, tn, "Partners-Gone")
		must(t, "delete", s.DeleteGroup(t.Context(), tn.ID, gone.ID, at(time.Hour)))
		names := func(gs []groups.Group) []string {
			var out []string
			for _, g := range gs {
				out = append(out, g.DisplayName)
			}
			return out
		}
		prefix := groups.Query{Filter: []groups.Clause{{Field: groups.FieldDisplayName, Op: groups.OpStartsWith, Values: []string{"PARTNERS"}}}, ByName: true}
		got, err := s.QueryGroups(t.Context(), tn.ID, prefix)
		must(t, "startsWith", err)
		wantEqual(t, "startsWith ignores case, by name, live, this tenant's", names(got), []string{"Partners-A", "Partners_C", "partners-b"})
		n, err := s.CountGroups(t.Context(), tn.ID, prefix)
		must(t, "count", err)
		wantEqual(t, "count", n, 3)
		underscore := groups.Query{Filter: []groups.Clause{{Field: groups.FieldDisplayName, Op: groups.OpStartsWith, Values: []string{"partners_"}}}}
		got, err = s.QueryGroups(t.Context(), tn.ID, underscore)
		must(t, "startsWith with _", err)
		wantEqual(t, "_ is not a wildcard", names(got), []string{"Partners_C"})
		eq := groups.Query{Filter: []groups.Clause{{Field: groups.FieldMailNickname, Op: groups.OpIn, Values: []string{"SALES", "nobody"}}}}
		got, err = s.QueryGroups(t.Context(), tn.ID, eq)
		must(t, "in", err)
		wantEqual(t, "in", names(got), []string{"Sales"})
		search := groups.Query{Search: []groups.Clause{{Field: groups.FieldDisplayName, Op: groups.OpContains, Values: []string{"ART"}}}, ByName: true, Desc: true, Limit: 2}
		first, err := s.QueryGroups(t.Context(), tn.ID, search)
		must(t, "search page 1", err)
		wantEqual(t, "search page 1, descending", names(first), []string{"partners-b", "Partners_C"})
		search.AfterName, search.AfterID = first[1].DisplayName, first[1].ID
		rest, err := s.QueryGroups(t.Context(), tn.ID, search)
		must(t, "search page 2", err)
		wantEqual(t, "search page 2", names(rest), []string{"Partners-A"})
	})
}
