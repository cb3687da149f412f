package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/policy"
)

// TestConsoleRoles (R10): a member without a role reads the pages that make
// sense and gets a 403 page on every change; a Guest Inviter invites and
// nothing else; an Authentication Policy Administrator changes the email
// OTP policy while a User Administrator cannot; a guest gets no console
// (neither with a guest session nor through the console's sign-in); a
// form without its CSRF token changes nothing; a denied domain is refused
// by the form with the API's message.
func TestConsoleRoles(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		ctx := context.Background()
		tn, _ := e2etest.ConsoleTenant(t, in, map[string]string{"plain": "", "gi": "Guest Inviter", "apa": "Authentication Policy Administrator", "ua": "User Administrator"})
		_, app := in.TenantWithAdminIn(tn, "Policy.ReadWrite.Authorization", "Policy.Read.All", "User.Read.All")
		if s := e2etest.API(t, app, http.MethodPatch, in.URL+"/v1.0/policies/authorizationPolicy", map[string]any{"allowInvitesFrom": "adminsAndGuestInviters"}, nil); s != 204 {
			t.Fatalf("PATCH authorizationPolicy = %d", s)
		}
		base := "/" + tn.ID + "/admin"
		otpPost := func(b *e2etest.Browser, value string) e2etest.Page {
			return e2etest.ConsolePost(t, in, b, tn, "/identity-providers/email-otp", "/identity-providers/email-otp", map[string]string{"value": value})
		}
		invite := func(b *e2etest.Browser, addr string) e2etest.Page {
			return e2etest.ConsolePost(t, in, b, tn, "/invite", "/invite", map[string]string{"email": addr, "redirectUrl": "https://app.example/"})
		}
		forbidden := func(who, what string, p e2etest.Page) {
			t.Helper()
			if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "You don&#39;t have permission to do this") {
				t.Fatalf("%s %s = %d, want the 403 page\n%s", who, what, p.Status, p.Body)
			}
		}
		guestID := func(addr string) string {
			res, err := in.Srv.Invite(ctx, tn, invitation.Request{Email: addr, RedirectURL: "https://app.example/"})
			if err != nil {
				t.Fatal(err)
			}
			return res.User.ID
		}
		target := guestID("target@partner.example")

		t.Run("R10_no_role_reads_and_is_refused_every_change", func(t *testing.T) {
			b := e2etest.ConsoleSignIn(t, in, tn, "plain")
			for _, path := range []string{"/", "/users", "/users/" + target, "/invite", "/identity-providers", "/identity-providers/email-otp", "/collaboration"} {
				if p := b.Get(in.URL + base + path); p.Status != http.StatusOK {
					t.Fatalf("GET %s = %d\n%s", path, p.Status, p.Body)
				}
			}
			if p := b.Get(in.URL + base + "/logs/signins"); p.Status != http.StatusForbidden {
				t.Fatalf("logs without a reader role = %d", p.Status)
			}
			forbidden("no role", "passcode policy", otpPost(b, "disabled"))
			forbidden("no role", "invite", invite(b, "kim@partner.example"))
			forbidden("no role", "collaboration", e2etest.ConsolePost(t, in, b, tn, "/collaboration", "/collaboration", map[string]string{"allowInvitesFrom": "everyone"}))
			forbidden("no role", "disable", e2etest.ConsolePost(t, in, b, tn, "/users/"+target, "/users/"+target+"/disable", nil))
			forbidden("no role", "reset", e2etest.ConsolePost(t, in, b, tn, "/users/"+target+"/reset", "/users/"+target+"/reset", nil))
		})

		t.Run("R10_guest_inviter_invites_and_nothing_else", func(t *testing.T) {
			b := e2etest.ConsoleSignIn(t, in, tn, "gi")
			if p := invite(b, "kim@partner.example"); p.Status != http.StatusOK || !strings.Contains(p.Body, "kim@partner.example was invited.") {
				t.Fatalf("Guest Inviter invite = %d\n%s", p.Status, p.Body)
			}
			forbidden("Guest Inviter", "passcode policy", otpPost(b, "disabled"))
			forbidden("Guest Inviter", "disable", e2etest.ConsolePost(t, in, b, tn, "/users/"+target, "/users/"+target+"/disable", nil))
			forbidden("Guest Inviter", "revoke", e2etest.ConsolePost(t, in, b, tn, "/users/"+target, "/users/"+target+"/revoke", nil))
			forbidden("Guest Inviter", "collaboration", e2etest.ConsolePost(t, in, b, tn, "/collaboration", "/collaboration", map[string]string{"allowInvitesFrom": "everyone"}))
		})

		t.Run("R10_policy_administrator_changes_the_policy_user_administrator_cannot", func(t *testing.T) {
			ua := e2etest.ConsoleSignIn(t, in, tn, "ua")
			forbidden("User Administrator", "passcode policy", otpPost(ua, "disabled"))
			if p := e2etest.ConsolePost(t, in, ua, tn, "/users/"+target, "/users/"+target+"/revoke", nil); p.Status != http.StatusSeeOther {
				t.Fatalf("User Administrator revoke = %d\n%s", p.Status, p.Body)
			}
			apa := e2etest.ConsoleSignIn(t, in, tn, "apa")
			confirm := otpPost(apa, "disabled")
			if confirm.Status != http.StatusOK || !strings.Contains(confirm.Body, "guests redeemed their invitation with a one-time passcode") {
				t.Fatalf("confirmation = %d\n%s", confirm.Status, confirm.Body)
			}
			if p := apa.Submit(in.URL, confirm, base+"/identity-providers/email-otp/save", nil); p.Status != http.StatusSeeOther {
				t.Fatalf("save = %d\n%s", p.Status, p.Body)
			}
			var cfg map[string]any
			e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email", nil, &cfg)
			if cfg["allowExternalIdToUseEmailOtp"] != string(policy.AllowDisabled) {
				t.Fatalf("after the Authentication Policy Administrator's save: %v", cfg)
			}
			// Passcodes back on for the guest below.
			if _, err := in.Srv.SetEmailPolicy(ctx, tn, policy.AllowEnabled); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("R10_guest_gets_no_console", func(t *testing.T) {
			rp := e2etest.NewRelyingParty(t, in, tn)
			f := rp.Begin()
			b := e2etest.NewBrowser(t)
			rp.Finish(f, rp.SignIn(b, f, "target@partner.example"))
			if p := b.Get(in.URL + base + "/"); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "Guests can&#39;t use the admin console") {
				t.Fatalf("guest with a session at the console = %d\n%s", p.Status, p.Body)
			}
			b2 := e2etest.NewBrowser(t)
			p := b2.Get(in.URL + base + "/signin")
			if s := b2.Submit(in.URL, p, base+"/signin", map[string]string{"email": "target@partner.example", "password": e2etest.ConsolePassword}); s.Status != http.StatusUnauthorized {
				t.Fatalf("guest through the console sign-in = %d\n%s", s.Status, s.Body)
			}
		})

		t.Run("csrf_required", func(t *testing.T) {
			b := e2etest.ConsoleSignIn(t, in, tn, "admin")
			form := e2etest.FormValues(t, b.Get(in.URL+base+"/users/"+target).Body, base+"/users/"+target+"/disable")
			form.Set("csrf", "forged")
			req, _ := http.NewRequest(http.MethodPost, in.URL+base+"/users/"+target+"/disable", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if p := b.Do(req); p.Status != http.StatusForbidden {
				t.Fatalf("forged CSRF token = %d", p.Status)
			}
			u, err := in.Srv.GetUser(ctx, tn, target)
			if err != nil || !u.AccountEnabled {
				t.Fatalf("a forged form disabled the user: %v %v", u.AccountEnabled, err)
			}
		})

		t.Run("denied_domain_same_message_as_api", func(t *testing.T) {
			if s := e2etest.API(t, app, http.MethodPatch, in.URL+"/v1.0/policies/b2bManagementPolicy",
				map[string]any{"invitationsAllowedAndBlockedDomainsPolicy": map[string]any{"blockedDomains": []string{"denied.example"}}}, nil); s != 204 {
				t.Fatalf("PATCH b2bManagementPolicy = %d", s)
			}
			want := deniedDomainMessage("denied.example")
			_, inviter := in.TenantWithAdminIn(tn, "User.Invite.All")
			var e struct{ Error struct{ Message string } }
			if s := e2etest.API(t, inviter, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": "lee@denied.example", "inviteRedirectUrl": "https://app.example/"}, &e); s != 400 || e.Error.Message != want {
				t.Fatalf("API = %d %q", s, e.Error.Message)
			}
			p := invite(e2etest.ConsoleSignIn(t, in, tn, "admin"), "lee@denied.example")
			if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, strings.ReplaceAll(want, "'", "&#39;")) {
				t.Fatalf("form = %d, want %q\n%s", p.Status, want, p.Body)
			}
		})
	})
}
