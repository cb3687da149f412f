package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/clock"
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
	forEngine(t, func(t *testing.T, dsn string) {
		const oldSecret = "e2e-secret-0123456789abcdef0123456789"
		const newSecret = "e2e-rotated-secret-9876543210fedcba98765"
		fake := clock.NewFake(time.Now())
		smtp := mailtest.Start(t)
		first := start(t, startOptions{dsn: dsn, clock: fake, mail: smtp})
		tn, admin := first.tenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		rp := newRelyingParty(t, first, tn)
		l := &lifecycle{t: t, clock: fake, in: first, tn: tn, admin: admin, rp: rp}
		l.invite("teri@gmail.example", false)
		rp.oauth.Scopes = append(rp.oauth.Scopes, "offline_access")
		s := l.signIn("teri@gmail.example")
		idt, err := rp.provider.Verifier(&gooidc.Config{ClientID: rp.oauth.ClientID}).Verify(context.Background(), s.tok.Extra("id_token").(string))
		if err != nil {
			t.Fatal(err)
		}
		sub := idt.Subject

		// A second sign-in waits at the code page with a passcode in flight.
		fake.Advance(2 * time.Minute)
		b := newBrowser(t)
		f := rp.begin()
		login := b.follow(first, b.get(f.url))
		tid := "/" + tn.ID
		next := b.submit(first.URL, login, tid+"/login/next", map[string]string{"email": "teri@gmail.example"})
		sent := len(smtp.Messages())
		codePage := b.submit(first.URL, next, tid+"/login/send", nil)
		if !strings.Contains(codePage.Body, `id="code"`) {
			t.Fatalf("Send code = %d\n%s", codePage.Status, codePage.Body)
		}
		msgs := smtp.WaitCount(t, sent+1, func(mailtest.Received) bool { return true })
		pc := passcode(t, msgs[len(msgs)-1])

		addr := first.cfg.Listen
		first.stop()
		second := start(t, startOptions{dsn: dsn, clock: fake, mail: smtp, addr: addr, configure: func(c *server.Config) {
			c.Secret = newSecret + ", " + oldSecret
		}})
		rp.in = second

		done := b.submit(second.URL, codePage, tid+"/login/verify", map[string]string{"code": pc})
		_, tok := rp.finish(f, b.follow(second, done))
		idt2, err := rp.provider.Verifier(&gooidc.Config{ClientID: rp.oauth.ClientID}).Verify(context.Background(), tok.Extra("id_token").(string))
		if err != nil {
			t.Fatalf("ID token after the rotation: %v", err)
		}
		if idt2.Subject != sub {
			t.Fatalf("subject after the rotation %q, want %q", idt2.Subject, sub)
		}
		if _, err := rp.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(s.tok)); err != nil {
			t.Fatalf("userinfo with an access token from before the rotation: %v", err)
		}
		if c := l.refresh(&s); c != "" {
			t.Fatalf("refresh token from before the rotation: %s", c)
		}
	})
}
