package invitation_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/roles"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

type resetFixture struct {
	svc    *invitation.Service
	db     *sqlstore.DB
	clock  *clock.Fake
	tenant directory.Tenant
}

func newResetFixture(t *testing.T, e testenv.Engine) *resetFixture {
	t.Helper()
	ctx := context.Background()
	db := e.Open(t)
	c := clock.NewFake(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	tn, err := directory.CreateTenant(ctx, db, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}}, "guestgate.local", c.Now())
	if err != nil {
		t.Fatal(err)
	}
	svc := invitation.NewService(invitation.Config{PublicURL: "https://id.example"},
		invitation.Deps{Directory: db, Store: db, Outbox: db, Tx: db, Clock: c, Audit: db, Sessions: db, Roles: db})
	return &resetFixture{svc: svc, db: db, clock: c, tenant: tn}
}

// invited invites addr as userType and gives the user roleIDs, then
// redeems the invitation with passcodes.
func (f *resetFixture) invited(t *testing.T, addr string, userType directory.UserType, roleIDs ...string) directory.User {
	t.Helper()
	ctx := context.Background()
	res, err := f.svc.Invite(ctx, f.tenant, invitation.Request{Email: addr, RedirectURL: "https://app.example/", UserType: userType})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range roleIDs {
		if err := f.db.CreateRoleAssignment(ctx, roles.Assignment{TenantID: f.tenant.ID, ID: uuid.NewString(), PrincipalID: res.User.ID,
			RoleDefinitionID: r, DirectoryScopeID: "/", CreatedAt: f.clock.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.svc.Redeem(ctx, f.tenant.ID, res.User.ID, directory.IdPMail, "mail"); err != nil {
		t.Fatal(err)
	}
	u, err := f.db.GetUser(ctx, f.tenant.ID, res.User.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestR14ResetRedemptionOfAnAdmin (finding 1): the reviewer's attack. A
// User Administrator (console or delegated token) or an app with
// User.ReadWrite.All resets the redemption of an invited member holding
// Global Administrator to an address of the attacker's: refused, the
// account unchanged (same mail, still Accepted, no new invitation, no
// audit record). The same reset of a plain guest goes through; a Global
// Administrator, an app with RoleManagement.ReadWrite.Directory and the
// operator may reset an admin.
func TestR14ResetRedemptionOfAnAdmin(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newResetFixture(t, e)
			ctx := context.Background()
			ga := roles.GlobalAdministrator.TemplateID
			root := f.invited(t, "root@partner.example", directory.UserTypeMember, ga)
			audits, err := f.db.ListAudits(ctx, f.tenant.ID, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			attack := invitation.Request{Email: "attacker@evil.example", RedirectURL: "https://evil.example/"}
			for _, as := range []struct {
				name string
				a    roles.Authority
			}{
				{"user_administrator", roles.AsMember([]string{roles.UserAdministrator.TemplateID})},
				{"app_with_user_readwrite", roles.AsApp([]string{roles.UserReadWriteAll})},
				{"app_with_directory_readwrite", roles.AsApp([]string{roles.DirectoryReadWriteAll, roles.UserReadWriteAll})},
			} {
				if _, err := f.svc.ResetRedemption(ctx, f.tenant, root.ID, attack, audit.Actor{AppName: as.name}, as.a); !errors.Is(err, roles.ErrPrivilegedTarget) {
					t.Fatalf("%s resets a Global Administrator: %v, want ErrPrivilegedTarget", as.name, err)
				}
			}
			got, err := f.db.GetUser(ctx, f.tenant.ID, root.ID)
			if err != nil || got.Mail != root.Mail || got.ExternalUserState != directory.StateAccepted || got.IdP != directory.IdPMail {
				t.Fatalf("the Global Administrator after the refused resets: %+v, %v", got, err)
			}
			if _, err := f.db.GetUserByMail(ctx, f.tenant.ID, "attacker@evil.example"); err == nil {
				t.Fatal("the attacker's address finds a user")
			}
			if rs, _ := f.db.ListAudits(ctx, f.tenant.ID, 0, 0); len(rs) != len(audits) {
				t.Fatalf("%d audit records, want %d", len(rs), len(audits))
			}

			guest := f.invited(t, "teri@gmail.example", directory.UserTypeGuest)
			res, err := f.svc.ResetRedemption(ctx, f.tenant, guest.ID, invitation.Request{Email: "teri@outlook.example", RedirectURL: "https://app.example/"},
				audit.Actor{AppName: "ua"}, roles.AsMember([]string{roles.UserAdministrator.TemplateID}))
			if err != nil || res.User.Mail != "teri@outlook.example" || res.User.ExternalUserState != directory.StatePendingAcceptance {
				t.Fatalf("a User Administrator resets a guest: %+v, %v", res.User, err)
			}

			for i, as := range []roles.Authority{
				roles.AsMember([]string{ga}),
				roles.AsApp([]string{roles.UserReadWriteAll, roles.RoleManagementReadWrite}),
				roles.AsOperator(),
			} {
				other := f.invited(t, []string{"a", "b", "c"}[i]+"@partner.example", directory.UserTypeMember, ga)
				if _, err := f.svc.ResetRedemption(ctx, f.tenant, other.ID, invitation.Request{RedirectURL: "https://app.example/"}, audit.CLI, as); err != nil {
					t.Fatalf("authority %d resets a Global Administrator: %v", i, err)
				}
			}
		})
	}
}

// TestR7EarlierLinksStayGoodWhilePending (issue 22 item 7): re-inviting
// the same address leaves every link already
// mailed resolving while the invitation is pending; a reset to another
// address ends the links mailed to the old one. Redemption and deletion
// end links too (the redeem flow and the directory see to it).
func TestR7EarlierLinksStayGoodWhilePending(t *testing.T) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			f := newResetFixture(t, e)
			ctx := context.Background()
			ticket := func(res invitation.Result) string {
				t.Helper()
				_, q, ok := strings.Cut(res.RedeemURL, "?ticket=")
				v, err := url.QueryUnescape(q)
				if !ok || err != nil {
					t.Fatalf("redeem URL %q", res.RedeemURL)
				}
				return v
			}
			var links []string
			for range 3 {
				res, err := f.svc.Invite(ctx, f.tenant, invitation.Request{Email: "ana@partner.example", RedirectURL: "https://app.example/"})
				if err != nil {
					t.Fatal(err)
				}
				links = append(links, ticket(res))
				f.clock.Advance(time.Minute)
			}
			for i, l := range links {
				if _, err := f.svc.Resolve(ctx, l); err != nil {
					t.Fatalf("R7: link %d after re-invitations of the same address: %v, want it good", i, err)
				}
			}
			r, err := f.svc.Resolve(ctx, links[0])
			if err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.ResetRedemption(ctx, f.tenant, r.User.ID, invitation.Request{Email: "ana@elsewhere.example", RedirectURL: "https://app.example/"},
				audit.CLI, roles.AsOperator())
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range links {
				if _, err := f.svc.Resolve(ctx, l); !errors.Is(err, invitation.ErrUnknownTicket) {
					t.Fatalf("R7: link %d to the old address after a reset to another: %v, want ErrUnknownTicket", i, err)
				}
			}
			if _, err := f.svc.Resolve(ctx, ticket(res)); err != nil {
				t.Fatalf("the reset's own link: %v", err)
			}
		})
	}
}
