package e2e

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/server"
)

// signUpRedeem runs an app's sign-in for a person the decision leads to
// create an account: the address, the sign-up pages (wantHeading names
// the account offered), the way back, Review permissions; it returns the
// ID token's claims.
func signUpRedeem(t *testing.T, in *e2etest.Instance, rp *e2etest.RelyingParty, addr, wantHeading string) map[string]any {
	t.Helper()
	b := e2etest.NewBrowser(t)
	f := rp.Begin()
	login := b.Follow(in, b.Get(f.URL))
	next := b.Submit(in.URL, login, "/"+rp.Tenant.ID+"/login/next", map[string]string{"email": addr})
	back := b.Get(in.URL + in.SignUpSteps(b, next, addr, wantHeading).Location)
	idt, _ := rp.Finish(f, b.Follow(in, in.ConsentStep(b, back, rp.Tenant)))
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// issuerOf is a tenant's issuer at in.
func issuerOf(in *e2etest.Instance, tenantID string) string { return in.URL + "/" + tenantID + "/v2.0" }

// TestNoAccountLedToCreateOne is issue 13, done when (2): passcodes
// disabled, fallback defaultConfiguredIdp, a person with no account is led
// to create one and redeems with it: an account in a new unmanaged tenant
// of their domain with --unmanaged-redemption=seed (section 5, row 3, OTP
// disabled), a personal account with retired.
func TestNoAccountLedToCreateOne(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		for _, setting := range []string{server.UnmanagedSeed, server.UnmanagedRetired} {
			t.Run(setting, func(t *testing.T) {
				in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Configure: func(c *server.Config) { c.UnmanagedRedemption = setting }})
				fab, admin := policyTenant(t, in, directory.NewTenantRequest{Name: "Fabrikam"}, policyAdminPerms...)
				setPolicy(t, in, admin, "disabled")
				// One database per engine: each setting has its own domain.
				addr, domain, heading := "lee@northwind.example", "northwind.example", "Create an account for northwind.example"
				if setting == server.UnmanagedRetired {
					addr, domain, heading = "rio@fourthcoffee.example", "fourthcoffee.example", "Create a personal account"
				}
				id, _ := e2etest.InviteNoMail(t, in, admin, addr)
				rp := e2etest.NewRelyingParty(t, in, fab)
				claims := signUpRedeem(t, in, rp, addr, heading)
				um, err := in.Srv.ResolveTenant(context.Background(), domain)
				switch setting {
				case server.UnmanagedSeed:
					if err != nil || um.Managed || claims["idp"] != issuerOf(in, um.ID) || usersWithMail(t, in, um, addr) != 1 {
						t.Fatalf("S5_row3_otp_disabled_seed_creates_unmanaged_account: tenant %+v, %v; claims %v", um, err, claims)
					}
				default:
					if err == nil || claims["idp"] != issuerOf(in, directory.ConsumersTenantID) {
						t.Fatalf("S5_row3_otp_disabled_retired_creates_personal_account: unmanaged tenant %+v, %v; claims %v", um, err, claims)
					}
				}
				if claims["oid"] != id || e2etest.GetUser(t, in, admin, id)["externalUserState"] != "Accepted" {
					t.Fatalf("the guest after redemption: claims %v", claims)
				}
				if n := codesTo(in, addr); n != 1 {
					t.Fatalf("%d code mails to %s, want 1 (the sign-up's)", n, addr)
				}
			})
		}
	})
}

// TestRolloutTableWalked is issue 13, done when (3): the three rows of
// section 5, each walked with passcodes enabled and disabled
// (--unmanaged-redemption=seed), and the failing case of a US Government
// tenant, where unmanaged redemption is never offered (R11).
func TestRolloutTableWalked(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		ctx := context.Background()
		const lee = "lee@northwind.example"
		// A: passcodes off. Lee has nothing: row 3, disabled, creates an
		// unmanaged account and redeems with it.
		tnA, adminA := policyTenant(t, in, directory.NewTenantRequest{Name: "Adatum"}, policyAdminPerms...)
		setPolicy(t, in, adminA, "disabled")
		leeA, _ := e2etest.InviteNoMail(t, in, adminA, lee)
		rpA := e2etest.NewRelyingParty(t, in, tnA)
		claims := signUpRedeem(t, in, rpA, lee, "Create an account for northwind.example")
		um, err := in.Srv.ResolveTenant(ctx, "northwind.example")
		if err != nil || um.Managed || claims["idp"] != issuerOf(in, um.ID) {
			t.Fatalf("S5_row3_no_unmanaged_account_otp_disabled: %+v, %v, claims %v", um, err, claims)
		}

		// B: passcodes on. Lee has an unmanaged account, not from
		// redeeming in B: row 1, enabled: a passcode.
		tnB, adminB := policyTenant(t, in, directory.NewTenantRequest{Name: "Bellows"}, policyAdminPerms...)
		setPolicy(t, in, adminB, "enabled")
		e2etest.InviteNoMail(t, in, adminB, lee)
		rpB := e2etest.NewRelyingParty(t, in, tnB)
		f := rpB.Begin()
		idt, _ := rpB.Finish(f, rpB.SignIn(e2etest.NewBrowser(t), f, lee))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != "mail" {
			t.Fatalf("S5_row1_unmanaged_account_otp_enabled_redeems_with_otp: %v, %v", claims, err)
		}

		// C: passcodes off. Row 1, disabled: Lee keeps signing in with the
		// unmanaged account.
		tnC, adminC := policyTenant(t, in, directory.NewTenantRequest{Name: "Coho"}, policyAdminPerms...)
		setPolicy(t, in, adminC, "disabled")
		leeC, _ := e2etest.InviteNoMail(t, in, adminC, lee)
		rpC := e2etest.NewRelyingParty(t, in, tnC)
		f = rpC.Begin()
		idt, _ = rpC.Finish(f, rpC.SignInAtHome(e2etest.NewBrowser(t), f, lee, um, e2etest.PersonalPassword))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != issuerOf(in, um.ID) {
			t.Fatalf("S5_row1_unmanaged_account_otp_disabled_keeps_it: %v, %v", claims, err)
		}

		// A, passcodes still off: row 2, disabled: redeemed with the
		// unmanaged account, Lee keeps it, even after a reset and a new
		// invitation.
		f = rpA.Begin()
		rpA.Finish(f, rpA.SignInAtHome(e2etest.NewBrowser(t), f, lee, um, e2etest.PersonalPassword))
		if s := e2etest.API(t, adminA, http.MethodPost, in.URL+"/v1.0/invitations", e2etest.ResetBody(leeA, lee, false), nil); s != http.StatusCreated {
			t.Fatalf("reset = %d", s)
		}
		consents := rpA.Consents
		f = rpA.Begin()
		idt, _ = rpA.Finish(f, rpA.SignInAtHome(e2etest.NewBrowser(t), f, lee, um, e2etest.PersonalPassword))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != issuerOf(in, um.ID) || rpA.Consents != consents+1 {
			t.Fatalf("S5_row2_otp_disabled_keeps_unmanaged_after_reset: %v, %v (consents %d → %d)", claims, err, consents, rpA.Consents)
		}

		// C, passcodes turned on: row 2, enabled: Lee keeps the unmanaged
		// account; after a reset, redeems with a passcode.
		setPolicy(t, in, adminC, "enabled")
		f = rpC.Begin()
		idt, _ = rpC.Finish(f, rpC.SignInAtHome(e2etest.NewBrowser(t), f, lee, um, e2etest.PersonalPassword))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != issuerOf(in, um.ID) {
			t.Fatalf("S5_row2_otp_enabled_keeps_unmanaged: %v, %v", claims, err)
		}
		if s := e2etest.API(t, adminC, http.MethodPost, in.URL+"/v1.0/invitations", e2etest.ResetBody(leeC, lee, false), nil); s != http.StatusCreated {
			t.Fatalf("reset = %d", s)
		}
		f = rpC.Begin()
		idt, _ = rpC.Finish(f, rpC.SignIn(e2etest.NewBrowser(t), f, lee))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != "mail" {
			t.Fatalf("S5_row2_otp_enabled_after_reset_redeems_with_otp: %v, %v", claims, err)
		}

		// B: row 3, enabled: someone with nothing redeems with a passcode.
		e2etest.InviteNoMail(t, in, adminB, "max@northwind.example")
		f = rpB.Begin()
		idt, _ = rpB.Finish(f, rpB.SignIn(e2etest.NewBrowser(t), f, "max@northwind.example"))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != "mail" {
			t.Fatalf("S5_row3_no_unmanaged_account_otp_enabled: %v, %v", claims, err)
		}
		if n := usersWithMail(t, in, um, "max@northwind.example"); n != 0 {
			t.Fatalf("a passcode redemption created %d unmanaged accounts", n)
		}

		// A US Government tenant (passcodes off by default there) never
		// offers unmanaged redemption, not even to Lee, who has an account.
		gov, adminGov := policyTenant(t, in, directory.NewTenantRequest{Name: "Gov", Cloud: directory.CloudUSGov}, policyAdminPerms...)
		e2etest.InviteNoMail(t, in, adminGov, lee)
		e2etest.InviteNoMail(t, in, adminGov, "ned@nowhere.example")
		for _, addr := range []string{lee, "ned@nowhere.example"} {
			p := signInAs(in, e2etest.NewBrowser(t), gov, addr)
			if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "doesn&#39;t offer a sign-in method") || strings.Contains(p.Body, "signup") {
				t.Fatalf("R11_usgov_never_offers_unmanaged_redemption (%s): %d → %q\n%s", addr, p.Status, p.Location, p.Body)
			}
		}

		// Northwind's admin creates a managed tenant verifying
		// northwind.example: it takes the unmanaged tenant over (same id,
		// same accounts, now managed). Lee keeps signing in at A (R7); a
		// new invitation finds Lee as a home-tenant member (section 3, step 1).
		nw, err := in.Srv.CreateTenant(ctx, directory.NewTenantRequest{Name: "Northwind", Domains: []string{"northwind.example", "northwind.test"}})
		if err != nil || nw.ID != um.ID || !nw.Managed || nw.DisplayName != "Northwind" || !slices.Contains(nw.Domains, "northwind.test") {
			t.Fatalf("takeover_of_unmanaged_tenant: %+v, %v", nw, err)
		}
		if n := usersWithMail(t, in, nw, lee); n != 1 {
			t.Fatalf("takeover_of_unmanaged_tenant: %d accounts for Lee, want 1", n)
		}
		fake.Advance(time.Minute) // the pages' tenant cache lives seconds
		f = rpA.Begin()
		idt, _ = rpA.Finish(f, rpA.SignInAtHome(e2etest.NewBrowser(t), f, lee, nw, e2etest.PersonalPassword))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != issuerOf(in, nw.ID) {
			t.Fatalf("takeover_redeemed_guest_keeps_account: %v, %v", claims, err)
		}
		tnD, adminD := policyTenant(t, in, directory.NewTenantRequest{Name: "Dunn"}, policyAdminPerms...)
		e2etest.InviteNoMail(t, in, adminD, lee)
		rpD := e2etest.NewRelyingParty(t, in, tnD)
		f = rpD.Begin()
		idt, _ = rpD.Finish(f, rpD.SignInAtHome(e2etest.NewBrowser(t), f, lee, nw, e2etest.PersonalPassword))
		if err := idt.Claims(&claims); err != nil || claims["idp"] != issuerOf(in, nw.ID) {
			t.Fatalf("takeover_new_redemption_is_home_tenant: %v, %v", claims, err)
		}
		if u := e2etest.GetUser(t, in, adminD, claims["oid"].(string)); !strings.Contains(e2etest.JSONText(t, u["identities"]), `"issuer":"northwind.example"`) {
			t.Fatalf("takeover_new_redemption_is_home_tenant: %v", u)
		}
		if _, err := in.Srv.CreateTenant(ctx, directory.NewTenantRequest{Name: "Other", Domains: []string{"northwind.example"}}); err == nil {
			t.Fatal("a managed tenant's domain was taken over")
		}

	})
}
