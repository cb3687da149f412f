package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/server"
)

// TestInvitationMailSurvivesSMTPOutage: an invitation committed while the
// SMTP server is down is delivered once it is back.
func TestInvitationMailSurvivesSMTPOutage(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		in := start(t, startOptions{dsn: dsn})
		_, admin := in.tenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		in.Mail.Stop()
		var inv map[string]any
		if s := api(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
			"invitedUserEmailAddress": "teri@gmail.example", "inviteRedirectUrl": "https://x.example", "sendInvitationMessage": true,
		}, &inv); s != http.StatusCreated {
			t.Fatalf("invite while SMTP is down = %d, want 201 (the mail waits in the outbox)", s)
		}
		in.Mail.Restart(t)
		in.Mail.WaitFor(t, mailtest.To("teri@gmail.example"))
	})
}

// TestInvitationMailSentOnceAfterRestart: a process stops between committing
// an invitation and sending its mail; the next process sends it, once.
func TestInvitationMailSentOnceAfterRestart(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		smtp := mailtest.Start(t)
		first := start(t, startOptions{dsn: dsn, mail: smtp})
		cfg := first.cfg
		first.stop() // the first process is gone; its dispatcher never saw the invitation

		// A one-shot admin process commits the invitation and exits without sending.
		admin, err := server.OpenAdmin(context.Background(), cfg, server.Options{})
		if err != nil {
			t.Fatal(err)
		}
		tn, err := admin.CreateTenant(context.Background(), directory.NewTenantRequest{Name: "Fabrikam"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Invite(context.Background(), tn, invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://x.example", SendMessage: true}); err != nil {
			t.Fatal(err)
		}
		admin.Close()
		if n := len(smtp.Messages()); n != 0 {
			t.Fatalf("%d messages sent before any dispatcher ran", n)
		}

		second := start(t, startOptions{dsn: dsn, mail: smtp})
		smtp.WaitFor(t, mailtest.To("teri@gmail.example"))
		second.stop() // waits for the dispatcher to finish and record the send
		third := start(t, startOptions{dsn: dsn, mail: smtp})
		third.stop()
		if got := smtp.WaitCount(t, 1, mailtest.To("teri@gmail.example")); len(got) != 1 {
			t.Fatalf("invitation mail delivered %d times, want exactly once", len(got))
		}
		if n := len(smtp.Messages()); n != 1 {
			t.Fatalf("%d messages in all, want 1", n)
		}
	})
}

// TestServeHasNoDevMailbox: a deployment with a mail server never shows
// mail at /dev/mailbox (it would publish every tenant's passcodes and
// redeem links).
func TestServeHasNoDevMailbox(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		in := start(t, startOptions{dsn: dsn})
		_, admin := in.tenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		_, link := inviteNoMail(t, in, admin, "teri@gmail.example")
		p := newBrowser(t).get(in.URL + "/dev/mailbox")
		if p.Status == http.StatusOK || strings.Contains(p.Body, "Dev mailbox") || strings.Contains(p.Body, link[strings.Index(link, "/redeem"):]) {
			t.Fatalf("/dev/mailbox on a served deployment = %d:\n%s", p.Status, p.Body)
		}
	})
}

// TestQuoteInTenantNameMails (security review item 6): a tenant called
// 12" Pizza Co gets its invitation mail delivered, its name intact in From.
func TestQuoteInTenantNameMails(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		in := start(t, startOptions{dsn: dsn})
		_, admin := in.tenantWithAdmin(`12" Pizza Co`, "pizza.example", "User.Invite.All")
		if s := api(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
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
