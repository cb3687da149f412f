package main

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// sink is a real SMTP server that captures passcodes: each message's
// recipient and the code its text part shows (see passcodeIn). Virtual
// guests wait on their address; nothing else is kept, so memory stays flat.
type sink struct {
	srv *smtp.Server
	ln  net.Listener
	// read says what a mail's text part is (see readMail): guestgate's
	// passcode mail and invitation, or a peer's code mail.
	read func(text string) (code string, invitation bool)

	mu      sync.Mutex
	waiting map[string]chan string // lower-case address → code
	early   map[string]string      // codes that arrived before anyone waited
	count   int
	invites int
}

func startSink(addr string) (*sink, error) { return startSinkReading(addr, readMail) }

// startSinkReading starts a sink on addr that reads each mail with read.
func startSinkReading(addr string, read func(string) (string, bool)) (*sink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &sink{ln: ln, read: read, waiting: map[string]chan string{}, early: map[string]string{}}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "bench.sink"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.MaxMessageBytes = 1 << 20
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *sink) URL() string { return "smtp://" + s.ln.Addr().String() + "?tls=none" }

func (s *sink) Close() { _ = s.srv.Close() }

// expect registers interest in the next code for addr; call before Send code.
func (s *sink) expect(addr string) <-chan string {
	addr = strings.ToLower(addr)
	ch := make(chan string, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.early[addr]; ok {
		delete(s.early, addr)
		ch <- c
		return ch
	}
	s.waiting[addr] = ch
	return ch
}

func (s *sink) forget(addr string) {
	s.mu.Lock()
	delete(s.waiting, strings.ToLower(addr))
	s.mu.Unlock()
}

func (s *sink) deliver(to []string, code string, invitation bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.count++
	if invitation {
		s.invites++
		return
	}
	for _, a := range to {
		if ch, ok := s.waiting[a]; ok {
			delete(s.waiting, a)
			ch <- code
		}
	}
}

func (s *sink) counts() (all, invitations int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.count, s.invites
}

// NewSession implements smtp.Backend.
func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }

type sinkSession struct {
	sink *sink
	to   []string
}

func (ss *sinkSession) AuthPlain(string, string) error       { return nil }
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, strings.ToLower(to))
	return nil
}
func (ss *sinkSession) Reset()        { ss.to = nil }
func (ss *sinkSession) Logout() error { return nil }

// Data reads the message's text part: an invitation carries a redeem link,
// a passcode mail its code.
func (ss *sinkSession) Data(r io.Reader) error {
	text, err := textPart(r)
	if err != nil {
		return err
	}
	code, invitation := ss.sink.read(text)
	if code == "" && !invitation {
		return errors.New("no passcode and no redeem link in message")
	}
	ss.sink.deliver(ss.to, code, invitation)
	ss.to = nil
	return nil
}

// readMail says what a mail's text part is: an invitation (it carries a
// redeem link) or a passcode mail, and then its code.
func readMail(text string) (code string, invitation bool) {
	if strings.Contains(text, "/redeem?ticket=") {
		return "", true
	}
	code, _ = passcodeIn(text)
	return code, false
}

// passcodeIn reads a passcode mail's text the way a person does: the code
// is the indented line that carries nothing but the code, following the
// line that introduces it ("Use this code to sign in to …:"; see
// internal/mail/templates/passcode.txt). Digits elsewhere — a tenant
// named with digits, the recipient's address, the footer — are not the code.
func passcodeIn(text string) (string, bool) {
	afterIntro := false
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			continue // blank lines separate the intro from the code
		case afterIntro && trimmed != line && isCode(trimmed):
			return trimmed, true
		default:
			afterIntro = strings.HasSuffix(trimmed, ":")
		}
	}
	return "", false
}

// isCode is whether s is a passcode: eight decimal digits.
func isCode(s string) bool {
	if len(s) != 8 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// textPart returns the decoded text/plain part of a MIME message.
func textPart(r io.Reader) (string, error) {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return "", err
	}
	return findText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func findText(contentType, encoding string, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return "", errors.New("no text/plain part")
			}
			if err != nil {
				return "", err
			}
			if t, err := findText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err == nil {
				return t, nil
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
