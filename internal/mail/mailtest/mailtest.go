// Package mailtest is a real SMTP server for tests, built on
// github.com/emersion/go-smtp: a protocol peer, not a fake sender. It
// listens on 127.0.0.1, keeps every message it accepts (parsed: envelope,
// headers, decoded subject, text and HTML bodies), and lets a test wait for
// a message by condition, refuse mail (4xx or 5xx), and stop and restart the
// server to simulate an outage. It can require AUTH PLAIN and speak
// STARTTLS or implicit TLS with a throw-away certificate.
//
//	srv := mailtest.Start(t)
//	t.Setenv("GUESTGATE_SMTP_URL", srv.URL())
//	…
//	got := srv.WaitFor(t, mailtest.To("guest@example.com"))
//
// Waiting never sleeps: it blocks on a channel closed at every change.
package mailtest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// DefaultWait is how long WaitFor and WaitCount wait before failing the test.
const DefaultWait = 20 * time.Second

// Received is one accepted message.
type Received struct {
	From    string   // envelope sender (MAIL FROM)
	To      []string // envelope recipients (RCPT TO)
	User    string   // the AUTH user name, if the client authenticated
	Header  netmail.Header
	Subject string // decoded
	Text    string // the text/plain part, decoded, line breaks as "\n"
	HTML    string // the text/html part, decoded, line breaks as "\n"
	Raw     []byte
	At      time.Time
}

// MessageID returns the Message-ID header without its angle brackets.
func (r Received) MessageID() string {
	return strings.Trim(r.Header.Get("Message-Id"), "<> ")
}

// To matches a message with addr among its envelope recipients.
func To(addr string) func(Received) bool {
	return func(r Received) bool {
		return slices.ContainsFunc(r.To, func(a string) bool { return strings.EqualFold(a, addr) })
	}
}

// Stats counts SMTP sessions (one per connection that said EHLO).
type Stats struct {
	Sessions int // ever opened
	Open     int // open now
}

// Server is a running test SMTP server. Its methods are safe for concurrent use.
type Server struct {
	addr      string
	tlsMode   string // "none", "starttls" or "implicit"
	tlsConfig *tls.Config
	roots     *x509.CertPool
	user      string
	pass      string

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced at every change
	srv      *smtp.Server
	msgs     []Received
	refuse   *smtp.SMTPError // answer to MAIL FROM, if set
	rejected map[string]bool // recipients answered 550
	stats    Stats
	// beforeAccept runs with each message stored, before the client
	// hears it was accepted (WithBeforeAccept).
	beforeAccept func(Received)
}

// Option configures Start.
type Option func(*Server)

// WithAuth makes the server require AUTH PLAIN with user and password
// (offered without TLS too, as on a local relay).
func WithAuth(user, password string) Option {
	return func(s *Server) { s.user, s.pass = user, password }
}

// WithStartTLS makes the server offer STARTTLS with a throw-away
// certificate for 127.0.0.1 (see ClientTLSConfig).
func WithStartTLS() Option { return func(s *Server) { s.tlsMode = "starttls" } }

// WithImplicitTLS makes the server speak TLS from the first byte.
func WithImplicitTLS() Option { return func(s *Server) { s.tlsMode = "implicit" } }

// WithBeforeAccept makes the server call fn with each message once it is
// stored and before it answers the client that the message was accepted:
// a test can make something happen (a database outage) while the sender
// has sent a message but has not heard so.
func WithBeforeAccept(fn func(Received)) Option {
	return func(s *Server) { s.beforeAccept = fn }
}

// Start starts a server on 127.0.0.1 on a free port; it stops when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{tlsMode: "none", changed: make(chan struct{}), rejected: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	if s.tlsMode != "none" {
		if err := s.makeCert(); err != nil {
			t.Fatalf("mailtest: certificate: %v", err)
		}
	}
	if err := s.listen("127.0.0.1:0"); err != nil {
		t.Fatalf("mailtest: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Addr returns host:port.
func (s *Server) Addr() string { return s.addr }

// URL returns a GUESTGATE_SMTP_URL for the server, with the credentials
// when WithAuth was given.
func (s *Server) URL() string {
	u := url.URL{Scheme: "smtp", Host: s.addr, RawQuery: "tls=" + s.tlsMode}
	if s.user != "" {
		u.User = url.UserPassword(s.user, s.pass)
	}
	return u.String()
}

// ClientTLSConfig trusts the server's certificate (nil without TLS).
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.roots == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.roots, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
}

// Messages returns the messages accepted so far, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.msgs)
}

// Stats returns the session counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// Wait blocks until a message matching match has been accepted (including
// one accepted before the call) and returns the first such, or ctx's error.
func (s *Server) Wait(ctx context.Context, match func(Received) bool) (Received, error) {
	var found Received
	err := s.await(ctx, func() bool {
		i := slices.IndexFunc(s.msgs, match)
		if i >= 0 {
			found = s.msgs[i]
		}
		return i >= 0
	})
	return found, err
}

// WaitFor is Wait bounded by DefaultWait; it fails the test on timeout.
func (s *Server) WaitFor(t testing.TB, match func(Received) bool) Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), DefaultWait)
	defer cancel()
	r, err := s.Wait(ctx, match)
	if err != nil {
		t.Fatalf("mailtest: no matching message within %v (%d received)", DefaultWait, len(s.Messages()))
	}
	return r
}

// WaitCount waits until at least n messages matching match were accepted,
// bounded by DefaultWait; it fails the test on timeout.
func (s *Server) WaitCount(t testing.TB, n int, match func(Received) bool) []Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), DefaultWait)
	defer cancel()
	var got []Received
	err := s.await(ctx, func() bool {
		got = got[:0]
		for _, m := range s.msgs {
			if match == nil || match(m) {
				got = append(got, m)
			}
		}
		return len(got) >= n
	})
	if err != nil {
		t.Fatalf("mailtest: %d of %d messages within %v", len(got), n, DefaultWait)
	}
	return got
}

// WaitStats waits until cond holds for the session counters.
func (s *Server) WaitStats(ctx context.Context, cond func(Stats) bool) error {
	return s.await(ctx, func() bool { return cond(s.stats) })
}

// await blocks until cond (called with s.mu held) is true or ctx ends.
func (s *Server) await(ctx context.Context, cond func() bool) error {
	for {
		s.mu.Lock()
		ok, ch := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// changedLocked wakes the waiters; s.mu must be held.
func (s *Server) changedLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// RefuseTemporarily makes the server answer MAIL FROM with 451 (try again
// later) until Accept.
func (s *Server) RefuseTemporarily() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "mailtest: try again later"}
}

// RejectRecipient makes the server answer RCPT TO addr with 550 (no such
// user), a permanent failure, until Accept.
func (s *Server) RejectRecipient(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected[strings.ToLower(addr)] = true
}

// Accept undoes RefuseTemporarily and RejectRecipient.
func (s *Server) Accept() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refuse = nil
	clear(s.rejected)
}

// Stop closes the listener and every connection: clients then get
// "connection refused". Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
	}
}

// Restart starts a stopped server again on the same address.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.listen(s.addr); err != nil {
		t.Fatalf("mailtest: restart on %s: %v", s.addr, err)
	}
}

func (s *Server) listen(addr string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return errors.New("already running")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "mailtest.localhost"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 10 << 20
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.ErrorLog = log.New(io.Discard, "", 0)
	switch s.tlsMode {
	case "starttls":
		srv.TLSConfig = s.tlsConfig
	case "implicit":
		ln = tls.NewListener(ln, s.tlsConfig)
	}
	s.addr = ln.Addr().String()
	s.srv = srv
	go func() { _ = srv.Serve(ln) }()
	return nil
}

func (s *Server) newSession(*smtp.Conn) (smtp.Session, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats.Sessions++
	s.stats.Open++
	s.changedLocked()
	sess := &session{srv: s}
	if s.user != "" {
		return &authSession{session: sess}, nil
	}
	return sess, nil
}

// session is one SMTP connection.
type session struct {
	srv    *Server
	user   string
	authed bool
	from   string
	rcpt   []string
	closed bool
}

func (ss *session) needAuth() error {
	if ss.srv.user != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if err := ss.needAuth(); err != nil {
		return err
	}
	ss.srv.mu.Lock()
	refuse := ss.srv.refuse
	ss.srv.mu.Unlock()
	if refuse != nil {
		return refuse
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.needAuth(); err != nil {
		return err
	}
	ss.srv.mu.Lock()
	rejected := ss.srv.rejected[strings.ToLower(to)]
	ss.srv.mu.Unlock()
	if rejected {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailtest: no such user"}
	}
	ss.rcpt = append(ss.rcpt, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	if err := ss.needAuth(); err != nil {
		return err
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := parse(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: "mailtest: unparsable message: " + err.Error()}
	}
	msg.From, msg.To, msg.User, msg.At = ss.from, slices.Clone(ss.rcpt), ss.user, time.Now()
	ss.srv.mu.Lock()
	ss.srv.msgs = append(ss.srv.msgs, msg)
	ss.srv.changedLocked()
	hook := ss.srv.beforeAccept
	ss.srv.mu.Unlock()
	if hook != nil {
		hook(msg)
	}
	return nil
}

func (ss *session) Reset() { ss.from, ss.rcpt = "", nil }

func (ss *session) Logout() error {
	ss.srv.mu.Lock()
	defer ss.srv.mu.Unlock()
	if !ss.closed {
		ss.closed = true
		ss.srv.stats.Open--
		ss.srv.changedLocked()
	}
	return nil
}

// authSession adds AUTH PLAIN.
type authSession struct{ *session }

func (as *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (as *authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != as.srv.user || pass != as.srv.pass {
			return errors.New("mailtest: invalid user name or password")
		}
		as.user, as.authed = user, true
		return nil
	}), nil
}

// parse decodes a message: headers, subject, and its text and HTML parts.
func parse(raw []byte) (Received, error) {
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Received{}, err
	}
	r := Received{Header: m.Header, Raw: raw}
	dec := new(mime.WordDecoder)
	if r.Subject, err = dec.DecodeHeader(m.Header.Get("Subject")); err != nil {
		return r, fmt.Errorf("subject: %w", err)
	}
	err = walk(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, &r)
	return r, err
}

// walk collects the first text/plain and text/html parts of a (multipart) body.
func walk(contentType, encoding string, body io.Reader, r *Received) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, r); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // skips line breaks
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mt, err)
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	switch {
	case mt == "text/plain" && r.Text == "":
		r.Text = text
	case mt == "text/html" && r.HTML == "":
		r.HTML = text
	}
	return nil
}

func (s *Server) makeCert() error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mailtest"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	s.roots = x509.NewCertPool()
	s.roots.AddCert(cert)
	s.tlsConfig = &tls.Config{
		Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}},
		MinVersion:   tls.VersionTLS12,
	}
	return nil
}
