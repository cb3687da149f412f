package ha

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/server"
	"github.com/guestgate/guestgate/internal/store"
)

// TestInvitationMailSurvivesSMTPOutage: an invitation committed while the
// SMTP server is down is delivered once it is back.
func TestInvitationMailSurvivesSMTPOutage(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		in.Mail.Stop()
		var inv map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
			"invitedUserEmailAddress": "teri@gmail.example", "inviteRedirectUrl": "https://x.example", "sendInvitationMessage": true,
		}, &inv); s != http.StatusCreated {
			t.Fatalf("invite while SMTP is down = %d, want 201 (the mail waits in the outbox)", s)
		}
		in.Mail.Restart(t)
		in.Mail.WaitFor(t, mailtest.To("teri@gmail.example"))
	})
}

// TestInvitationMailSentOnceAfterRestart: a process stops between committing
// an invitation and sending its mail; the next process sends it, once, and
// a third process, started after every lease has run out, does not send it
// again. The third process's start-up claim is proved to have happened:
// a sentinel invitation committed while no process ran reaches it in the
// same claim (oldest due first), so a send that was not recorded would be
// repeated there and caught.
func TestInvitationMailSentOnceAfterRestart(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		smtp := mailtest.Start(t)
		// One clock for the serving processes, ahead of the admin
		// processes' real clock, so what they commit is due at once.
		clk := clock.NewFake(time.Now().Add(time.Minute))
		first := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Mail: smtp, Clock: clk})
		cfg := first.Config
		first.Stop() // the first process is gone; its dispatcher never saw the invitation

		// A one-shot admin process commits an invitation and exits without sending.
		invite := func(addr string) {
			t.Helper()
			base, err := server.OpenBase(context.Background(), cfg, server.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer base.Close()
			admin, err := base.Operator()
			if err != nil {
				t.Fatal(err)
			}
			tn, err := admin.ResolveTenant(context.Background(), "fabrikam.example")
			if errors.Is(err, store.ErrNotFound) {
				tn, err = admin.CreateTenant(context.Background(), directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}})
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := admin.Invite(context.Background(), tn, invitation.Request{Email: addr, RedirectURL: "https://x.example", SendMessage: true}); err != nil {
				t.Fatal(err)
			}
		}
		invite("teri@gmail.example")
		if n := len(smtp.Messages()); n != 0 {
			t.Fatalf("%d messages sent before any dispatcher ran", n)
		}

		second := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Mail: smtp, Clock: clk})
		smtp.WaitFor(t, mailtest.To("teri@gmail.example"))
		second.Stop() // waits for the dispatcher to finish and record the send

		invite("sentinel@gmail.example")
		clk.Advance(mail.DefaultLease + time.Second) // any lease the second process held has ended
		third := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Mail: smtp, Clock: clk})
		smtp.WaitFor(t, mailtest.To("sentinel@gmail.example"))
		third.Stop()

		if got := len(receivedBy(smtp, "teri@gmail.example")); got != 1 {
			t.Fatalf("invitation mail delivered %d times, want exactly once", got)
		}
		if n := len(smtp.Messages()); n != 2 {
			t.Fatalf("%d messages in all, want 2 (the invitation and the sentinel)", n)
		}
	})
}

// receivedBy returns the messages accepted so far for addr.
func receivedBy(smtp *mailtest.Server, addr string) []mailtest.Received {
	var out []mailtest.Received
	for _, m := range smtp.Messages() {
		if mailtest.To(addr)(m) {
			out = append(out, m)
		}
	}
	return out
}

// TestServeHasNoDevMailbox: a deployment with a mail server never shows
// mail at /dev/mailbox (it would publish every tenant's passcodes and
// redeem links).
func TestServeHasNoDevMailbox(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		_, link := e2etest.InviteNoMail(t, in, admin, "teri@gmail.example")
		p := e2etest.NewBrowser(t).Get(in.URL + "/dev/mailbox")
		if p.Status == http.StatusOK || strings.Contains(p.Body, "Dev mailbox") || strings.Contains(p.Body, link[strings.Index(link, "/redeem"):]) {
			t.Fatalf("/dev/mailbox on a served deployment = %d:\n%s", p.Status, p.Body)
		}
	})
}

// TestQuoteInTenantNameMails (security review item 6): a tenant called
// 12" Pizza Co gets its invitation mail delivered, its name intact in From.
func TestQuoteInTenantNameMails(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		_, admin := in.TenantWithAdmin(`12" Pizza Co`, "pizza.example", "User.Invite.All")
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
			"invitedUserEmailAddress": "teri@gmail.example", "inviteRedirectUrl": "https://apps.pizza.example",
			"sendInvitationMessage": true,
		}, nil); s != http.StatusCreated {
			t.Fatalf("invite = %d", s)
		}
		got := in.Mail.WaitFor(t, mailtest.To("teri@gmail.example"))
		from, err := got.Header.AddressList("From")
		if err != nil || len(from) != 1 || !strings.Contains(from[0].Name, `12" Pizza Co`) {
			t.Fatalf("From %q parsed to %v, %v", got.Header.Get("From"), from, err)
		}
	})
}
