package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/policy"
)

const consolePassword = "tulip-Quarry-2026"

// consoleTenant is a tenant whose first member is a Global Administrator,
// with one member per role given (by name; "" for no role).
func consoleTenant(t *testing.T, in *instance, people map[string]string) (directory.Tenant, map[string]directory.User) {
	t.Helper()
	ctx := context.Background()
	tn, ga, err := in.srv.CreateTenantWithAdmin(ctx, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}},
		member.NewMember{UserPrincipalName: "admin@fabrikam.example", DisplayName: "Avery Admin", Password: consolePassword})
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]directory.User{"admin": ga}
	for name, role := range people {
		u, err := in.srv.CreateMember(ctx, tn, member.NewMember{UserPrincipalName: name + "@fabrikam.example", DisplayName: name, Password: consolePassword, AccountEnabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if role != "" {
			if _, err := in.srv.AssignRole(ctx, tn, u.ID, role); err != nil {
				t.Fatal(err)
			}
		}
		users[name] = u
	}
	return tn, users
}

// consoleSignIn signs a member in to the console with a password.
func consoleSignIn(t *testing.T, in *instance, tn directory.Tenant, who string) *browser {
	t.Helper()
	b := newBrowser(t)
	base := "/" + tn.ID + "/admin"
	p := b.get(in.URL + base + "/signin")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="password"`) || !strings.Contains(p.Body, `lang="en"`) {
		t.Fatalf("console sign-in page = %d\n%s", p.Status, p.Body)
	}
	done := b.submit(in.URL, p, base+"/signin", map[string]string{"email": who + "@fabrikam.example", "password": consolePassword})
	if done.Status != http.StatusSeeOther || done.Location != base+"/" {
		t.Fatalf("console sign-in as %s = %d → %q\n%s", who, done.Status, done.Location, done.Body)
	}
	return b
}

// consolePost fetches the page at path and posts its form to action.
func consolePost(t *testing.T, in *instance, b *browser, tn directory.Tenant, path, action string, fields map[string]string) page {
	t.Helper()
	base := "/" + tn.ID + "/admin"
	p := b.get(in.URL + base + path)
	if p.Status != http.StatusOK {
		t.Fatalf("GET %s = %d\n%s", path, p.Status, p.Body)
	}
	return b.submit(in.URL, p, base+action, fields)
}

// TestConsoleRoles (R10): a member without a role reads the pages that make
// sense and gets a 403 page on every change; a Guest Inviter invites and
// nothing else; an Authentication Policy Administrator changes the email
// OTP policy while a User Administrator cannot; a guest gets no console
// (neither with a guest session nor through the console's sign-in); a
// form without its CSRF token changes nothing; a denied domain is refused
// by the form with the API's message.
func TestConsoleRoles(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		in := start(t, startOptions{dsn: dsn})
		ctx := context.Background()
		tn, _ := consoleTenant(t, in, map[string]string{"plain": "", "gi": "Guest Inviter", "apa": "Authentication Policy Administrator", "ua": "User Administrator"})
		_, app := in.tenantWithAdminIn(tn, "Policy.ReadWrite.Authorization", "Policy.Read.All", "User.Read.All")
		if s := api(t, app, http.MethodPatch, in.URL+"/v1.0/policies/authorizationPolicy", map[string]any{"allowInvitesFrom": "adminsAndGuestInviters"}, nil); s != 204 {
			t.Fatalf("PATCH authorizationPolicy = %d", s)
		}
		base := "/" + tn.ID + "/admin"
		otpPost := func(b *browser, value string) page {
			return consolePost(t, in, b, tn, "/identity-providers/email-otp", "/identity-providers/email-otp", map[string]string{"value": value})
		}
		invite := func(b *browser, addr string) page {
			return consolePost(t, in, b, tn, "/invite", "/invite", map[string]string{"email": addr, "redirectUrl": "https://app.example/"})
		}
		forbidden := func(who, what string, p page) {
			t.Helper()
			if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "You don&#39;t have permission to do this") {
				t.Fatalf("%s %s = %d, want the 403 page\n%s", who, what, p.Status, p.Body)
			}
		}
		guestID := func(addr string) string {
			res, err := in.srv.Invite(ctx, tn, invitation.Request{Email: addr, RedirectURL: "https://app.example/"})
			if err != nil {
				t.Fatal(err)
			}
			return res.User.ID
		}
		target := guestID("target@partner.example")

		t.Run("R10_no_role_reads_and_is_refused_every_change", func(t *testing.T) {
			b := consoleSignIn(t, in, tn, "plain")
			for _, path := range []string{"/", "/users", "/users/" + target, "/invite", "/identity-providers", "/identity-providers/email-otp", "/collaboration"} {
				if p := b.get(in.URL + base + path); p.Status != http.StatusOK {
					t.Fatalf("GET %s = %d\n%s", path, p.Status, p.Body)
				}
			}
			if p := b.get(in.URL + base + "/logs/signins"); p.Status != http.StatusForbidden {
				t.Fatalf("logs without a reader role = %d", p.Status)
			}
			forbidden("no role", "passcode policy", otpPost(b, "disabled"))
			forbidden("no role", "invite", invite(b, "kim@partner.example"))
			forbidden("no role", "collaboration", consolePost(t, in, b, tn, "/collaboration", "/collaboration", map[string]string{"allowInvitesFrom": "everyone"}))
			forbidden("no role", "disable", consolePost(t, in, b, tn, "/users/"+target, "/users/"+target+"/disable", nil))
			forbidden("no role", "reset", consolePost(t, in, b, tn, "/users/"+target+"/reset", "/users/"+target+"/reset", nil))
		})

		t.Run("R10_guest_inviter_invites_and_nothing_else", func(t *testing.T) {
			b := consoleSignIn(t, in, tn, "gi")
			if p := invite(b, "kim@partner.example"); p.Status != http.StatusOK || !strings.Contains(p.Body, "kim@partner.example was invited.") {
				t.Fatalf("Guest Inviter invite = %d\n%s", p.Status, p.Body)
			}
			forbidden("Guest Inviter", "passcode policy", otpPost(b, "disabled"))
			forbidden("Guest Inviter", "disable", consolePost(t, in, b, tn, "/users/"+target, "/users/"+target+"/disable", nil))
			forbidden("Guest Inviter", "revoke", consolePost(t, in, b, tn, "/users/"+target, "/users/"+target+"/revoke", nil))
			forbidden("Guest Inviter", "collaboration", consolePost(t, in, b, tn, "/collaboration", "/collaboration", map[string]string{"allowInvitesFrom": "everyone"}))
		})

		t.Run("R10_policy_administrator_changes_the_policy_user_administrator_cannot", func(t *testing.T) {
			ua := consoleSignIn(t, in, tn, "ua")
			forbidden("User Administrator", "passcode policy", otpPost(ua, "disabled"))
			if p := consolePost(t, in, ua, tn, "/users/"+target, "/users/"+target+"/revoke", nil); p.Status != http.StatusSeeOther {
				t.Fatalf("User Administrator revoke = %d\n%s", p.Status, p.Body)
			}
			apa := consoleSignIn(t, in, tn, "apa")
			confirm := otpPost(apa, "disabled")
			if confirm.Status != http.StatusOK || !strings.Contains(confirm.Body, "guests redeemed their invitation with a one-time passcode") {
				t.Fatalf("confirmation = %d\n%s", confirm.Status, confirm.Body)
			}
			if p := apa.submit(in.URL, confirm, base+"/identity-providers/email-otp/save", nil); p.Status != http.StatusSeeOther {
				t.Fatalf("save = %d\n%s", p.Status, p.Body)
			}
			var cfg map[string]any
			api(t, app, http.MethodGet, in.URL+"/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email", nil, &cfg)
			if cfg["allowExternalIdToUseEmailOtp"] != string(policy.AllowDisabled) {
				t.Fatalf("after the Authentication Policy Administrator's save: %v", cfg)
			}
			// Passcodes back on for the guest below.
			if _, err := in.srv.SetEmailPolicy(ctx, tn, policy.AllowEnabled); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("R10_guest_gets_no_console", func(t *testing.T) {
			rp := newRelyingParty(t, in, tn)
			f := rp.begin()
			b := newBrowser(t)
			rp.finish(f, rp.signIn(b, f, "target@partner.example"))
			if p := b.get(in.URL + base + "/"); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "Guests can&#39;t use the admin console") {
				t.Fatalf("guest with a session at the console = %d\n%s", p.Status, p.Body)
			}
			b2 := newBrowser(t)
			p := b2.get(in.URL + base + "/signin")
			if s := b2.submit(in.URL, p, base+"/signin", map[string]string{"email": "target@partner.example", "password": consolePassword}); s.Status != http.StatusUnauthorized {
				t.Fatalf("guest through the console sign-in = %d\n%s", s.Status, s.Body)
			}
		})

		t.Run("csrf_required", func(t *testing.T) {
			b := consoleSignIn(t, in, tn, "admin")
			form := formValues(t, b.get(in.URL+base+"/users/"+target).Body, base+"/users/"+target+"/disable")
			form.Set("csrf", "forged")
			req, _ := http.NewRequest(http.MethodPost, in.URL+base+"/users/"+target+"/disable", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if p := b.do(req); p.Status != http.StatusForbidden {
				t.Fatalf("forged CSRF token = %d", p.Status)
			}
			u, err := in.srv.GetUser(ctx, tn, target)
			if err != nil || !u.AccountEnabled {
				t.Fatalf("a forged form disabled the user: %v %v", u.AccountEnabled, err)
			}
		})

		t.Run("denied_domain_same_message_as_api", func(t *testing.T) {
			if s := api(t, app, http.MethodPatch, in.URL+"/v1.0/policies/b2bManagementPolicy",
				map[string]any{"invitationsAllowedAndBlockedDomainsPolicy": map[string]any{"blockedDomains": []string{"denied.example"}}}, nil); s != 204 {
				t.Fatalf("PATCH b2bManagementPolicy = %d", s)
			}
			want := deniedDomainMessage("denied.example")
			_, inviter := in.tenantWithAdminIn(tn, "User.Invite.All")
			var e struct{ Error struct{ Message string } }
			if s := api(t, inviter, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{"invitedUserEmailAddress": "lee@denied.example", "inviteRedirectUrl": "https://app.example/"}, &e); s != 400 || e.Error.Message != want {
				t.Fatalf("API = %d %q", s, e.Error.Message)
			}
			p := invite(consoleSignIn(t, in, tn, "admin"), "lee@denied.example")
			if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, strings.ReplaceAll(want, "'", "&#39;")) {
				t.Fatalf("form = %d, want %q\n%s", p.Status, want, p.Body)
			}
		})
	})
}
