package member_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// cheap are fast argon2id parameters: the tests hash many times.
var cheap = member.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const goodPassword = "tulip-Quarry-2026"

type fixture struct {
	svc    *member.Service
	db     *sqlstore.DB
	clock  *clock.Fake
	tenant directory.Tenant
}

func newFixture(t *testing.T, e testenv.Engine, limits ...member.Limits) *fixture {
	t.Helper()
	ctx := context.Background()
	db := e.Open(t)
	c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	tn, err := directory.NewTenant(directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, "guestgate.local", c.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	deps := member.Deps{
		Directory: db, Store: db, Tx: db, Clock: c, Audit: db, Sessions: db, Roles: db,
		Params: cheap, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if len(limits) > 0 {
		deps.Limits = limits[0]
	}
	svc, err := member.NewService(deps)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, db: db, clock: c, tenant: tn}
}

func (f *fixture) create(t *testing.T, upn string, enabled bool) directory.User {
	t.Helper()
	u, err := f.svc.CreateMember(context.Background(), f.tenant, member.NewMember{
		UserPrincipalName: upn, DisplayName: "Kim Akers", Password: goodPassword, AccountEnabled: enabled,
	}, audit.CLI)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) auth(addr, password, client string) (directory.User, error) {
	return f.svc.Authenticate(context.Background(), f.tenant, addr, password, client)
}

func (f *fixture) audits(t *testing.T) []audit.Record {
	t.Helper()
	rs, err := f.db.ListAudits(context.Background(), f.tenant.ID, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestService(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			t.Run("create_member_in_verified_domain", func(t *testing.T) {
				f := newFixture(t, e)
				u := f.create(t, "Kim@Fabrikam.example", true)
				got, err := f.db.GetUser(context.Background(), f.tenant.ID, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.UserType != directory.UserTypeMember || got.CreationType != "" || got.UserPrincipalName != "Kim@fabrikam.example" ||
					got.Mail != "Kim@fabrikam.example" || !got.AccountEnabled || got.DisplayName != "Kim Akers" {
					t.Fatalf("member = %+v", got)
				}
				hash, err := f.db.GetPassword(context.Background(), f.tenant.ID, u.ID)
				if err != nil || hash == goodPassword {
					t.Fatalf("stored password = %q, %v; want a hash", hash, err)
				}
				rs := f.audits(t)
				if len(rs) != 1 || rs[0].Activity != "Add user" || rs[0].Category != audit.CategoryUserManagement ||
					rs[0].Targets[0].ID != u.ID || rs[0].InitiatedBy != audit.CLI {
					t.Fatalf("audit records = %+v", rs)
				}
				for _, c := range rs[0].Targets[0].Modified {
					if c.New == `"`+goodPassword+`"` {
						t.Fatal("the audit record holds the password")
					}
				}
			})
			t.Run("create_member_refusals_write_nothing", func(t *testing.T) {
				f := newFixture(t, e)
				f.create(t, "kim@fabrikam.example", true)
				cases := []struct {
					name     string
					req      member.NewMember
					property string
					reason   error
				}{
					{"unverified_domain", member.NewMember{UserPrincipalName: "lee@contoso.example", DisplayName: "Lee", Password: goodPassword}, "userPrincipalName", member.ErrUnverifiedDomain},
					{"address_taken_any_case", member.NewMember{UserPrincipalName: "KIM@fabrikam.example", DisplayName: "Kim 2", Password: goodPassword}, "userPrincipalName", member.ErrAddressTaken},
					{"mail_taken", member.NewMember{UserPrincipalName: "lee@fabrikam.example", Mail: "kim@fabrikam.example", DisplayName: "Lee", Password: goodPassword}, "mail", member.ErrAddressTaken},
					{"malformed_upn", member.NewMember{UserPrincipalName: "lee#EXT#@fabrikam.example", DisplayName: "Lee", Password: goodPassword}, "userPrincipalName", nil},
					{"no_display_name", member.NewMember{UserPrincipalName: "lee@fabrikam.example", Password: goodPassword}, "displayName", nil},
					{"common_password", member.NewMember{UserPrincipalName: "lee@fabrikam.example", DisplayName: "Lee", Password: "Password1234"}, "passwordProfile.password", nil},
					{"short_password", member.NewMember{UserPrincipalName: "lee@fabrikam.example", DisplayName: "Lee", Password: "short"}, "passwordProfile.password", nil},
				}
				for _, c := range cases {
					_, err := f.svc.CreateMember(context.Background(), f.tenant, c.req, audit.CLI)
					var ve *member.ValidationError
					if !errors.As(err, &ve) || ve.Property != c.property || (c.reason != nil && !errors.Is(err, c.reason)) {
						t.Errorf("%s: %v, want a *ValidationError on %s (%v)", c.name, err, c.property, c.reason)
					}
				}
				var pe *member.PasswordError
				_, err := f.svc.CreateMember(context.Background(), f.tenant, member.NewMember{UserPrincipalName: "lee@fabrikam.example", DisplayName: "Lee", Password: "Password1234"}, audit.CLI)
				if !errors.As(err, &pe) {
					t.Fatalf("a common password = %v, want a *PasswordError inside", err)
				}
				users, _ := f.db.ListUsers(context.Background(), f.tenant.ID, "", 0)
				if len(users) != 1 || len(f.audits(t)) != 1 {
					t.Fatalf("refused members wrote %d users, %d audit records", len(users), len(f.audits(t)))
				}
			})
			t.Run("create_member_address_of_a_guest_taken", func(t *testing.T) {
				f := newFixture(t, e)
				guest := directory.User{TenantID: f.tenant.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest, DisplayName: "Teri",
					Mail: "teri@fabrikam.example", UserPrincipalName: directory.GuestUserPrincipalName("teri@fabrikam.example", f.tenant.InitialDomain),
					CreationType: "Invitation", AccountEnabled: true, CreatedAt: f.clock.Now()}
				if err := f.db.CreateUser(context.Background(), guest); err != nil {
					t.Fatal(err)
				}
				_, err := f.svc.CreateMember(context.Background(), f.tenant, member.NewMember{UserPrincipalName: "teri@fabrikam.example", DisplayName: "Teri", Password: goodPassword}, audit.CLI)
				if !errors.Is(err, member.ErrAddressTaken) {
					t.Fatalf("member at a guest's address = %v, want ErrAddressTaken", err)
				}
				if _, err := f.auth("teri@fabrikam.example", goodPassword, "192.0.2.1"); !errors.Is(err, member.ErrWrongPassword) {
					t.Fatalf("a guest signing in with a password = %v, want ErrWrongPassword", err)
				}
			})
			t.Run("authenticate_right_password", func(t *testing.T) {
				f := newFixture(t, e)
				u := f.create(t, "kim@fabrikam.example", true)
				got, err := f.auth("KIM@fabrikam.EXAMPLE", goodPassword, "192.0.2.1")
				if err != nil || got.ID != u.ID {
					t.Fatalf("Authenticate = %+v, %v", got, err)
				}
			})
			t.Run("authenticate_success_writes_nothing_without_failures", func(t *testing.T) {
				f := newFixture(t, e)
				f.create(t, "kim@fabrikam.example", true)
				before := f.db.WriteTxCount()
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "192.0.2.1"); err != nil {
					t.Fatal(err)
				}
				if n := f.db.WriteTxCount() - before; n != 0 {
					t.Fatalf("a clean sign-in wrote %d transactions, want 0", n)
				}
			})
			t.Run("authenticate_wrong_password_one_write", func(t *testing.T) {
				f := newFixture(t, e)
				f.create(t, "kim@fabrikam.example", true)
				before := f.db.WriteTxCount()
				if _, err := f.auth("kim@fabrikam.example", "tulip-Quarry-2025", "192.0.2.1"); !errors.Is(err, member.ErrWrongPassword) {
					t.Fatalf("wrong password = %v", err)
				}
				if n := f.db.WriteTxCount() - before; n != 1 {
					t.Fatalf("a wrong password wrote %d transactions, want 1", n)
				}
				keys := []string{"pair:192.0.2.1|kim@fabrikam.example", "account:kim@fabrikam.example", "client:192.0.2.1", "tenant"}
				fs, _ := f.db.GetPasswordFailures(context.Background(), f.tenant.ID, keys)
				for _, k := range keys {
					if fs[k].Count != 1 {
						t.Fatalf("failures = %+v, want one per key", fs)
					}
				}
			})
			t.Run("authenticate_unknown_address_same_answer", func(t *testing.T) {
				f := newFixture(t, e)
				if _, err := f.auth("nobody@fabrikam.example", goodPassword, "192.0.2.1"); !errors.Is(err, member.ErrWrongPassword) {
					t.Fatalf("unknown address = %v, want ErrWrongPassword", err)
				}
			})
			t.Run("authenticate_disabled_only_after_right_password", func(t *testing.T) {
				f := newFixture(t, e)
				f.create(t, "kim@fabrikam.example", false)
				if _, err := f.auth("kim@fabrikam.example", "tulip-Quarry-2025", "192.0.2.1"); !errors.Is(err, member.ErrWrongPassword) {
					t.Fatalf("disabled account, wrong password = %v, want ErrWrongPassword", err)
				}
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "192.0.2.1"); !errors.Is(err, member.ErrDisabled) {
					t.Fatalf("disabled account, right password = %v, want ErrDisabled", err)
				}
			})
			t.Run("throttle_account_after_5_failures_from_one_client_until_window_end", func(t *testing.T) {
				f := newFixture(t, e)
				f.create(t, "kim@fabrikam.example", true)
				for i := 1; i <= 5; i++ {
					if _, err := f.auth("kim@fabrikam.example", "wrong-password-"+string(rune('a'+i)), "192.0.2.1"); !errors.Is(err, member.ErrWrongPassword) {
						t.Fatalf("failure %d = %v", i, err)
					}
				}
				f.clock.Advance(time.Minute)
				var te *member.ThrottledError
				_, err := f.auth("kim@fabrikam.example", goodPassword, "192.0.2.1")
				if !errors.As(err, &te) || !te.RetryAt.Equal(f.clock.Now().Add(14*time.Minute)) {
					t.Fatalf("sixth attempt (right password, same client) = %v, want throttled for the window's remaining 14m", err)
				}
				// Finding 5: those failures refuse nobody else.
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "198.51.100.7"); err != nil {
					t.Fatalf("the right password from another client = %v, want signed in", err)
				}
				f.clock.Set(te.RetryAt)
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "192.0.2.1"); err != nil {
					t.Fatalf("at the window's end = %v, want signed in", err)
				}
			})
			t.Run("finding5_account_ceiling_spares_clean_clients_and_ends_with_window", func(t *testing.T) {
				l := member.DefaultLimits
				l.AccountCeiling = 6
				f := newFixture(t, e, l)
				f.create(t, "kim@fabrikam.example", true)
				// A guess at one account from three networks; the last one is
				// IPv6, where any address of one /64 is one network.
				for i := 0; i < 6; i++ {
					client := []string{"198.51.100.1", "198.51.100.2", "2001:db8:5:5::" + string(rune('1'+i))}[i%3]
					if _, err := f.auth("kim@fabrikam.example", "wrong-password-x", client); !errors.Is(err, member.ErrWrongPassword) {
						t.Fatalf("failure %d = %v", i, err)
					}
				}
				var te *member.ThrottledError
				for _, client := range []string{"198.51.100.1", "2001:db8:5:5::99"} {
					if _, err := f.auth("kim@fabrikam.example", goodPassword, client); !errors.As(err, &te) {
						t.Fatalf("from a guessing network (%s) past the account's ceiling = %v, want throttled", client, err)
					}
					if wait := te.RetryAt.Sub(f.clock.Now()); wait > l.Window {
						t.Fatalf("throttled for %s, longer than the window", wait)
					}
				}
				// A new network gets one guess, then waits.
				if _, err := f.auth("kim@fabrikam.example", "wrong-password-y", "203.0.113.66"); !errors.Is(err, member.ErrWrongPassword) {
					t.Fatalf("a new network's first guess = %v, want ErrWrongPassword", err)
				}
				if _, err := f.auth("kim@fabrikam.example", "wrong-password-z", "203.0.113.66"); !errors.As(err, &te) {
					t.Fatalf("a new network's second guess past the ceiling = %v, want throttled", err)
				}
				// The member, from a clean network, signs in.
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "192.0.2.50"); err != nil {
					t.Fatalf("the member from a clean address = %v, want signed in", err)
				}
				f.clock.Advance(l.Window)
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "198.51.100.1"); err != nil {
					t.Fatalf("after the window = %v, want signed in", err)
				}
			})
			t.Run("throttle_client_address_across_accounts", func(t *testing.T) {
				f := newFixture(t, e)
				f.create(t, "kim@fabrikam.example", true)
				for i := 0; i < member.DefaultLimits.AddressFailures; i++ {
					addr := "user" + string(rune('a'+i)) + "@fabrikam.example"
					if _, err := f.auth(addr, goodPassword, "203.0.113.9"); !errors.Is(err, member.ErrWrongPassword) {
						t.Fatalf("failure %d = %v", i, err)
					}
				}
				var te *member.ThrottledError
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "203.0.113.9"); !errors.As(err, &te) {
					t.Fatalf("after 20 failures from one client = %v, want throttled", err)
				}
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "192.0.2.1"); err != nil {
					t.Fatalf("the member from another client = %v, want signed in", err)
				}
			})
			t.Run("throttle_tenant_spray_spares_clean_clients_and_ends_with_window", func(t *testing.T) {
				l := member.DefaultLimits
				l.TenantFailures = 6
				f := newFixture(t, e, l)
				f.create(t, "kim@fabrikam.example", true)
				// A spray: one wrong password per account, from three addresses.
				for i := 0; i < 6; i++ {
					addr := "user" + string(rune('a'+i)) + "@fabrikam.example"
					client := "198.51.100." + string(rune('1'+i%3))
					if _, err := f.auth(addr, goodPassword, client); !errors.Is(err, member.ErrWrongPassword) {
						t.Fatalf("failure %d = %v", i, err)
					}
				}
				var te *member.ThrottledError
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "198.51.100.1"); !errors.As(err, &te) {
					t.Fatalf("from a spraying address after the tenant's limit = %v, want throttled", err)
				}
				if wait := te.RetryAt.Sub(f.clock.Now()); wait > l.Window {
					t.Fatalf("throttled for %s, longer than the window", wait)
				}
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "192.0.2.50"); err != nil {
					t.Fatalf("the member from a clean address = %v, want signed in", err)
				}
				f.clock.Set(te.RetryAt)
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "198.51.100.1"); err != nil {
					t.Fatalf("at the window's end = %v, want signed in", err)
				}
			})
			t.Run("success_clears_the_clients_failures_for_the_account", func(t *testing.T) {
				f := newFixture(t, e)
				f.create(t, "kim@fabrikam.example", true)
				for i := 0; i < 4; i++ {
					_, _ = f.auth("kim@fabrikam.example", "wrong-password-x", "192.0.2.1")
				}
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "192.0.2.1"); err != nil {
					t.Fatal(err)
				}
				pair, account, client := "pair:192.0.2.1|kim@fabrikam.example", "account:kim@fabrikam.example", "client:192.0.2.1"
				fs, _ := f.db.GetPasswordFailures(context.Background(), f.tenant.ID, []string{pair, account, client})
				if _, ok := fs[pair]; ok || fs[account].Count != 4 || fs[client].Count != 4 {
					t.Fatalf("failures after success = %+v; want the client's for the account cleared, the account's and the client's kept", fs)
				}
				for i := 0; i < 4; i++ {
					if _, err := f.auth("kim@fabrikam.example", "wrong-password-x", "192.0.2.1"); !errors.Is(err, member.ErrWrongPassword) {
						t.Fatalf("failure %d after the clear = %v, want ErrWrongPassword (not throttled)", i+1, err)
					}
				}
			})
			t.Run("set_account_enabled_audited", func(t *testing.T) {
				f := newFixture(t, e)
				u := f.create(t, "kim@fabrikam.example", true)
				if err := f.svc.SetAccountEnabled(context.Background(), f.tenant, u.ID, false, audit.CLI, roles.AsOperator()); err != nil {
					t.Fatal(err)
				}
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "192.0.2.1"); !errors.Is(err, member.ErrDisabled) {
					t.Fatalf("after disable = %v, want ErrDisabled", err)
				}
				rs := f.audits(t)
				if len(rs) != 2 || rs[0].Activity != "Update user" || len(rs[0].Targets[0].Modified) != 1 ||
					rs[0].Targets[0].Modified[0] != (audit.Change{Property: "AccountEnabled", Old: "true", New: "false"}) {
					t.Fatalf("audit records = %+v", rs)
				}
				if err := f.svc.SetAccountEnabled(context.Background(), f.tenant, u.ID, true, audit.CLI, roles.AsOperator()); err != nil {
					t.Fatal(err)
				}
				if _, err := f.auth("kim@fabrikam.example", goodPassword, "192.0.2.1"); err != nil {
					t.Fatalf("after enable = %v", err)
				}
				if err := f.svc.SetAccountEnabled(context.Background(), f.tenant, uuid.NewString(), false, audit.CLI, roles.AsOperator()); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("unknown user = %v, want ErrNotFound", err)
				}
			})
		})
	}
}
