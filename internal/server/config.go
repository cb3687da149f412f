package server

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/egress"
	"github.com/guestgate/guestgate/internal/federation"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// Config is a deployment's configuration; cmd/guestgate fills it from
// flags and GUESTGATE_* variables. Validate runs before anything starts.
type Config struct {
	DatabaseURL string // SQLite file path or postgres:// URL
	// DatabasePooler is "" or "pgbouncer" (transaction pooling), and
	// DatabaseListenURL a direct connection for LISTEN behind it
	// (sqlstore.PoolerPgBouncer).
	DatabasePooler, DatabaseListenURL string
	PublicURL                         string // how browsers and apps reach guestgate
	Listen                            string // host:port to serve on
	SMTPURL                           string // smtp://user:pass@host:587?tls=starttls; required unless DevMailbox
	MailFrom                          string // sender address of every mail
	DeploymentName                    string // "from {deployment name} on behalf of {tenant}"
	DomainSuffix                      string // tenants' initial domains are {name}.{suffix}
	// Secret keys passcode hashes, CSRF tokens, sealed sign-in states, code
	// and token encryption and the sealing of signing keys at rest. It may
	// hold several secrets separated by commas or white space (Secrets):
	// the first signs and seals, all verify and open, so a secret is
	// rotated by putting a new one first and keeping the old one second
	// for a while. Every process of a deployment needs the same list; it
	// must not be stored in the database (a keyed hash is only as good as
	// its key).
	Secret          string
	SessionLifetime time.Duration
	AutoEnableDate  time.Time // when "default" turns email OTP on (section 4)
	OTP             otp.Limits
	Members         member.Limits // the wrong-password throttle
	// Abuse limits sends, refused codes and failed token requests per
	// client address and per tenant, and admin API writes per app.
	Abuse ratelimit.Limits
	// Dev allows a plain-http public URL on a non-loopback host (development only).
	Dev bool
	// HTTP bounds each connection's time and the number held at once.
	HTTP HTTPLimits
	// adminOnly: opened by OpenBase without a secret.
	adminOnly bool
	// DevMailbox keeps mail in the process and serves it, unauthenticated,
	// at /dev/mailbox: passcodes and redeem links of every tenant. Only
	// `guestgate demo` or an explicit --dev-mailbox on a loopback public
	// URL may turn it on; it never runs beside an SMTP server.
	DevMailbox bool
	// SMTPCheck is what serve does with its start-up SMTP check (connect,
	// EHLO, STARTTLS as configured, AUTH): "warn" logs a failure and
	// serves (mail waits in the outbox and is retried), "strict" refuses
	// to start, "off" skips the check.
	SMTPCheck string
	// GoogleIssuer is where tenants' Google federation discovers Google
	// (https://accounts.google.com; another OpenID provider only for tests).
	GoogleIssuer string
	// FederationAllowHTTP lets partners' identity provider URLs (metadata,
	// issuer, sign-in, and what discovery names) use plain http. For
	// development and tests only: serve never sets it by default, demo does.
	FederationAllowHTTP bool
	// FederationAllowAddresses names the non-public addresses partners'
	// identity providers may be fetched from (CIDRs, addresses, host:port;
	// separated by commas). Empty: public addresses only (issue 20,
	// finding 4: loopback, private, link-local, multicast, CGNAT and other
	// special-purpose addresses are refused when dialled).
	FederationAllowAddresses string
	// UnmanagedRedemption is "seed" (the rollout table of DESIGN section 5:
	// guests may redeem with, and create, unmanaged accounts) or "retired"
	// (new redemptions never create or use unmanaged accounts; they fall
	// back to passcodes or personal accounts). Empty means "seed".
	UnmanagedRedemption string
	// PublicMailDomains are added to the built-in list of public consumer
	// mail domains (gmail.com, outlook.com, …) for which no unmanaged
	// directory is ever made (R15); their addresses take the
	// personal-account path.
	PublicMailDomains []string
	// MailRetention is how long sent and given-up mail (recipients,
	// subject, outcome; never the bodies) stays in the outbox; zero means
	// mail.DefaultRetention.
	MailRetention time.Duration
	// MetricsListen, if set, is a host:port of its own serving /metrics
	// (and nothing else); the public listener then does not serve it.
	MetricsListen string
	// BulkInviteQueue caps a tenant's unfinished bulk invitations (waiting
	// or in progress); an upload beyond it is refused. 0: no cap.
	BulkInviteQueue int
	// Queries bound what one request may cost the database (query_limits.go).
	Queries QueryLimits
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client address (none: the connection's peer is the client), so
	// that per-client limits tell clients apart behind a proxy.
	TrustedProxies httpx.TrustedProxies
}

// HTTPLimits cut off clients that hold a connection without finishing a
// request (slow headers or bodies, idle keep-alives) and cap how many
// connections are held at once.
type HTTPLimits struct {
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration // the whole request, body included
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	MaxConnections    int
	// Drain is the longest a stopping process keeps answering (each
	// response closing its connection, /readyz 503) before it stops
	// listening; the drain ends sooner once no request has come for
	// 0.1 s. It should outlast the load balancer's time to notice /readyz.
	Drain time.Duration
}

// DefaultHTTPLimits suit sign-in pages and the admin API behind a proxy.
var DefaultHTTPLimits = HTTPLimits{
	ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second,
	IdleTimeout: 2 * time.Minute, MaxConnections: 4096, Drain: time.Second,
}

// Defaults returns the configuration used when nothing is set.
func Defaults() Config {
	return Config{
		DatabaseURL:         "guestgate.db",
		PublicURL:           "http://127.0.0.1:8080",
		Listen:              "127.0.0.1:8080",
		MailFrom:            "guestgate@localhost",
		SMTPCheck:           SMTPCheckWarn,
		DeploymentName:      "guestgate",
		DomainSuffix:        "guestgate.local",
		SessionLifetime:     24 * time.Hour,
		AutoEnableDate:      policy.DefaultAutoEnableDate,
		OTP:                 otp.DefaultLimits,
		Members:             member.DefaultLimits,
		Abuse:               ratelimit.DefaultLimits,
		HTTP:                DefaultHTTPLimits,
		GoogleIssuer:        federation.GoogleIssuer,
		MailRetention:       mail.DefaultRetention,
		BulkInviteQueue:     bulkinvite.DefaultMaxQueued,
		UnmanagedRedemption: UnmanagedSeed,
		Queries:             DefaultQueryLimits,
	}
}

// Validate reports settings that cannot work, naming the variable to fix.
// SMTPCheck values.
const (
	SMTPCheckWarn   = "warn"
	SMTPCheckStrict = "strict"
	SMTPCheckOff    = "off"
)

func (c Config) Validate() error {
	var errs []error
	switch c.SMTPCheck {
	case SMTPCheckWarn, SMTPCheckStrict, SMTPCheckOff, "":
	default:
		errs = append(errs, fmt.Errorf("--smtp-check %q: want warn, strict or off", c.SMTPCheck))
	}
	if c.DatabaseURL == "" {
		errs = append(errs, errors.New("GUESTGATE_DATABASE_URL is empty: give a SQLite file path or a postgres:// URL"))
	}
	if err := c.ValidatePublicURL(); err != nil {
		errs = append(errs, err)
	}
	u, err := url.Parse(c.PublicURL)
	switch {
	case c.DevMailbox && c.SMTPURL != "":
		errs = append(errs, errors.New("--dev-mailbox keeps mail in the process; it cannot be used with GUESTGATE_SMTP_URL"))
	case c.DevMailbox && (err != nil || !isLoopback(u.Hostname())):
		errs = append(errs, fmt.Errorf("--dev-mailbox serves every tenant's passcodes without authentication; it runs only with a loopback GUESTGATE_PUBLIC_URL, not %q", c.PublicURL))
	case !c.DevMailbox && c.SMTPURL == "":
		errs = append(errs, errors.New("GUESTGATE_SMTP_URL is empty: guestgate needs a mail server to send invitations and passcodes (e.g. smtp://user:pass@smtp.example.com:587?tls=starttls); for a local try-out use `guestgate demo`"))
	}
	if h := c.HTTP; h.MaxConnections < 1 || h.ReadHeaderTimeout <= 0 || h.ReadTimeout <= 0 || h.WriteTimeout <= 0 || h.IdleTimeout <= 0 {
		errs = append(errs, fmt.Errorf("GUESTGATE_MAX_CONNECTIONS must be at least 1 and HTTP timeouts positive (got %+v)", h))
	}
	if d := c.HTTP.Drain; d <= 0 || d > maxDrain {
		errs = append(errs, fmt.Errorf("GUESTGATE_DRAIN_TIMEOUT must be more than 0 and at most %v (got %v)", maxDrain, d))
	}
	if c.Listen == "" {
		errs = append(errs, errors.New("GUESTGATE_LISTEN is empty: give host:port"))
	}
	if c.MetricsListen != "" && c.MetricsListen == c.Listen {
		errs = append(errs, errors.New("GUESTGATE_METRICS_LISTEN is GUESTGATE_LISTEN: give /metrics an address of its own, off the public side, or leave it empty"))
	}
	if err := c.validateUnmanaged(); err != nil {
		errs = append(errs, err)
	}
	if _, err := c.federationEgress(); err != nil {
		errs = append(errs, err)
	}
	if err := checkSecrets(c.Secrets()); err != nil {
		errs = append(errs, err)
	}
	if c.SessionLifetime < time.Minute {
		errs = append(errs, fmt.Errorf("GUESTGATE_SESSION_LIFETIME %s is too short", c.SessionLifetime))
	}
	if c.MailRetention != 0 && c.MailRetention < time.Hour { // zero: the default
		errs = append(errs, fmt.Errorf("GUESTGATE_MAIL_RETENTION %s is too short: keep finished mail at least an hour", c.MailRetention))
	}
	if err := c.OTP.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Members.Validate(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Abuse.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.BulkInviteQueue < 0 {
		errs = append(errs, fmt.Errorf("GUESTGATE_BULK_INVITE_QUEUE %d: want 0 (no cap) or more", c.BulkInviteQueue))
	}
	if err := c.Queries.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// federationEgress is how federation reaches partners' providers.
func (c Config) federationEgress() (egress.Options, error) {
	allow, err := egress.ParseAllowList(c.FederationAllowAddresses)
	if err != nil {
		return egress.Options{}, fmt.Errorf("GUESTGATE_FEDERATION_ALLOW_ADDRESSES: %w", err)
	}
	return egress.Options{AllowHTTP: c.FederationAllowHTTP, Allow: allow}, nil
}

// ValidatePublicURL checks GUESTGATE_PUBLIC_URL: absolute, https outside
// loopback development, no path.
func (c Config) ValidatePublicURL() error {
	u, err := url.Parse(c.PublicURL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		return fmt.Errorf("GUESTGATE_PUBLIC_URL %q must be an absolute http(s) URL", c.PublicURL)
	case u.Scheme == "http" && !c.Dev && !isLoopback(u.Hostname()):
		return fmt.Errorf("GUESTGATE_PUBLIC_URL %q must use https (plain http is for loopback development only)", c.PublicURL)
	case u.Path != "" && u.Path != "/":
		return fmt.Errorf("GUESTGATE_PUBLIC_URL %q must not have a path", c.PublicURL)
	}
	return nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "::1" || strings.HasPrefix(host, "127.")
}

// Secrets splits Secret into its secrets, current first. Commas and white
// space (spaces, tabs, line breaks) separate them, so a secret itself
// contains neither (`openssl rand -base64 48` makes such secrets).
func (c Config) Secrets() []string {
	return strings.FieldsFunc(c.Secret, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
}

func checkSecrets(list []string) error {
	if len(list) == 0 {
		return errors.New("GUESTGATE_SECRET (or the file GUESTGATE_SECRET_FILE names) is empty: give a secret of at least 32 characters (e.g. `openssl rand -base64 48`), the same in every process")
	}
	for i, s := range list {
		if len(s) < 32 {
			return fmt.Errorf("GUESTGATE_SECRET: secret %d of %d is %d characters; each must be at least 32 (e.g. `openssl rand -base64 48`)", i+1, len(list), len(s))
		}
	}
	return nil
}

// subkeys derives an independent key for one purpose from each secret,
// the current secret's first.
func (c Config) subkeys(purpose string) [][]byte {
	var out [][]byte
	for _, s := range c.Secrets() {
		m := hmac.New(sha256.New, []byte(s))
		m.Write([]byte("guestgate/" + purpose))
		out = append(out, m.Sum(nil))
	}
	return out
}

// subkey derives the current secret's key for one purpose.
func (c Config) subkey(purpose string) []byte { return c.subkeys(purpose)[0] }

// insecure reports whether cookies and URLs are plain HTTP (dev only).
func (c Config) insecure() bool { return strings.HasPrefix(c.PublicURL, "http://") }

// IsPostgres reports whether the database is PostgreSQL.
func (c Config) IsPostgres() bool { return sqlstore.IsPostgresURL(c.DatabaseURL) }

// DatabaseOptions returns the store options every command takes from the
// configuration: how PostgreSQL is reached (directly or through a pooler).
func (c Config) DatabaseOptions() sqlstore.Options {
	return sqlstore.Options{Pooler: c.DatabasePooler, ListenURL: c.DatabaseListenURL}
}
