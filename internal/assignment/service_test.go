package assignment_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/groups"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

type fixture struct {
	db     *sqlstore.DB
	svc    *assignment.Service
	groups *groups.Service
	tenant directory.Tenant
	other  directory.Tenant
	guest  directory.User
	alien  directory.User // a guest of the other tenant
	app    oidc.App
}

var admin = audit.Actor{AppID: "app-id", AppName: "automation"}

func forEngine(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, newFixture(t, e)) })
	}
}

func newFixture(t *testing.T, e testenv.Engine) *fixture {
	t.Helper()
	ctx := context.Background()
	db := e.Open(t)
	c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db,
		svc:    assignment.NewService(assignment.Deps{Store: db, Directory: db, Groups: db, Tx: db, Audit: db, Clock: c}),
		groups: groups.NewService(groups.Deps{Store: db, Directory: db, Tx: db, Audit: db, Clock: c})}
	f.tenant = tenant(t, db, "Contoso", c)
	f.other = tenant(t, db, "Fabrikam", c)
	f.guest = guest(t, db, f.tenant, "ann@partner.example", c)
	f.alien = guest(t, db, f.other, "olga@partner.example", c)
	f.app = oidc.App{TenantID: f.tenant.ID, AppID: uuid.NewString(), DisplayName: "Portal", CreatedAt: c.Now()}
	if err := db.CreateApp(ctx, f.app); err != nil {
		t.Fatal(err)
	}
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
	u := directory.User{TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest, DisplayName: mail,
		Mail: mail, UserPrincipalName: mail + "#EXT#@" + tn.InitialDomain, AccountEnabled: true, CreatedAt: c.Now()}
	if err := db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	return u
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

const reader = "6b8a1a9e-0c2b-4c55-9a62-0f3c4a1d2b3c"

func roles(enabled bool) []assignment.AppRole {
	return []assignment.AppRole{{ID: reader, Value: "Reader", DisplayName: "Reader", Description: "Reads",
		AllowedMemberTypes: []string{assignment.MemberTypeUser}, IsEnabled: enabled}}
}

func TestServiceAssignAndAccess(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx, tn := t.Context(), f.tenant.ID
		if _, err := f.svc.SetRequired(ctx, tn, f.app.AppID, true, admin); err != nil {
			t.Fatalf("require: %v", err)
		}
		a, err := f.svc.Access(ctx, tn, f.app.AppID, f.guest.ID)
		if err != nil || a.Allowed() {
			t.Fatalf("access before assignment = %+v, %v; want refused", a, err)
		}
		if _, err := f.svc.SetAppRoles(ctx, tn, f.app.AppID, roles(true), admin); err != nil {
			t.Fatalf("roles: %v", err)
		}
		if _, err := f.svc.SetGroupClaims(ctx, tn, f.app.AppID, "SecurityGroup", admin); err != nil {
			t.Fatalf("claims: %v", err)
		}
		g, err := f.groups.Create(ctx, tn, groups.Input{DisplayName: "Partners", MailNickname: "partners", MemberIDs: []string{f.guest.ID}}, admin)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Assign(ctx, tn, f.app.AppID, g.ID, assignment.DefaultAccessRoleID, admin); !errors.Is(err, assignment.ErrRoleNotFound) {
			t.Fatalf("default access on an app with roles = %v, want ErrRoleNotFound", err)
		}
		ga, err := f.svc.Assign(ctx, tn, f.app.AppID, g.ID, reader, admin)
		if err != nil || ga.PrincipalType != assignment.PrincipalGroup || ga.PrincipalDisplayName != "Partners" {
			t.Fatalf("assign group = %+v, %v", ga, err)
		}
		if _, err := f.svc.Assign(ctx, tn, f.app.AppID, g.ID, reader, admin); !errors.Is(err, assignment.ErrAlreadyAssigned) {
			t.Fatalf("assign twice = %v, want ErrAlreadyAssigned", err)
		}
		a, err = f.svc.Access(ctx, tn, f.app.AppID, f.guest.ID)
		if err != nil || !a.Allowed() || !slices.Equal(a.Roles, []string{"Reader"}) || !slices.Equal(a.Groups, []string{g.ID}) {
			t.Fatalf("access through the group = %+v, %v", a, err)
		}
		if _, err := f.svc.SetAppRoles(ctx, tn, f.app.AppID, nil, admin); !errors.Is(err, assignment.ErrRoleEnabledRemoved) {
			t.Fatalf("remove an enabled role = %v, want ErrRoleEnabledRemoved", err)
		}
		mine, err := f.svc.ListForPrincipal(ctx, tn, f.guest.ID, "", 10)
		if err != nil || len(mine) != 1 || mine[0].ID != ga.ID || mine[0].PrincipalID != g.ID {
			t.Fatalf("the guest's assignments = %v, %v; want her group's, as Graph lists them", mine, err)
		}
		if err := f.svc.Unassign(ctx, tn, ga.ID, admin); err != nil {
			t.Fatalf("unassign: %v", err)
		}
		a, err = f.svc.Access(ctx, tn, f.app.AppID, f.guest.ID)
		if err != nil || a.Allowed() {
			t.Fatalf("access after unassign = %+v, %v; want refused", a, err)
		}
		want := []string{assignment.ActivityAssignGroup, assignment.ActivityUnassignGroup, "Add group", "Add member to group",
			assignment.ActivityUpdateApplication, assignment.ActivityUpdateApplication, assignment.ActivityUpdateServicePrincipal}
		slices.Sort(want)
		if got := activities(t, f); !slices.Equal(got, want) {
			t.Fatalf("audit = %v, want %v", got, want)
		}
	})
}

func TestServiceTenantIsolation(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := t.Context()
		if _, err := f.svc.Assign(ctx, f.tenant.ID, f.app.AppID, f.alien.ID, assignment.DefaultAccessRoleID, admin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("assign another tenant's user = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.Assign(ctx, f.other.ID, f.app.AppID, f.alien.ID, assignment.DefaultAccessRoleID, admin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("assign to another tenant's app = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.SetRequired(ctx, f.other.ID, f.app.AppID, true, admin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("require on another tenant's app = %v, want ErrNotFound", err)
		}
		a, err := f.svc.Assign(ctx, f.tenant.ID, f.app.AppID, f.guest.ID, assignment.DefaultAccessRoleID, admin)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Unassign(ctx, f.other.ID, a.ID, admin); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unassign through another tenant = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.ListForPrincipal(ctx, f.other.ID, f.guest.ID, "", 10); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("list another tenant's user = %v, want ErrNotFound", err)
		}
		got, err := f.svc.Get(ctx, f.tenant.ID, f.app.AppID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.GetByServicePrincipal(ctx, f.other.ID, got.ServicePrincipalID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another tenant's service principal = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.GetByServicePrincipal(ctx, f.tenant.ID, got.ApplicationID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an application id as a service principal = %v, want ErrNotFound", err)
		}
		if _, err := f.svc.GetByApplication(ctx, f.tenant.ID, got.ApplicationID); err != nil {
			t.Fatalf("application: %v", err)
		}
	})
}
