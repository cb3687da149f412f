package inactivepolicy_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/inactivepolicy"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/lifecycle"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
	"github.com/guestgate/guestgate/internal/validation"
)

const day = 24 * time.Hour

type fixture struct {
	db    *sqlstore.DB
	clock *clock.Fake
	smtp  *mailtest.Server
	users *lifecycle.Service
}

func newFixture(t *testing.T, e testenv.Engine) *fixture {
	t.Helper()
	db := e.Open(t)
	c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	f := &fixture{db: db, clock: c, smtp: mailtest.Start(t),
		users: lifecycle.NewService(lifecycle.Deps{Directory: db, Lifecycle: db, Access: db, Audit: db, Roles: db, Tx: db, Clock: c})}
	f.startDispatcher(t)
	return f
}

// startDispatcher sends the outbox to the test's SMTP server until the
// test ends.
func (f *fixture) startDispatcher(t *testing.T) {
	t.Helper()
	cfg, err := mail.ParseSMTPURL(f.smtp.URL())
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mail.NewSMTPSender(cfg, mail.SMTPSenderOptions{From: "noreply@guestgate.test"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d, err := mail.NewDispatcher(mail.DispatcherConfig{Store: f.db, Sender: sender, Clock: f.clock,
		Wake: f.db.OutboxWakeups(ctx), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
}

func (f *fixture) deps() inactivepolicy.Deps {
	return inactivepolicy.Deps{Store: f.db, Directory: f.db, Roles: f.db, Users: f.users, Audit: f.db,
		Outbox: f.db, Tx: f.db, Interval: time.Hour, Clock: f.clock, Log: slog.New(slog.DiscardHandler)}
}

func (f *fixture) runner() *inactivepolicy.Runner {
	r, err := inactivepolicy.NewRunner(f.deps())
	if err != nil {
		panic(err)
	}
	return r
}

func (f *fixture) tenant(t *testing.T, name string) directory.Tenant {
	t.Helper()
	tn, err := directory.CreateTenant(t.Context(), f.db, directory.NewTenantRequest{Name: name}, "guestgate.local", f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// member creates a member who prefers lang.
func (f *fixture) member(t *testing.T, tn directory.Tenant, local, lang string) directory.User {
	t.Helper()
	addr := local + "@" + tn.InitialDomain
	u := directory.User{TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeMember, DisplayName: local,
		Mail: addr, UserPrincipalName: addr, AccountEnabled: true, CreatedAt: f.clock.Now().Add(-400 * day), PreferredLanguage: lang}
	if err := f.db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	return u
}

// guest creates a guest invited at created, last signed in at lastOK
// (zero: never), sponsored by sponsors.
func (f *fixture) guest(t *testing.T, tn directory.Tenant, addr string, created, lastOK time.Time, sponsors ...directory.User) directory.User {
	t.Helper()
	u := directory.User{TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest, DisplayName: strings.Split(addr, "@")[0],
		Mail: addr, UserPrincipalName: directory.GuestUserPrincipalName(addr, tn.InitialDomain), AccountEnabled: true,
		CreatedAt: created, SignInActivity: directory.SignInActivity{LastSuccessfulSignIn: lastOK}}
	if err := f.db.CreateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range sponsors {
		ids = append(ids, s.ID)
	}
	h := sha256.Sum256([]byte(u.ID))
	inv := invitation.Invitation{TenantID: tn.ID, ID: uuid.NewString(), UserID: u.ID, Email: addr, RedirectURL: "https://app.example/",
		Sponsors: ids, TicketHash: h[:], Status: invitation.StatusPendingAcceptance, CreatedAt: created}
	if err := f.db.CreateInvitation(t.Context(), inv); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) enabled(t *testing.T, u directory.User) bool {
	t.Helper()
	got, err := f.db.GetUser(t.Context(), u.TenantID, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got.AccountEnabled
}

// queued counts the warnings in the outbox (sent or not).
func (f *fixture) queued(t *testing.T) int {
	t.Helper()
	list, err := f.db.ListMail(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range list {
		if m.Kind == mail.KindInactiveWarning {
			n++
		}
	}
	return n
}

// audits counts the tenant's records of activity per target user id,
// checking that the policy initiated them.
func (f *fixture) audits(t *testing.T, tn directory.Tenant, activity string) map[string]int {
	t.Helper()
	recs, err := f.db.ListAudits(t.Context(), tn.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, r := range recs {
		if r.Activity != activity {
			continue
		}
		if r.InitiatedBy != inactivepolicy.Actor {
			t.Errorf("%q initiated by %+v, want the policy", activity, r.InitiatedBy)
		}
		for _, tg := range r.Targets {
			out[tg.ID]++
		}
	}
	return out
}

func (f *fixture) runOnce(t *testing.T, r *inactivepolicy.Runner) {
	t.Helper()
	if err := r.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestRunner: sponsors are warned by mail (in their language) once per
// cycle, the guest is disabled after the warning time with "Disable
// account" records initiated by the policy, an off policy does nothing,
// and runners racing each other disable each guest once.
func TestRunner(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) { testRunner(t, newFixture(t, e)) })
	}
}

func testRunner(t *testing.T, f *fixture) {
	now := f.clock.Now()
	tn, offTenant := f.tenant(t, "Contoso"), f.tenant(t, "Fabrikam")
	ana, kenji := f.member(t, tn, "ana", ""), f.member(t, tn, "kenji", "ja")
	stale := f.guest(t, tn, "stale@partner.example", now.Add(-300*day), now.Add(-80*day), ana, kenji)
	never := f.guest(t, tn, "never@partner.example", now.Add(-85*day), time.Time{}, ana)
	recent := f.guest(t, tn, "recent@partner.example", now.Add(-300*day), now.Add(-day), ana)
	untouched := f.guest(t, offTenant, "old@partner.example", now.Add(-300*day), now.Add(-200*day))
	p := inactivepolicy.Policy{TenantID: tn.ID, Days: 90, WarnDays: 14, UpdatedAt: now}
	if err := f.db.PutInactivePolicy(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	r := f.runner()

	// The warnings: one mail per sponsor, in the sponsor's language.
	f.runOnce(t, r)
	toKenji := f.smtp.WaitFor(t, mailtest.To(kenji.Mail))
	if !strings.Contains(toKenji.Subject, "無効化") || !strings.Contains(toKenji.Text, "stale@partner.example") {
		t.Errorf("warning to kenji: %q\n%s", toKenji.Subject, toKenji.Text)
	}
	toAna := f.smtp.WaitCount(t, 2, mailtest.To(ana.Mail))
	for _, m := range toAna {
		if !strings.Contains(m.Subject, "will be disabled") {
			t.Errorf("warning to ana: %q", m.Subject)
		}
	}
	if n := f.queued(t); n != 3 {
		t.Fatalf("%d warnings queued, want 3 (two sponsors of one guest, one of another)", n)
	}
	if !f.enabled(t, stale) || !f.enabled(t, never) {
		t.Fatal("a guest was disabled at the warning")
	}

	// Later runs in the same cycle warn no one again.
	f.clock.Advance(2 * time.Hour)
	f.runOnce(t, r)
	f.clock.Advance(7 * day)
	f.runOnce(t, r)
	if n := f.queued(t); n != 3 {
		t.Fatalf("%d warnings queued after later runs, want still 3", n)
	}
	if !f.enabled(t, stale) || !f.enabled(t, never) {
		t.Fatal("a guest was disabled before the warning time passed")
	}

	// After the warning time, four runners at once disable each guest once.
	f.clock.Advance(7*day + time.Hour)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		r := f.runner()
		wg.Go(func() { errs <- r.RunOnce(context.Background()) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if f.enabled(t, stale) || f.enabled(t, never) {
		t.Fatal("an inactive guest is still enabled after the warning time")
	}
	if !f.enabled(t, recent) || !f.enabled(t, ana) {
		t.Fatal("an active guest or a member was disabled")
	}
	if !f.enabled(t, untouched) {
		t.Fatal("a guest of a tenant without the policy was disabled")
	}
	want := map[string]int{stale.ID: 1, never.ID: 1}
	for _, activity := range []string{inactivepolicy.ActivityDisableAccount, lifecycle.ActivityUpdateUser} {
		got := f.audits(t, tn, activity)
		if len(got) != len(want) || got[stale.ID] != 1 || got[never.ID] != 1 {
			t.Errorf("%q records per guest: %v, want %v", activity, got, want)
		}
	}
	if n := f.queued(t); n != 3 {
		t.Fatalf("%d warnings queued after the disables, want still 3", n)
	}
}

// TestSettings: a policy is stored with an audit record of the change and
// the member who set it (the operator: no one); an invalid one, or one an
// app sets, is refused and leaves the policy as it was.
func TestSettings(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e)
			tn := f.tenant(t, "Contoso")
			s := inactivepolicy.Settings{Store: f.db, Audit: f.db, Tx: f.db, Clock: f.clock}
			m := f.member(t, tn, "ana", "")
			by := audit.Actor{UserID: m.ID, UserName: m.DisplayName, UserPrincipalName: m.UserPrincipalName}
			if _, err := s.Set(t.Context(), tn, inactivepolicy.Policy{Days: 90, WarnDays: 14}, by); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Set(t.Context(), tn, inactivepolicy.Policy{Days: 30}, audit.Actor{AppName: "an app"}); !errors.Is(err, inactivepolicy.ErrUnknownSetter) {
				t.Fatalf("set by an app: %v, want ErrUnknownSetter", err)
			}
			var ve *validation.Error
			if _, err := s.Set(t.Context(), tn, inactivepolicy.Policy{Days: 10, WarnDays: 14}, by); !errors.As(err, &ve) {
				t.Fatalf("warn days beyond days: %v, want a validation error", err)
			}
			got, err := s.Get(t.Context(), tn)
			if err != nil {
				t.Fatal(err)
			}
			if got.Days != 90 || got.WarnDays != 14 || got.TenantID != tn.ID || got.SetBy != m.ID {
				t.Fatalf("policy %+v, want 90/14 set by %s", got, m.ID)
			}
			recs, err := f.db.ListAudits(t.Context(), tn.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range recs {
				if r.Activity == inactivepolicy.ActivityUpdatePolicy && r.InitiatedBy == by {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d policy change records, want 1", n)
			}
			if _, err := s.Set(t.Context(), tn, inactivepolicy.Policy{Days: 60, WarnDays: 7}, audit.CLI); err != nil {
				t.Fatal(err)
			}
			if got, err = s.Get(t.Context(), tn); err != nil || got.SetBy != "" {
				t.Fatalf("policy set by the operator: %+v, %v; want SetBy empty", got, err)
			}
		})
	}
}

// TestRunnerLease: a tenant another runner holds is left alone until that
// lease runs out (a runner that died), then taken over; a policy that is
// off is never run.
func TestRunnerLease(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newFixture(t, e)
			now := f.clock.Now()
			tn := f.tenant(t, "Contoso")
			g := f.guest(t, tn, "stale@partner.example", now.Add(-300*day), now.Add(-200*day))
			if err := f.db.PutInactivePolicy(t.Context(), inactivepolicy.Policy{TenantID: tn.ID, Days: 90, UpdatedAt: now}); err != nil {
				t.Fatal(err)
			}
			if err := f.db.LeaseInactivePolicy(t.Context(), tn.ID, "dead-runner", now, now.Add(inactivepolicy.Lease)); err != nil {
				t.Fatal(err)
			}
			r := f.runner()
			f.runOnce(t, r)
			if !f.enabled(t, g) {
				t.Fatal("a runner worked on a tenant another runner holds")
			}
			f.clock.Advance(inactivepolicy.Lease)
			f.runOnce(t, r)
			if f.enabled(t, g) {
				t.Fatal("the tenant of a runner whose lease ran out was not taken over")
			}
			if got := f.audits(t, tn, inactivepolicy.ActivityDisableAccount); got[g.ID] != 1 {
				t.Fatalf("disable records %v, want one for the guest", got)
			}
			// Off: a guest inactive as long is left alone.
			g2 := f.guest(t, tn, "stale2@partner.example", now.Add(-300*day), now.Add(-200*day))
			if err := f.db.PutInactivePolicy(t.Context(), inactivepolicy.Policy{TenantID: tn.ID, UpdatedAt: f.clock.Now()}); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(2 * time.Hour)
			f.runOnce(t, r)
			if !f.enabled(t, g2) {
				t.Fatal("a policy turned off disabled a guest")
			}
		})
	}
}

// TestRunnerActsWithTheSetterAuthority: R14 bounds the policy as it
// bounds whoever set it, with the roles they hold at the disable. A
// policy a User Administrator set disables an ordinary inactive guest and
// one holding a role a User Administrator manages (User Administrator),
// and leaves the holders of other admin roles (Global Administrator,
// Application Administrator) enabled, unwarned and without a "Disable
// account" record; the same policy set by a Global Administrator or by
// the operator disables them all, the operator still keeping the last
// Global Administrator. A setter since disabled acts with no role; one
// who loses the role between the warning and the disable leaves the
// warning as it is (no second mail). Both engines.
func TestRunnerActsWithTheSetterAuthority(t *testing.T) {
	type setter int
	const (
		byUserAdmin setter = iota
		byGlobalAdmin
		byOperator
	)
	for _, tc := range []struct {
		rule string
		by   setter
		// before runs after the policy is set; between after the warnings.
		before, between func(t *testing.T, f *fixture, setter directory.User, roleID string)
		// wantLeft: the guests (by role) left enabled after the warning time.
		wantLeft []roles.Role
		// lastGA: the tenant's only enabled Global Administrator is the
		// inactive guest (no Global Administrator member).
		lastGA bool
	}{
		{rule: "R14_user_admin_setter_disables_ordinary_and_managed_roles_only", by: byUserAdmin,
			wantLeft: []roles.Role{roles.GlobalAdministrator, roles.ApplicationAdministrator}},
		{rule: "R14_global_admin_setter_disables_admin_role_holders", by: byGlobalAdmin},
		{rule: "R14_operator_setter_disables_admin_role_holders", by: byOperator},
		{rule: "R14_operator_setter_keeps_the_last_global_admin", by: byOperator, lastGA: true,
			wantLeft: []roles.Role{roles.GlobalAdministrator}},
		{rule: "R14_setter_since_disabled_has_no_role", by: byGlobalAdmin,
			before:   func(t *testing.T, f *fixture, s directory.User, _ string) { f.disableMember(t, s) },
			wantLeft: []roles.Role{roles.GlobalAdministrator, roles.ApplicationAdministrator, roles.UserAdministrator}},
		{rule: "R14_setter_stripped_of_the_role_after_the_warnings", by: byGlobalAdmin,
			between: func(t *testing.T, f *fixture, s directory.User, roleID string) {
				if err := f.db.DeleteRoleAssignment(t.Context(), s.TenantID, roleID); err != nil {
					t.Fatal(err)
				}
			},
			wantLeft: []roles.Role{roles.GlobalAdministrator, roles.ApplicationAdministrator, roles.UserAdministrator}},
	} {
		for _, e := range testenv.Engines() {
			t.Run(tc.rule+"/"+e.Name, func(t *testing.T) {
				f := newFixture(t, e)
				now := f.clock.Now()
				tn := f.tenant(t, "Contoso")
				ana := f.member(t, tn, "ana", "")
				if !tc.lastGA {
					f.grant(t, f.member(t, tn, "gaby", ""), roles.GlobalAdministrator)
				}
				inactiveGuest := func(local string, role *roles.Role) directory.User {
					g := f.guest(t, tn, local+"@partner.example", now.Add(-300*day), now.Add(-200*day), ana)
					if role != nil {
						f.grant(t, g, *role)
					}
					return g
				}
				plain := inactiveGuest("plain", nil)
				byRole := map[roles.Role]directory.User{}
				for _, r := range []roles.Role{roles.UserAdministrator, roles.GlobalAdministrator, roles.ApplicationAdministrator} {
					byRole[r] = inactiveGuest(strings.ReplaceAll(strings.ToLower(r.DisplayName), " ", "-"), &r)
				}
				var (
					s      directory.User
					roleID string
					by     = audit.CLI
				)
				switch tc.by {
				case byUserAdmin:
					s = f.member(t, tn, "uma", "")
					roleID = f.grant(t, s, roles.UserAdministrator)
				case byGlobalAdmin:
					s = f.member(t, tn, "gwen", "")
					roleID = f.grant(t, s, roles.GlobalAdministrator)
				}
				if s.ID != "" {
					by = audit.Actor{UserID: s.ID, UserName: s.DisplayName, UserPrincipalName: s.UserPrincipalName}
				}
				set := inactivepolicy.Settings{Store: f.db, Audit: f.db, Tx: f.db, Clock: f.clock}
				p, err := set.Set(t.Context(), tn, inactivepolicy.Policy{Days: 90, WarnDays: 14}, by)
				if err != nil {
					t.Fatal(err)
				}
				if p.SetBy != s.ID {
					t.Fatalf("policy set by %q, want %q", p.SetBy, s.ID)
				}
				if tc.before != nil {
					tc.before(t, f, s, roleID)
				}
				left := map[string]bool{}
				for _, r := range tc.wantLeft {
					left[byRole[r].ID] = true
				}
				all := []directory.User{plain, byRole[roles.UserAdministrator], byRole[roles.GlobalAdministrator], byRole[roles.ApplicationAdministrator]}
				r := f.runner()

				// The warnings: only for the guests the policy will disable.
				f.runOnce(t, r)
				wantWarned := len(all) - len(left)
				if tc.between != nil {
					wantWarned = len(all) // the setter could still disable them all
				}
				f.smtp.WaitCount(t, wantWarned, mailtest.To(ana.Mail))
				if n := f.queued(t); n != wantWarned {
					t.Fatalf("%d warnings queued, want %d", n, wantWarned)
				}
				if tc.between != nil {
					tc.between(t, f, s, roleID)
				}

				// After the warning time, and a run more.
				f.clock.Advance(15 * day)
				f.runOnce(t, r)
				f.clock.Advance(2 * time.Hour)
				f.runOnce(t, r)
				disabled := f.audits(t, tn, inactivepolicy.ActivityDisableAccount)
				for _, g := range all {
					if want := left[g.ID]; f.enabled(t, g) != want {
						t.Errorf("%s enabled = %v, want %v", g.DisplayName, !want, want)
					}
					if want := map[bool]int{true: 0, false: 1}[left[g.ID]]; disabled[g.ID] != want {
						t.Errorf("%s: %d %q records, want %d", g.DisplayName, disabled[g.ID], inactivepolicy.ActivityDisableAccount, want)
					}
				}
				if n := f.queued(t); n != wantWarned {
					t.Fatalf("%d warnings queued after the disables, want still %d", n, wantWarned)
				}
			})
		}
	}
}

// grant gives u role and returns the assignment's id.
func (f *fixture) grant(t *testing.T, u directory.User, role roles.Role) string {
	t.Helper()
	a := roles.Assignment{TenantID: u.TenantID, ID: uuid.NewString(), PrincipalID: u.ID, RoleDefinitionID: role.TemplateID,
		DirectoryScopeID: "/", CreatedAt: f.clock.Now()}
	if err := f.db.CreateRoleAssignment(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// disableMember disables u as the operator would.
func (f *fixture) disableMember(t *testing.T, u directory.User) {
	t.Helper()
	off := false
	if _, err := f.users.Update(t.Context(), directory.Tenant{ID: u.TenantID, Managed: true}, u.ID, lifecycle.Patch{AccountEnabled: &off}, audit.CLI, roles.AsOperator()); err != nil {
		t.Fatal(err)
	}
}

// TestNewRunnerRefusesAMissingDependency: a runner built without a
// dependency it needs (Roles, with which R14 bounds the policy, among
// them) is an error naming it when the process starts.
func TestNewRunnerRefusesAMissingDependency(t *testing.T) {
	var db *sqlstore.DB // never called: NewRunner only checks what it is given
	full := inactivepolicy.Deps{Store: db, Directory: db, Users: &lifecycle.Service{}, Roles: db, Audit: db, Outbox: db, Tx: db}
	if _, err := inactivepolicy.NewRunner(full); err != nil {
		t.Fatalf("NewRunner with every dependency: %v", err)
	}
	optional := map[string]bool{"Interval": true, "DeploymentName": true, "Clock": true, "Log": true}
	typ := reflect.TypeFor[inactivepolicy.Deps]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if optional[name] {
			continue
		}
		t.Run(name, func(t *testing.T) {
			d := full
			reflect.ValueOf(&d).Elem().Field(i).SetZero()
			if _, err := inactivepolicy.NewRunner(d); err == nil || !strings.Contains(err.Error(), name+" is missing") {
				t.Fatalf("NewRunner without %s: %v, want an error naming it", name, err)
			}
		})
	}
}
