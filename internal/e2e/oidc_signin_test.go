package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
)

// TestAppSignsGuestInWithOIDC: an invited guest opens an app directly
// (before redeeming), signs in with a passcode and is redeemed just in time
// (R2); the app verifies the ID token with go-oidc and reads userinfo.
func TestAppSignsGuestInWithOIDC(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "User.Read.All")
		res, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "teri@gmail.example", DisplayName: "Teri", RedirectURL: "https://rp.fabrikam.example/"})
		if err != nil {
			t.Fatal(err)
		}
		rp := e2etest.NewRelyingParty(t, in, tn)
		f := rp.Begin()
		idt, tok := rp.Finish(f, rp.SignIn(e2etest.NewBrowser(t), f, "teri@gmail.example"))

		var c struct {
			TID, OID, Email, Name, IdP, PreferredUsername string
			EmailVerified                                 bool     `json:"email_verified"`
			AMR                                           []string `json:"amr"`
			AuthTime                                      int64    `json:"auth_time"`
		}
		if err := idt.Claims(&c); err != nil {
			t.Fatal(err)
		}
		var raw map[string]any
		_ = idt.Claims(&raw)
		c.PreferredUsername, _ = raw["preferred_username"].(string)
		if c.TID != tn.ID || c.OID != res.User.ID || c.Email != "teri@gmail.example" || !c.EmailVerified ||
			raw["idp"] != "mail" || len(c.AMR) != 1 || c.AMR[0] != "otp" || c.AuthTime == 0 || c.PreferredUsername != "teri@gmail.example" {
			t.Fatalf("ID token claims: %v", raw)
		}
		if idt.Issuer != in.URL+"/"+tn.ID+"/v2.0" || idt.Subject == res.User.ID {
			t.Fatalf("iss %q, sub %q: want the tenant issuer and a pairwise subject", idt.Issuer, idt.Subject)
		}
		if strings.Count(tok.AccessToken, ".") == 2 {
			t.Fatalf("a user's access token is opaque (good only for userinfo), got a JWT")
		}
		ui, err := rp.Provider.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
		if err != nil || ui.Email != "teri@gmail.example" || ui.Subject != idt.Subject {
			t.Fatalf("userinfo = %+v, %v", ui, err)
		}
		var user map[string]any
		e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users/"+res.User.ID+"?$select=externalUserState", nil, &user)
		if user["externalUserState"] != "Accepted" {
			t.Fatalf("a guest who signed in through an app is redeemed just in time; state = %v", user["externalUserState"])
		}
	})
}

// TestSessionLastsTwentyFourHours (R4): at 24 h − 1 s the app signs in
// silently; at 24 h + 1 s a new passcode is asked for. prompt=login always asks.
func TestSessionLastsTwentyFourHours(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example")
		if _, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://x.example"}); err != nil {
			t.Fatal(err)
		}
		rp := e2etest.NewRelyingParty(t, in, tn)
		b := e2etest.NewBrowser(t)
		f := rp.Begin()
		rp.Finish(f, rp.SignIn(b, f, "teri@gmail.example"))

		fake.Advance(24*time.Hour - time.Second)
		f = rp.Begin()
		idt, _ := rp.Finish(f, b.Follow(in, b.Get(f.URL)))
		if idt.Subject == "" {
			t.Fatal("silent sign-in at 24 h − 1 s gave no subject")
		}

		f = rp.Begin(oauth2.SetAuthURLParam("prompt", "login"))
		if p := b.Follow(in, b.Get(f.URL)); !strings.Contains(p.Body, `id="email"`) {
			t.Fatalf("prompt=login must ask for a new passcode:\n%s", p.Body)
		}

		fake.Advance(2 * time.Second)
		f = rp.Begin()
		if p := b.Follow(in, b.Get(f.URL)); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="email"`) {
			t.Fatalf("at 24 h + 1 s the session has expired and a passcode is asked for: %d %q\n%s", p.Status, p.Location, p.Body)
		}
	})
}

// TestSignOutEndsSession: signing out on My Apps ends the session.
func TestSignOutEndsSession(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example")
		if _, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://x.example"}); err != nil {
			t.Fatal(err)
		}
		rp := e2etest.NewRelyingParty(t, in, tn)
		b := e2etest.NewBrowser(t)
		f := rp.Begin()
		rp.Finish(f, rp.SignIn(b, f, "teri@gmail.example"))
		apps := b.Get(in.URL + "/" + tn.ID + "/")
		if apps.Status != http.StatusOK || !strings.Contains(apps.Body, "Signed in as teri@gmail.example") || !strings.Contains(apps.Body, `<a href="https://rp.fabrikam.example/">Wiki</a>`) {
			t.Fatalf("My Apps = %d\n%s", apps.Status, apps.Body)
		}
		out := b.Submit(in.URL, apps, "/"+tn.ID+"/signout", nil)
		if !strings.Contains(out.Body, "signed out") {
			t.Fatalf("sign-out page:\n%s", out.Body)
		}
		if p := b.Get(in.URL + "/" + tn.ID + "/"); p.Status != http.StatusSeeOther || !strings.HasSuffix(p.Location, "/login") {
			t.Fatalf("after sign-out My Apps = %d → %q, want the sign-in page", p.Status, p.Location)
		}
	})
}

// TestLogoutWithoutHintAsksFirst (security review item 10): a cross-site
// GET of the logout endpoint without id_token_hint does not end the
// session; the tenant's page asks, and after Sign out offers the way back
// only to a registered post-logout URI.
func TestLogoutWithoutHintAsksFirst(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example")
		if _, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://x.example"}); err != nil {
			t.Fatal(err)
		}
		rp := e2etest.NewRelyingParty(t, in, tn)
		b := e2etest.NewBrowser(t)
		f := rp.Begin()
		rp.Finish(f, rp.SignIn(b, f, "teri@gmail.example"))
		tid := "/" + tn.ID

		// The attacker's page makes the browser GET the logout URL.
		back := "https://rp.fabrikam.example/"
		logout := b.Get(in.URL + tid + "/oauth2/v2.0/logout?" + url.Values{"client_id": {rp.OAuth.ClientID}, "post_logout_redirect_uri": {back}}.Encode())
		confirm := b.Follow(in, logout)
		if confirm.Status != http.StatusOK || !strings.Contains(confirm.Body, `id="confirm-signout"`) {
			t.Fatalf("logout without id_token_hint: %d\n%s", confirm.Status, confirm.Body)
		}
		if p := b.Get(in.URL + tid + "/"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Signed in as teri@gmail.example") {
			t.Fatalf("the session must survive an unconfirmed logout: My Apps = %d → %q", p.Status, p.Location)
		}
		out := b.Submit(in.URL, confirm, tid+"/signout", nil)
		if !strings.Contains(out.Body, "You signed out") || !strings.Contains(out.Body, `<a href="`+back+`" id="action-link">`) {
			t.Fatalf("after Sign out, want the signed-out page with the way back:\n%s", out.Body)
		}
		if p := b.Get(in.URL + tid + "/"); p.Status != http.StatusSeeOther {
			t.Fatalf("after Sign out My Apps = %d, want the sign-in page", p.Status)
		}
		// A forged confirmation link never links anywhere unregistered.
		forged := b.Get(in.URL + tid + "/signout?post_logout_redirect_uri=" + url.QueryEscape("https://evil.example/"))
		if strings.Contains(forged.Body, "evil.example") {
			t.Fatalf("the confirmation page carries an unregistered URI:\n%s", forged.Body)
		}
	})
}
