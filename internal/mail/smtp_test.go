package mail_test

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	guestmail "github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

func TestParseSMTPURL(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    guestmail.SMTPConfig
		wantErr string
	}{
		{in: "smtp://mail.example.com", want: guestmail.SMTPConfig{Host: "mail.example.com", Port: 587, TLS: "starttls"}},
		{in: "smtp://user:pass@mail.example.com:2525?tls=starttls", want: guestmail.SMTPConfig{Host: "mail.example.com", Port: 2525, TLS: "starttls", Username: "user", Password: "pass"}},
		{in: "smtp://mail.example.com?tls=implicit", want: guestmail.SMTPConfig{Host: "mail.example.com", Port: 465, TLS: "implicit"}},
		{in: "smtp://relay?tls=none", want: guestmail.SMTPConfig{Host: "relay", Port: 25, TLS: "none"}},
		{in: "smtp://127.0.0.1:1025?tls=NONE", want: guestmail.SMTPConfig{Host: "127.0.0.1", Port: 1025, TLS: "none"}},
		{in: "smtps://mail.example.com", want: guestmail.SMTPConfig{Host: "mail.example.com", Port: 465, TLS: "implicit"}},
		{in: "smtp://[::1]:25?tls=none", want: guestmail.SMTPConfig{Host: "::1", Port: 25, TLS: "none"}},
		{in: "smtp://apikey:p%40ss%2Fw0rd%3F@smtp.example.net", want: guestmail.SMTPConfig{Host: "smtp.example.net", Port: 587, TLS: "starttls", Username: "apikey", Password: "p@ss/w0rd?"}},
		{in: "smtp://user%40example.com:pw@smtp.example.net", want: guestmail.SMTPConfig{Host: "smtp.example.net", Port: 587, TLS: "starttls", Username: "user@example.com", Password: "pw"}},
		{in: " smtp://mail.example.com/ ", want: guestmail.SMTPConfig{Host: "mail.example.com", Port: 587, TLS: "starttls"}},
		{in: "http://mail.example.com", wantErr: "scheme"},
		{in: "mail.example.com:587", wantErr: "scheme"},
		{in: "smtp://", wantErr: "no host"},
		{in: "smtp://mail.example.com:0", wantErr: "port"},
		{in: "smtp://mail.example.com:70000", wantErr: "port"},
		{in: "smtp://mail.example.com?tls=ssl", wantErr: "tls=ssl"},
		{in: "smtp://mail.example.com?tsl=none", wantErr: "unknown parameter"},
		{in: "smtp://mail.example.com/path", wantErr: "path"},
		{in: "smtp://:secret@mail.example.com", wantErr: "password without user"},
		{in: "smtp://user:sec ret@mail.example.com:bad", wantErr: "not a URL"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := guestmail.ParseSMTPURL(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "sec ret") {
					t.Errorf("error leaks the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
			if tc.want.Password != "" && strings.Contains(got.String(), tc.want.Password) {
				t.Errorf("String() leaks the password: %s", got)
			}
		})
	}
}

// newSender returns an SMTPSender for srv, closed when the test ends.
func newSender(t *testing.T, srv *mailtest.Server, opts guestmail.SMTPSenderOptions) *guestmail.SMTPSender {
	t.Helper()
	cfg, err := guestmail.ParseSMTPURL(srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	if opts.From == "" {
		opts.From = "Guestgate <noreply@gg.example>"
	}
	if opts.TLSConfig == nil {
		opts.TLSConfig = srv.ClientTLSConfig()
	}
	s, err := guestmail.NewSMTPSender(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testMessage(id, to string) guestmail.Message {
	return guestmail.Message{
		ID: id, Kind: guestmail.KindPasscode, To: []string{to},
		FromName: "Guestgate on behalf of Fabrikam", Subject: "Your verification code for Fabrikam",
		Text: "Your code: 12345678\n", HTML: "<p>Your code: <b>12345678</b></p>", Language: "en",
		CreatedAt: time.Date(2030, 4, 1, 9, 30, 0, 0, time.UTC),
	}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSMTPSender_message(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv, guestmail.SMTPSenderOptions{})
	m, err := guestmail.RenderInvitation(guestmail.InvitationMail{
		ID: "5b0f9a52-1d3e-4c8e-9a57-0c2d7f3f2a11", Language: "ja",
		TenantName: "Fabrikam", TenantDomain: "fabrikam.example", To: "teri@partner.example",
		Cc: []string{"boss@partner.example"}, InviterName: "Ana Ruiz", InviterAddress: "ana@fabrikam.example",
		CustomMessage: "ようこそ <team>", RedeemURL: "https://id.example/redeem?ticket=t1",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(ctxT(t), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitFor(t, mailtest.To("teri@partner.example"))

	if got.From != "noreply@gg.example" {
		t.Errorf("envelope from = %q", got.From)
	}
	if !slices.Equal(got.To, []string{"teri@partner.example", "boss@partner.example"}) {
		t.Errorf("envelope recipients = %v, want invitee and cc", got.To)
	}
	from, err := mail.ParseAddress(decodeHeader(t, got.Header.Get("From")))
	if err != nil {
		t.Fatal(err)
	}
	if from.Address != "noreply@gg.example" || from.Name != m.FromName {
		t.Errorf("From = %+v, want %q <noreply@gg.example>", from, m.FromName)
	}
	if rt := decodeHeader(t, got.Header.Get("Reply-To")); !strings.Contains(rt, "ana@fabrikam.example") {
		t.Errorf("Reply-To = %q", rt)
	}
	if cc := got.Header.Get("Cc"); !strings.Contains(cc, "boss@partner.example") {
		t.Errorf("Cc = %q", cc)
	}
	if got.MessageID() != m.ID+"@gg.example" {
		t.Errorf("Message-ID = %q, want <%s@gg.example>", got.Header.Get("Message-Id"), m.ID)
	}
	if got.Subject != m.Subject {
		t.Errorf("Subject = %q, want %q", got.Subject, m.Subject)
	}
	if ct := got.Header.Get("Content-Type"); !strings.HasPrefix(ct, "multipart/alternative") {
		t.Errorf("Content-Type = %q, want multipart/alternative", ct)
	}
	if strings.TrimSpace(got.Text) != strings.TrimSpace(m.Text) || strings.TrimSpace(got.HTML) != strings.TrimSpace(m.HTML) {
		t.Errorf("bodies differ:\ntext %q\nhtml %q", got.Text, got.HTML)
	}
	if !strings.Contains(got.HTML, "ようこそ &lt;team&gt;") {
		t.Errorf("HTML lost the escaped custom message: %s", got.HTML)
	}
	if got.Header.Get("Auto-Submitted") != "auto-generated" || got.Header.Get("Content-Language") != "ja" {
		t.Errorf("Auto-Submitted %q, Content-Language %q", got.Header.Get("Auto-Submitted"), got.Header.Get("Content-Language"))
	}
}

func decodeHeader(t *testing.T, v string) string {
	t.Helper()
	dec := new(mime.WordDecoder)
	s, err := dec.DecodeHeader(v)
	if err != nil {
		t.Fatalf("decode header %q: %v", v, err)
	}
	return s
}

// One connection carries consecutive messages; it is closed when idle.
func TestSMTPSender_reusesConnectionAndClosesWhenIdle(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv, guestmail.SMTPSenderOptions{IdleTimeout: 300 * time.Millisecond})
	ctx := ctxT(t)
	for i := range 5 {
		if err := s.Send(ctx, testMessage(idN(i), "teri@partner.example")); err != nil {
			t.Fatal(err)
		}
	}
	srv.WaitCount(t, 5, nil)
	if st := srv.Stats(); st.Sessions != 1 {
		t.Errorf("5 messages used %d connections, want 1", st.Sessions)
	}
	if err := srv.WaitStats(ctx, func(st mailtest.Stats) bool { return st.Open == 0 }); err != nil {
		t.Fatalf("idle connection still open: %v", err)
	}
	// After the idle close, the next message dials again.
	if err := s.Send(ctx, testMessage(idN(5), "teri@partner.example")); err != nil {
		t.Fatal(err)
	}
	srv.WaitCount(t, 6, nil)
	if st := srv.Stats(); st.Sessions != 2 {
		t.Errorf("sessions = %d, want 2", st.Sessions)
	}
}

// Concurrent sends use separate connections, kept for reuse.
func TestSMTPSender_concurrent(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv, guestmail.SMTPSenderOptions{MaxIdle: 4})
	ctx := ctxT(t)
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for w := range 4 {
		wg.Go(func() {
			for i := range 10 {
				errs <- s.Send(ctx, testMessage(idN(w*10+i), "teri@partner.example"))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := srv.WaitCount(t, 40, nil)
	ids := map[string]bool{}
	for _, r := range got {
		ids[r.MessageID()] = true
	}
	if len(ids) != 40 {
		t.Errorf("%d distinct messages, want 40", len(ids))
	}
	if st := srv.Stats(); st.Sessions > 4 {
		t.Errorf("%d connections for 4 concurrent senders, want at most 4", st.Sessions)
	}
}

// A kept connection that the server dropped is replaced transparently.
func TestSMTPSender_reconnectsAfterServerRestart(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv, guestmail.SMTPSenderOptions{})
	ctx := ctxT(t)
	if err := s.Send(ctx, testMessage(idN(1), "a@partner.example")); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	if err := s.Send(ctx, testMessage(idN(2), "a@partner.example")); err == nil {
		t.Fatal("send while the server is down: want an error")
	} else if errors.Is(err, guestmail.ErrPermanent) {
		t.Errorf("an outage is not permanent: %v", err)
	}
	srv.Restart(t)
	if err := s.Send(ctx, testMessage(idN(3), "a@partner.example")); err != nil {
		t.Fatalf("after restart: %v", err)
	}
	srv.WaitFor(t, func(r mailtest.Received) bool { return r.MessageID() == idN(3)+"@gg.example" })

	// The server restarts between two messages: the kept connection is dead,
	// the sender notices before sending and uses a new one, without an error.
	srv.Stop()
	srv.Restart(t)
	if err := s.Send(ctx, testMessage(idN(4), "a@partner.example")); err != nil {
		t.Fatalf("kept connection died while idle: %v", err)
	}
	srv.WaitFor(t, func(r mailtest.Received) bool { return r.MessageID() == idN(4)+"@gg.example" })
	if n := len(srv.Messages()); n != 3 {
		t.Errorf("%d messages received, want 3", n)
	}
}

func TestSMTPSender_refusals(t *testing.T) {
	srv := mailtest.Start(t)
	s := newSender(t, srv, guestmail.SMTPSenderOptions{})
	ctx := ctxT(t)

	srv.RefuseTemporarily()
	err := s.Send(ctx, testMessage(idN(1), "a@partner.example"))
	if err == nil || errors.Is(err, guestmail.ErrPermanent) || !strings.Contains(err.Error(), "451") {
		t.Errorf("451 refusal: err = %v, want a temporary error", err)
	}
	srv.Accept()

	srv.RejectRecipient("gone@partner.example")
	err = s.Send(ctx, testMessage(idN(2), "gone@partner.example"))
	if !errors.Is(err, guestmail.ErrPermanent) {
		t.Errorf("550 recipient: err = %v, want ErrPermanent", err)
	}
	// The connection is still good for the next message.
	if err := s.Send(ctx, testMessage(idN(3), "a@partner.example")); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitCount(t, 1, nil); len(got) != 1 || got[0].MessageID() != idN(3)+"@gg.example" {
		t.Errorf("received %d messages", len(got))
	}
}

func TestSMTPSender_auth(t *testing.T) {
	srv := mailtest.Start(t, mailtest.WithAuth("relay-user", "s3cret"))
	s := newSender(t, srv, guestmail.SMTPSenderOptions{})
	if err := s.Send(ctxT(t), testMessage(idN(1), "a@partner.example")); err != nil {
		t.Fatal(err)
	}
	if got := srv.WaitFor(t, mailtest.To("a@partner.example")); got.User != "relay-user" {
		t.Errorf("authenticated as %q", got.User)
	}

	cfg, _ := guestmail.ParseSMTPURL(srv.URL())
	cfg.Password = "wrong"
	bad, err := guestmail.NewSMTPSender(cfg, guestmail.SMTPSenderOptions{From: "noreply@gg.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if err := bad.Send(ctxT(t), testMessage(idN(2), "a@partner.example")); err == nil {
		t.Error("wrong password: want an error")
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages accepted, want 1", n)
	}
}

func TestSMTPSender_tls(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  mailtest.Option
	}{{"starttls", mailtest.WithStartTLS()}, {"implicit", mailtest.WithImplicitTLS()}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := mailtest.Start(t, tc.opt, mailtest.WithAuth("u", "p"))
			if !strings.Contains(srv.URL(), "tls="+tc.name) {
				t.Fatalf("URL %s", srv.URL())
			}
			s := newSender(t, srv, guestmail.SMTPSenderOptions{})
			if err := s.Send(ctxT(t), testMessage(idN(1), "a@partner.example")); err != nil {
				t.Fatal(err)
			}
			if got := srv.WaitFor(t, mailtest.To("a@partner.example")); got.User != "u" {
				t.Errorf("user %q", got.User)
			}
		})
	}
	// STARTTLS is required: a server without it is refused, not used in clear.
	plain := mailtest.Start(t)
	cfg, _ := guestmail.ParseSMTPURL(strings.Replace(plain.URL(), "tls=none", "tls=starttls", 1))
	s, err := guestmail.NewSMTPSender(cfg, guestmail.SMTPSenderOptions{From: "noreply@gg.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Send(ctxT(t), testMessage(idN(2), "a@partner.example"))
	switch {
	case err == nil:
		t.Error("tls=starttls against a server without STARTTLS: want an error")
	case !errors.Is(err, guestmail.ErrConfiguration) || guestmail.FailureReason(err) != guestmail.ReasonConfiguration ||
		!strings.Contains(err.Error(), "tls=implicit"):
		// A configuration error, saying what to change, not a temporary one.
		t.Errorf("no STARTTLS = %v (reason %s); want ErrConfiguration naming the tls= choices", err, guestmail.FailureReason(err))
	}
	if err := s.Check(ctxT(t)); !errors.Is(err, guestmail.ErrConfiguration) {
		t.Errorf("Check without STARTTLS = %v; want ErrConfiguration", err)
	}
	if n := len(plain.Messages()); n != 0 {
		t.Errorf("%d messages sent in clear", n)
	}
}

// TestDevMailbox: the dev mailbox keeps what it "sends", bodies included
// (the outbox empties them once sent), newest first, the newest keep only.
func TestDevMailbox(t *testing.T) {
	box := guestmail.NewDevMailbox(nil, 2)
	for i := 1; i <= 3; i++ {
		if err := box.Send(context.Background(), testMessage(idN(i), "a@b.example")); err != nil {
			t.Fatal(err)
		}
	}
	got, err := box.ListMail(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != idN(3) || got[1].ID != idN(2) || got[0].Text == "" || got[0].SentAt.IsZero() {
		t.Fatalf("dev mailbox = %+v; want messages 3 and 2 with their bodies", got)
	}
	if got, _ := box.ListMail(context.Background(), 1); len(got) != 1 {
		t.Fatalf("limit 1: %d messages", len(got))
	}
}

// idN is the i-th test message id (a UUID).
func idN(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// TestSMTPSender_Check: serve's start-up check connects as a send does —
// EHLO, STARTTLS, AUTH — and names what failed, sending nothing.
func TestSMTPSender_Check(t *testing.T) {
	good := mailtest.Start(t, mailtest.WithStartTLS(), mailtest.WithAuth("u", "p"))
	if err := newSender(t, good, guestmail.SMTPSenderOptions{}).Check(ctxT(t)); err != nil {
		t.Fatalf("check against a working server: %v", err)
	}
	if n := len(good.Messages()); n != 0 {
		t.Fatalf("the check sent %d messages", n)
	}
	check := func(raw string) error {
		cfg, err := guestmail.ParseSMTPURL(raw)
		if err != nil {
			t.Fatal(err)
		}
		s, err := guestmail.NewSMTPSender(cfg, guestmail.SMTPSenderOptions{From: "noreply@gg.example", TLSConfig: good.ClientTLSConfig()})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		return s.Check(ctxT(t))
	}
	if err := check(strings.Replace(good.URL(), "u:p@", "u:wrong@", 1)); err == nil {
		t.Error("wrong password: want an error")
	}
	plain := mailtest.Start(t)
	if err := check(strings.Replace(plain.URL(), "tls=none", "tls=starttls", 1)); err == nil {
		t.Error("tls=starttls against a server without STARTTLS: want an error")
	}
	plain.Stop()
	if err := check(plain.URL()); err == nil {
		t.Error("nothing listening: want an error")
	}
}
