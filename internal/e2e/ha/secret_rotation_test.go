package ha

import (
	"context"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/server"
)

// TestSecretRotation: guestgate restarts with a new secret first and the
// old one second in GUESTGATE_SECRET. A guest who was sent a passcode
// before the restart types it after: the form's CSRF token, the sealed
// sign-in state and the passcode's keyed hash, all made under the old
// secret, are accepted. The app sees the same subject, verifies the new
// ID token against the same signing key, and its access token from before
// still reads userinfo.
func TestSecretRotation(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		const oldSecret = "e2e-secret-0123456789abcdef0123456789"
		const newSecret = "e2e-rotated-secret-9876543210fedcba98765"
		fake := clock.NewFake(time.Now())
		smtp := mailtest.Start(t)
		first := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake, Mail: smtp})
		tn, admin := first.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		rp := e2etest.NewRelyingParty(t, first, tn)
		l := &e2etest.Lifecycle{T: t, Clock: fake, In: first, Tn: tn, Admin: admin, Rp: rp}
		l.Invite("teri@gmail.example", false)
		rp.OAuth.Scopes = append(rp.OAuth.Scopes, "offline_access")
		s := l.SignIn("teri@gmail.example")
		idt, err := rp.Provider.Verifier(&gooidc.Config{ClientID: rp.OAuth.ClientID}).Verify(context.Background(), s.Tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		sub := idt.Subject

		// A second sign-in waits at the code page with a passcode in flight.
		fake.Advance(2 * time.Minute)
		b := e2etest.NewBrowser(t)
		f := rp.Begin()
		login := b.Follow(first, b.Get(f.URL))
		tid := "/" + tn.ID
		next := b.Submit(first.URL, login, tid+"/login/next", map[string]string{"email": "teri@gmail.example"})
		sent := len(smtp.Messages())
		codePage := b.Submit(first.URL, next, tid+"/login/send", nil)
		if !strings.Contains(codePage.Body, `id="code"`) {
			t.Fatalf("Send code = %d\n%s", codePage.Status, codePage.Body)
		}
		msgs := smtp.WaitCount(t, sent+1, func(mailtest.Received) bool { return true })
		pc := e2etest.Passcode(t, msgs[len(msgs)-1])

		addr := first.Config.Listen
		first.Stop()
		second := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake, Mail: smtp, Addr: addr, Configure: func(c *server.Config) {
			c.Secret = newSecret + ", " + oldSecret
		}})
		rp.In = second

		done := b.Submit(second.URL, codePage, tid+"/login/verify", map[string]string{"code": pc})
		_, tok := rp.Finish(f, b.Follow(second, done))
		idt2, err := rp.Provider.Verifier(&gooidc.Config{ClientID: rp.OAuth.ClientID}).Verify(context.Background(), tok.Extra("id_token").(string))
		if err != nil {
			t.Fatalf("ID token after the rotation: %v", err)
		}
		if idt2.Subject != sub {
			t.Fatalf("subject after the rotation %q, want %q", idt2.Subject, sub)
		}
		if _, err := rp.Provider.UserInfo(context.Background(), oauth2.StaticTokenSource(s.Tok)); err != nil {
			t.Fatalf("userinfo with an access token from before the rotation: %v", err)
		}
		if c := l.Refresh(&s); c != "" {
			t.Fatalf("refresh token from before the rotation: %s", c)
		}
	})
}
