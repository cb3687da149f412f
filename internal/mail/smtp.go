package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	gomail "github.com/wneessen/go-mail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// Sender delivers one rendered message. Implementations are safe for
// concurrent use. An error wrapping ErrPermanent means retrying cannot help
// (a recipient was rejected with a 5xx reply, an address is malformed).
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrPermanent marks a send error that retrying cannot fix.
var ErrPermanent = errors.New("permanent delivery failure")

// ErrConfiguration marks a failure the SMTP settings cause and only a change
// of them fixes: tls=starttls (the default) against a server that offers no
// STARTTLS. serve refuses to start on it; the dispatcher names it (reason
// "configuration") and keeps the mail waiting for the fixed settings.
var ErrConfiguration = errors.New("SMTP settings do not fit the server")

// TLSMode says how an SMTP connection is secured (the tls= parameter of
// GUESTGATE_SMTP_URL).
type TLSMode string

// TLS modes.
const (
	// TLSStartTLS connects in plain text and requires STARTTLS before
	// anything else is sent. The default; port 587 by default.
	TLSStartTLS TLSMode = "starttls"
	// TLSImplicit speaks TLS from the first byte (port 465 by default).
	TLSImplicit TLSMode = "implicit"
	// TLSNone never uses TLS: for a local relay or a test server (port 25 by
	// default). Credentials are then sent only to a loopback host.
	TLSNone TLSMode = "none"
)

func (m TLSMode) defaultPort() int {
	switch m {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	default:
		return 587
	}
}

// SMTPConfig is a parsed GUESTGATE_SMTP_URL.
type SMTPConfig struct {
	Host     string
	Port     int
	TLS      TLSMode
	Username string // empty: no SMTP AUTH
	Password string
}

// Addr returns host:port.
func (c SMTPConfig) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// String returns the configuration as a URL with the password redacted, for logs.
func (c SMTPConfig) String() string {
	u := url.URL{Scheme: "smtp", Host: c.Addr(), RawQuery: "tls=" + string(c.TLS)}
	if c.Username != "" {
		u.User = url.UserPassword(c.Username, "xxxxx")
	}
	return u.String()
}

// ParseSMTPURL parses GUESTGATE_SMTP_URL:
// smtp://[user:password@]host[:port][?tls=starttls|implicit|none]. tls
// defaults to starttls; the port to 587 (starttls), 465 (implicit) or 25
// (none). User and password may be percent-encoded. The scheme smtps://
// means tls=implicit.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	var c SMTPConfig
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		// url's error repeats the input, password included.
		return c, fmt.Errorf("SMTP URL: not a URL of the form smtp://user:password@host:port?tls=starttls")
	}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		c.TLS = TLSStartTLS
	case "smtps":
		c.TLS = TLSImplicit
	default:
		return c, fmt.Errorf("SMTP URL: scheme must be smtp:// (or smtps://), not %q", u.Scheme)
	}
	if u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return c, fmt.Errorf("SMTP URL: unexpected path; want smtp://user:password@host:port?tls=starttls")
	}
	q := u.Query()
	for k := range q {
		if k != "tls" {
			return c, fmt.Errorf("SMTP URL: unknown parameter %q (only tls= is recognised)", k)
		}
	}
	if v := q.Get("tls"); v != "" {
		switch m := TLSMode(strings.ToLower(v)); m {
		case TLSStartTLS, TLSImplicit, TLSNone:
			c.TLS = m
		default:
			return c, fmt.Errorf("SMTP URL: tls=%s: want starttls, implicit or none", v)
		}
	}
	c.Host = u.Hostname()
	if c.Host == "" {
		return c, fmt.Errorf("SMTP URL: no host")
	}
	c.Port = c.TLS.defaultPort()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return c, fmt.Errorf("SMTP URL: bad port %q", p)
		}
		c.Port = n
	}
	if u.User != nil {
		c.Username = u.User.Username()
		c.Password, _ = u.User.Password()
		if c.Username == "" && c.Password != "" {
			return c, fmt.Errorf("SMTP URL: password without user name")
		}
	}
	return c, nil
}

// SMTPSenderOptions tune an SMTPSender.
type SMTPSenderOptions struct {
	// From is GUESTGATE_MAIL_FROM: the envelope sender and From address
	// ("noreply@example.com" or "Name <noreply@example.com>"; the display
	// name is used only when a message has no FromName). Its domain names
	// the Message-IDs.
	From string
	// IdleTimeout closes a connection unused this long (default 30 s).
	IdleTimeout time.Duration
	// Timeout bounds dialling and each message's exchange (default 30 s);
	// keep it below the dispatcher's lease.
	Timeout time.Duration
	// MaxIdle is how many connections stay open between messages
	// (default 4, the dispatcher's default concurrency).
	MaxIdle int
	// TLSConfig overrides the TLS settings (default: system roots, the
	// configured host as server name).
	TLSConfig *tls.Config
	// HELO is the name announced in EHLO (default: the host name).
	HELO   string
	Logger *slog.Logger
}

// SMTPSender sends over SMTP with go-mail, keeping connections open between
// messages: a message takes an idle connection (checked with NOOP) or dials
// one, and returns it afterwards; connections idle for IdleTimeout are
// closed. A connection that fails is dropped; if a reused one turns out to
// be dead before anything was sent, the message is retried once on a fresh
// connection. It is safe for concurrent use.
type SMTPSender struct {
	cfg      SMTPConfig
	client   *gomail.Client
	from     string // address
	fromName string
	domain   string // for Message-IDs
	idleFor  time.Duration
	timeout  time.Duration
	maxIdle  int
	log      *slog.Logger

	mu     sync.Mutex
	idle   []idleConn // oldest first
	reaper *time.Timer
	closed bool
}

type idleConn struct {
	c     *gosmtp.Client
	since time.Time
}

var _ Sender = (*SMTPSender)(nil)

// NewSMTPSender returns a sender for cfg. It does not connect yet.
func NewSMTPSender(cfg SMTPConfig, opts SMTPSenderOptions) (*SMTPSender, error) {
	from, err := netmail.ParseAddress(opts.From)
	if err != nil {
		return nil, fmt.Errorf("mail from address %q: %w", opts.From, err)
	}
	_, domain, _ := strings.Cut(from.Address, "@")
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 30 * time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.MaxIdle <= 0 {
		opts.MaxIdle = 4
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	copts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(opts.Timeout)}
	switch cfg.TLS {
	case TLSImplicit:
		copts = append(copts, gomail.WithSSL())
	case TLSNone:
		copts = append(copts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		copts = append(copts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if opts.TLSConfig != nil {
		copts = append(copts, gomail.WithTLSConfig(opts.TLSConfig))
	}
	if opts.HELO != "" {
		copts = append(copts, gomail.WithHELO(opts.HELO))
	}
	if cfg.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover // the strongest mechanism the server offers over TLS
		if cfg.TLS == TLSNone {
			auth = gomail.SMTPAuthPlain // go-mail sends it in clear only to a loopback host
		}
		copts = append(copts, gomail.WithSMTPAuth(auth), gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	client, err := gomail.NewClient(cfg.Host, copts...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client for %s: %w", cfg, err)
	}
	return &SMTPSender{
		cfg: cfg, client: client,
		from: from.Address, fromName: from.Name, domain: domain,
		idleFor: opts.IdleTimeout, timeout: opts.Timeout, maxIdle: opts.MaxIdle, log: opts.Logger,
	}, nil
}

// Send delivers m: From is the configured address with m.FromName as
// display name, the Message-ID is <m.ID@from-domain>, the body is
// multipart/alternative (text, HTML).
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	msg, err := s.build(m)
	if err != nil {
		return fmt.Errorf("smtp: compose %s: %w: %w", m.ID, ErrPermanent, err)
	}
	for attempt := 1; ; attempt++ {
		c, reused, err := s.get(ctx)
		if err != nil {
			return fmt.Errorf("smtp: connect to %s: %w", s.cfg.Addr(), err)
		}
		err, usable := s.sendOn(ctx, c, msg)
		if err == nil && usable {
			s.put(c)
		} else {
			s.drop(c)
		}
		switch {
		case err == nil:
			return nil
		case msg.IsDelivered():
			// The server accepted the message; only the RSET after it failed.
			return nil
		case reused && attempt == 1 && isDeadConn(err) && ctx.Err() == nil:
			s.log.DebugContext(ctx, "smtp: idle connection was closed; reconnecting", "message_id", m.ID)
			continue
		}
		return classify(err)
	}
}

// Check connects once as a send does — EHLO, STARTTLS or TLS as
// configured, AUTH — and hangs up, returning what failed.
func (s *SMTPSender) Check(ctx context.Context) error {
	c, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("SMTP check of %s: %w", s.cfg, s.configError(err))
	}
	s.quit(c)
	return nil
}

// Close closes the idle connections; Send may still be called afterwards
// but keeps no connection open.
func (s *SMTPSender) Close() error {
	s.mu.Lock()
	s.closed = true
	idle := s.idle
	s.idle = nil
	if s.reaper != nil {
		s.reaper.Stop()
		s.reaper = nil
	}
	s.mu.Unlock()
	var errs []error
	for _, ic := range idle {
		errs = append(errs, s.client.CloseWithSMTPClient(ic.c))
	}
	return errors.Join(errs...)
}

func (s *SMTPSender) build(m Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	name := m.FromName
	if name == "" {
		name = s.fromName
	}
	if err := msg.From(headerAddress(name, s.from)); err != nil {
		return nil, err
	}
	if err := msg.To(m.To...); err != nil {
		return nil, err
	}
	if len(m.Cc) > 0 {
		if err := msg.Cc(m.Cc...); err != nil {
			return nil, err
		}
	}
	if m.ReplyTo != "" {
		if err := msg.ReplyTo(m.ReplyTo); err != nil {
			return nil, err
		}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(m.ID + "@" + s.domain)
	if m.CreatedAt.IsZero() {
		msg.SetDate()
	} else {
		msg.SetDateWithValue(m.CreatedAt)
	}
	// RFC 3834: no vacation replies to automatic mail.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	if m.Language != "" {
		msg.SetGenHeader(gomail.HeaderContentLang, m.Language)
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// sendOn sends msg on c. usable reports whether c may be reused.
func (s *SMTPSender) sendOn(ctx context.Context, c *gosmtp.Client, msg *gomail.Msg) (err error, usable bool) {
	// Abort a hung exchange when ctx ends; the connection is then gone.
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	err = s.client.SendWithSMTPClient(c, msg)
	if !stop() {
		return errors.Join(err, ctx.Err()), false
	}
	return err, err == nil
}

// get returns the most recently used idle connection, or dials one.
func (s *SMTPSender) get(ctx context.Context) (c *gosmtp.Client, reused bool, err error) {
	s.mu.Lock()
	if n := len(s.idle); n > 0 {
		c = s.idle[n-1].c
		s.idle = s.idle[:n-1]
		s.mu.Unlock()
		// The deadline of its last exchange may have passed while it idled.
		if err := c.UpdateDeadline(s.timeout); err != nil {
			_ = c.Close()
			return s.get(ctx)
		}
		return c, true, nil
	}
	s.mu.Unlock()
	c, err = s.client.DialToSMTPClientWithContext(ctx)
	return c, false, s.configError(err)
}

// configError names a missing STARTTLS as the configuration error it is,
// with what to change; other errors pass unchanged. go-mail reports it only
// as text.
func (s *SMTPSender) configError(err error) error {
	if err == nil || s.cfg.TLS != TLSStartTLS || !strings.Contains(err.Error(), "does not support STARTTLS") {
		return err
	}
	return fmt.Errorf("%w: %s offers no STARTTLS, which tls=starttls in GUESTGATE_SMTP_URL requires; "+
		"use tls=implicit for a server that speaks TLS from the start (port 465), or tls=none only for a server on this machine: %w",
		ErrConfiguration, s.cfg.Addr(), err)
}

// put keeps c for the next message, or closes it when enough are kept.
func (s *SMTPSender) put(c *gosmtp.Client) {
	s.mu.Lock()
	if s.closed || len(s.idle) >= s.maxIdle {
		s.mu.Unlock()
		s.quit(c)
		return
	}
	s.idle = append(s.idle, idleConn{c: c, since: time.Now()})
	if s.reaper == nil {
		s.reaper = time.AfterFunc(s.idleFor, s.reap)
	}
	s.mu.Unlock()
}

// reap closes connections idle for IdleTimeout and re-arms for the rest.
func (s *SMTPSender) reap() {
	s.mu.Lock()
	now := time.Now()
	var stale []*gosmtp.Client
	keep := s.idle[:0]
	for _, ic := range s.idle {
		if now.Sub(ic.since) >= s.idleFor {
			stale = append(stale, ic.c)
		} else {
			keep = append(keep, ic)
		}
	}
	clear(s.idle[len(keep):])
	s.idle = keep
	s.reaper = nil
	if len(keep) > 0 && !s.closed {
		s.reaper = time.AfterFunc(s.idleFor-now.Sub(keep[0].since), s.reap)
	}
	s.mu.Unlock()
	for _, c := range stale {
		s.quit(c)
	}
}

// drop closes a connection whose state is unknown, without a QUIT.
func (s *SMTPSender) drop(c *gosmtp.Client) { _ = c.Close() }

// quit closes a healthy connection politely.
func (s *SMTPSender) quit(c *gosmtp.Client) {
	if err := s.client.CloseWithSMTPClient(c); err != nil {
		_ = c.Close()
	}
}

// isDeadConn reports that the connection failed its liveness check, so
// nothing of the message was sent.
func isDeadConn(err error) bool {
	var se *gomail.SendError
	return errors.As(err, &se) && se.Reason == gomail.ErrConnCheck
}

// classify marks failures that retrying cannot fix: a recipient rejected
// with a 5xx reply, or an address go-mail cannot use.
func classify(err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) {
		switch {
		case se.Reason == gomail.ErrSMTPRcptTo && se.ErrorCode() >= 500:
			return fmt.Errorf("smtp: %w: %w", ErrPermanent, err)
		case se.Reason == gomail.ErrGetSender || se.Reason == gomail.ErrGetRcpts:
			return fmt.Errorf("smtp: %w: %w", ErrPermanent, err)
		}
	}
	return fmt.Errorf("smtp: %w", err)
}

// DevMailbox is the sender of dev mode (--dev-mailbox, guestgate demo): it
// sends nothing and keeps the newest messages in the process, bodies
// included, for the dev mailbox page (ListMail). The outbox empties a
// message's bodies once it is sent, so the page cannot read them there.
// It is safe for concurrent use.
type DevMailbox struct {
	log  *slog.Logger
	keep int

	mu   sync.Mutex
	msgs []Status // oldest first, at most keep
}

var (
	_ Sender  = (*DevMailbox)(nil)
	_ Mailbox = (*DevMailbox)(nil)
)

// NewDevMailbox returns a DevMailbox keeping the newest keep messages
// (default 200); log may be nil.
func NewDevMailbox(log *slog.Logger, keep int) *DevMailbox {
	if keep <= 0 {
		keep = 200
	}
	return &DevMailbox{log: log, keep: keep}
}

// Send keeps m for the dev mailbox.
func (d *DevMailbox) Send(ctx context.Context, m Message) error {
	d.mu.Lock()
	d.msgs = append(d.msgs, Status{Message: m, Attempts: 1, SentAt: time.Now().UTC()})
	if over := len(d.msgs) - d.keep; over > 0 {
		d.msgs = append(d.msgs[:0:0], d.msgs[over:]...)
	}
	d.mu.Unlock()
	if d.log != nil {
		d.log.DebugContext(ctx, "dev mailbox: message kept, not sent", "message_id", m.ID, "kind", m.Kind)
	}
	return nil
}

// ListMail returns the kept messages, newest first, at most limit.
func (d *DevMailbox) ListMail(_ context.Context, limit int) ([]Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]Status, 0, min(limit, len(d.msgs)))
	for i := len(d.msgs) - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, d.msgs[i])
	}
	return out, nil
}

// Failure reasons (FailureReason), for metrics.
const (
	ReasonPermanent  = "permanent"  // the server refused the message for good (5xx); not retried
	ReasonTimeout    = "timeout"    // the send took longer than its timeout
	ReasonConnection = "connection" // the server could not be reached
	ReasonTemporary  = "temporary"  // anything else, such as a 4xx answer; retried
	// ReasonConfiguration: the settings do not fit the server (no STARTTLS);
	// the mail waits until they are fixed.
	ReasonConfiguration = "configuration"
)

// FailureReason classifies a Sender's error for metrics.
func FailureReason(err error) string {
	var (
		netErr net.Error
		opErr  *net.OpError
	)
	switch {
	case errors.Is(err, ErrPermanent):
		return ReasonPermanent
	case errors.Is(err, ErrConfiguration):
		return ReasonConfiguration
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return ReasonTimeout
	case errors.As(err, &opErr), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		strings.Contains(err.Error(), "connection refused"), strings.Contains(err.Error(), "dial "):
		return ReasonConnection
	}
	return ReasonTemporary
}
