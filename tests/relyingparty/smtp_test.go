package relyingparty

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mailbox is a real SMTP server on 127.0.0.1 (github.com/emersion/go-smtp,
// a protocol peer) that keeps the text of every message by recipient.
type mailbox struct {
	addr    string
	mu      sync.Mutex
	changed chan struct{} // closed and replaced at every message
	texts   map[string][]string
}

// startMailbox starts the server until the test ends.
func startMailbox(t *testing.T) *mailbox {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := &mailbox{addr: ln.Addr().String(), changed: make(chan struct{}), texts: map[string][]string{}}
	srv := smtp.NewServer(m)
	srv.Domain = "127.0.0.1"
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return m
}

// URL is the mailbox as GUESTGATE_SMTP_URL.
func (m *mailbox) URL() string { return "smtp://" + m.addr + "?tls=none" }

// NewSession implements smtp.Backend.
func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }

func (m *mailbox) deliver(to []string, text string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range to {
		r = strings.ToLower(r)
		m.texts[r] = append(m.texts[r], text)
	}
	close(m.changed)
	m.changed = make(chan struct{})
}

// count returns how many messages addr has received.
func (m *mailbox) count(addr string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.texts[strings.ToLower(addr)])
}

// waitNew waits for addr's message number n+1 and returns its text.
func (m *mailbox) waitNew(t *testing.T, addr string, n int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		m.mu.Lock()
		texts, changed := m.texts[strings.ToLower(addr)], m.changed
		m.mu.Unlock()
		if len(texts) > n {
			return texts[n]
		}
		select {
		case <-changed:
		case <-ctx.Done():
			t.Fatalf("no new mail to %s", addr)
		}
	}
}

var codeRe = regexp.MustCompile(`\b(\d{8})\b`)

// passcode finds the 8-digit code in a passcode mail's text.
func passcode(t *testing.T, text string) string {
	t.Helper()
	c := codeRe.FindStringSubmatch(text)
	if c == nil {
		t.Fatalf("no 8-digit code in mail:\n%s", text)
	}
	return c[1]
}

// mailSession receives one message at a time.
type mailSession struct {
	m  *mailbox
	to []string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }

func (s *mailSession) Data(r io.Reader) error {
	msg, err := netmail.ReadMessage(r)
	if err != nil {
		return err
	}
	text, err := plainText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	if err != nil {
		return err
	}
	s.m.deliver(s.to, text)
	s.to = nil
	return nil
}

// plainText returns the decoded text/plain part of a message body.
func plainText(contentType, encoding string, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return "", errors.New("no text/plain part")
			}
			if text, err := plainText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err == nil {
				return text, nil
			}
		}
	}
	if mt != "text/plain" {
		return "", errors.New("not text/plain")
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	return string(b), err
}
