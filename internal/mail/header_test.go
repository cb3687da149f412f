package mail_test

import (
	netmail "net/mail"
	"testing"

	guestmail "github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// TestSMTPSender_displayNamesInHeaders (security review item 6): any
// display name that reaches a header (a tenant's name in From, an
// inviter's in Reply-To) is quoted per RFC 5322 and encoded per RFC 2047
// when not ASCII, and arrives as it was given.
func TestSMTPSender_displayNamesInHeaders(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv, guestmail.SMTPSenderOptions{})
	names := []string{
		`guestgate on behalf of 12" Pizza Co`,
		`guestgate on behalf of O'Brien & Sons, Ltd.`,
		`guestgate on behalf of Back\slash <angle> (paren) ; semi: colon`,
		`guestgate on behalf of 株式会社"テスト"`,
		`guestgate on behalf of =?utf-8?q?not-an-encoded-word?=`,
	}
	for i, name := range names {
		m := testMessage("00000000-0000-4000-8000-00000000000"+string(rune('0'+i)), "teri@gmail.example")
		m.FromName = name
		m.ReplyTo = (&netmail.Address{Name: `Ana "the inviter" Ng`, Address: "ana@fabrikam.example"}).String()
		if err := s.Send(ctxT(t), m); err != nil {
			t.Fatalf("send with display name %q: %v", name, err)
		}
		got := srv.WaitFor(t, func(r mailtest.Received) bool { return r.MessageID() == m.ID+"@gg.example" })
		from, err := got.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != name {
			t.Fatalf("From header %q parsed to %v, %v; want the name %q", got.Header.Get("From"), from, err, name)
		}
		reply, err := got.Header.AddressList("Reply-To")
		if err != nil || len(reply) != 1 || reply[0].Name != `Ana "the inviter" Ng` {
			t.Fatalf("Reply-To header %q parsed to %v, %v", got.Header.Get("Reply-To"), reply, err)
		}
	}
}
