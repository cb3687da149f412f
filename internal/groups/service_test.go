package groups_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

type fixture struct {
	db     *sqlstore.DB
	svc    *groups.Service
	tenant directory.Tenant
	other  directory.Tenant
	guest  directory.User
	alien  directory.User // a guest of the other tenant
}

var admin = audit.Actor{AppID: "app-id", AppName: "automation"}

func forEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, newFixture(t, e)) })
	}
}

func newFixture(t *testing.T, e testenv.Engine) *fixture {
	t.Helper()
	db := e.Open(t)
	c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, svc: groups.NewService(groups.Deps{Store: db, Directory: db, Tx: db, Audit: db, Clock: c})}
	f.tenant = tenant(t, db, "Contoso", c)
	f.other = tenant(t, db, "Fabrikam", c)
	f.guest = guest(t, db, f.tenant, "ann@partner.example", c)
	f.alien = guest(t, db, f.other, "olga@partner.example", c)
	return f
}

func tenant(t *testing.T, db *sqlstore.DB, name string, c clock.Clock) directory.Tenant {
	t.Helper()
	tn, err := directory.CreateTenant(t.Context(), db, directory.NewTenantRequest{Name: name}, "guestgate.local", c.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

func guest(t *testing.T, db *sqlstore.DB, tn directory.Tenant, mail string, c clock.Clock) directory.User {
	t.Helper()
	u := directory.User{TenantID: tn.ID, ID: mail + "-" + tn.ID[:8], UserType: directory.UserTypeGuest, DisplayName: mail,
		Mail: mail, UserPrincipalName: mail + "#EXT#@" + tn.InitialDomain, AccountEnabled: true, CreatedAt: c.Now()}
	if err := db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) create(t *testing.T, name string) groups.Group {
	t.Helper()
	g, err := f.svc.Create(t.Context(), f.tenant.ID, groups.Input{DisplayName: name, MailNickname: name}, admin)
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return g
}

func activities(t *testing.T, f *fixture) []string {
	t.Helper()
	rs, err := f.db.ListAudits(t.Context(), f.tenant.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Activity)
	}
	slices.Sort(out)
	return out
}

func TestServiceNestedMembership(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		all, partners := f.create(t, "all-partners"), f.create(t, "partners")
		if err := f.svc.AddMember(ctx, f.tenant.ID, partners.ID, f.guest.ID, admin); err != nil {
			t.Fatalf("add guest: %v", err)
		}
		if err := f.svc.AddMember(ctx, f.tenant.ID, all.ID, partners.ID, admin); err != nil {
			t.Fatalf("nest partners in all: %v", err)
		}
		if err := f.svc.AddMember(ctx, f.tenant.ID, partners.ID, f.guest.ID, admin); !errors.Is(err, store.ErrAlreadyExists) {
			t.Fatalf("add guest twice = %v, want ErrAlreadyExists", err)
		}
		if err := f.svc.AddMember(ctx, f.tenant.ID, partners.ID, all.ID, admin); !errors.Is(err, groups.ErrCycle) {
			t.Fatalf("add parent to child = %v, want ErrCycle", err)
		}
		if err := f.svc.AddMember(ctx, f.tenant.ID, all.ID, all.ID, admin); !errors.Is(err, groups.ErrCycle) {
			t.Fatalf("add group to itself = %v, want ErrCycle", err)
		}
		direct, err := f.svc.MemberOf(ctx, f.tenant.ID, f.guest.ID, "", 10)
		if err != nil || len(direct) != 1 || direct[0].ID != partners.ID {
			t.Fatalf("memberOf = %v, %v; want partners only", direct, err)
		}
		trans, err := f.svc.TransitiveMemberOf(ctx, f.tenant.ID, f.guest.ID)
		if err != nil || len(trans) != 2 || trans[0].ID != partners.ID || trans[1].ID != all.ID {
			t.Fatalf("transitiveMemberOf = %v, %v; want partners then all-partners", trans, err)
		}
		got, err := f.svc.CheckMemberGroups(ctx, f.tenant.ID, f.guest.ID, []string{all.ID, "00000000-0000-0000-0000-000000000000"})
		if err != nil || !slices.Equal(got, []string{all.ID}) {
			t.Fatalf("checkMemberGroups = %v, %v; want [all-partners]", got, err)
		}
		ms, err := f.svc.Members(ctx, f.tenant.ID, all.ID, "", 10)
		if err != nil || len(ms) != 1 || ms[0].Type != groups.MemberGroup || ms[0].DisplayName != "partners" {
			t.Fatalf("members of all = %v, %v", ms, err)
		}
		if err := f.svc.RemoveMember(ctx, f.tenant.ID, partners.ID, f.guest.ID, admin); err != nil {
			t.Fatalf("remove guest: %v", err)
		}
		want := []string{"Add group", "Add group", "Add member to group", "Add member to group", "Remove member from group"}
		if got := activities(t, f); !slices.Equal(got, want) {
			t.Fatalf("audit activities = %v, want %v", got, want)
		}
	})
}

func TestServiceTenantIsolation(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		g := f.create(t, "partners")
		if err := f.svc.AddMember(ctx, f.tenant.ID, g.ID, f.alien.ID, admin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("add another tenant's guest = %v, want ErrNotFound", err)
		}
		theirs, err := f.svc.Create(ctx, f.other.ID, groups.Input{DisplayName: "theirs", MailNickname: "theirs"}, admin)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.AddMember(ctx, f.tenant.ID, g.ID, theirs.ID, admin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("add another tenant's group = %v, want ErrNotFound", err)
		}
		if err := f.svc.AddMember(ctx, f.other.ID, g.ID, f.alien.ID, admin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("add to another tenant's group = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.Members(ctx, f.other.ID, g.ID, "", 10); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("members through another tenant = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.Update(ctx, f.other.ID, g.ID, groups.Patch{}, admin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update through another tenant = %v, want ErrNotFound", err)
		}
		if err := f.svc.Delete(ctx, f.other.ID, g.ID, admin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete through another tenant = %v, want ErrNotFound", err)
		}
	})
}

func TestServiceUpdateDeleteRestore(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		g := f.create(t, "partners")
		if err := f.svc.AddMember(ctx, f.tenant.ID, g.ID, f.guest.ID, admin); err != nil {
			t.Fatal(err)
		}
		bad := "has space"
		if _, err := f.svc.Update(ctx, f.tenant.ID, g.ID, groups.Patch{MailNickname: &bad}, admin); !errors.Is(err, groups.ErrMailNickname) {
			t.Fatalf("update with a bad nickname = %v, want ErrMailNickname", err)
		}
		name := "Partners 2026"
		up, err := f.svc.Update(ctx, f.tenant.ID, g.ID, groups.Patch{DisplayName: &name}, admin)
		if err != nil || up.DisplayName != name || up.MailNickname != "partners" {
			t.Fatalf("update = %+v, %v", up, err)
		}
		if err := f.svc.Delete(ctx, f.tenant.ID, g.ID, admin); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Get(ctx, f.tenant.ID, g.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get deleted = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.Restore(ctx, f.other.ID, g.ID, admin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("restore through another tenant = %v, want ErrNotFound", err)
		}
		back, err := f.svc.Restore(ctx, f.tenant.ID, g.ID, admin)
		if err != nil || back.Deleted() {
			t.Fatalf("restore = %+v, %v", back, err)
		}
		ok, err := f.svc.CheckMemberGroups(ctx, f.tenant.ID, f.guest.ID, []string{g.ID})
		if err != nil || len(ok) != 1 {
			t.Fatalf("membership after restore = %v, %v", ok, err)
		}
		want := []string{"Add group", "Add member to group", "Delete group", "Restore group", "Update group"}
		if got := activities(t, f); !slices.Equal(got, want) {
			t.Fatalf("audit activities = %v, want %v", got, want)
		}
	})
}

func TestServiceCreateWithMembers(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		sub := f.create(t, "sub")
		g, err := f.svc.Create(ctx, f.tenant.ID, groups.Input{DisplayName: "partners", MailNickname: "partners",
			MemberIDs: []string{f.guest.ID, sub.ID}}, admin)
		if err != nil {
			t.Fatal(err)
		}
		ms, err := f.svc.Members(ctx, f.tenant.ID, g.ID, "", 10)
		if err != nil || len(ms) != 2 {
			t.Fatalf("members = %+v, %v", ms, err)
		}
		_, err = f.svc.Create(ctx, f.tenant.ID, groups.Input{DisplayName: "bad", MailNickname: "bad", MemberIDs: []string{f.guest.ID, f.alien.ID}}, admin)
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("create with another tenant's guest = %v, want ErrNotFound", err)
		}
		all, err := f.svc.List(ctx, f.tenant.ID, "", 10)
		if err != nil || len(all) != 2 {
			t.Fatalf("a refused create left a group behind: %+v, %v", all, err)
		}
		many := make([]string, groups.MaxCreateMembers+1)
		if _, err := f.svc.Create(ctx, f.tenant.ID, groups.Input{DisplayName: "big", MailNickname: "big", MemberIDs: many}, admin); !errors.Is(err, groups.ErrTooManyMembers) {
			t.Fatalf("create with 21 members = %v, want ErrTooManyMembers", err)
		}
	})
}
