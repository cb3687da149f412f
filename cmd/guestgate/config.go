package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/server"
)

// configFlags holds the values of the deployment flags.
type configFlags struct {
	cfg        server.Config
	autoDate   string
	logLevel   string
	secretFile string
	secretFlag string // --secret, refused: see load
	// dbURLFile and smtpURLFile name files holding the database and SMTP
	// URLs, whose passwords must stay off the command line (load).
	dbURLFile, smtpURLFile string
	// warnings are what load found worth saying (a private file others may
	// read); logger logs them once the logger exists.
	warnings []string
	// trustedProxies is --trusted-proxies, parsed by load.
	trustedProxies string
	// abuseWindow is the window of the send, code and token limits.
	abuseWindow time.Duration
}

// setting pairs a flag with its environment variable. This table is the one
// place that names them; help texts and the README are derived from it.
type setting struct {
	flag, env, usage string
	bind             func(fs *pflag.FlagSet, name, usage string)
}

func settings(f *configFlags) []setting {
	c := &f.cfg
	str := func(p *string) func(*pflag.FlagSet, string, string) {
		return func(fs *pflag.FlagSet, n, u string) { fs.StringVar(p, n, *p, u) }
	}
	dur := func(p *time.Duration) func(*pflag.FlagSet, string, string) {
		return func(fs *pflag.FlagSet, n, u string) { fs.DurationVar(p, n, *p, u) }
	}
	num := func(p *int) func(*pflag.FlagSet, string, string) {
		return func(fs *pflag.FlagSet, n, u string) { fs.IntVar(p, n, *p, u) }
	}
	list := func(p *[]string) func(*pflag.FlagSet, string, string) {
		return func(fs *pflag.FlagSet, n, u string) { fs.StringSliceVar(p, n, *p, u) }
	}
	boolean := func(p *bool) func(*pflag.FlagSet, string, string) {
		return func(fs *pflag.FlagSet, n, u string) { fs.BoolVar(p, n, *p, u) }
	}
	return []setting{
		{"database-url", "GUESTGATE_DATABASE_URL", "SQLite file path or postgres:// URL, required by every command but demo (no default file); a password is taken only from the variable or --database-url-file, never the flag", str(&c.DatabaseURL)},
		{"database-pooler", "GUESTGATE_DATABASE_POOLER", "what stands between guestgate and PostgreSQL: empty (a direct connection, or a pooler in session mode) or pgbouncer (PgBouncer in transaction pooling mode: no named prepared statements, the query budget set per transaction)", str(&c.DatabasePooler)},
		{"database-listen-url", "GUESTGATE_DATABASE_LISTEN_URL", "a direct postgres:// URL (not through a transaction pooler) for the outbox's LISTEN, so mail queued by another process is sent at once; empty: the database URL, or none with --database-pooler (then such mail waits for the 5 s poll); a password only from the variable", str(&c.DatabaseListenURL)},
		{"public-url", "GUESTGATE_PUBLIC_URL", "URL browsers and apps use to reach guestgate", str(&c.PublicURL)},
		{"listen", "GUESTGATE_LISTEN", "address to serve HTTP on", str(&c.Listen)},
		{"metrics-listen", "GUESTGATE_METRICS_LISTEN", "address to serve /metrics on, apart from --listen (which then does not serve it); empty: /metrics on --listen", str(&c.MetricsListen)},
		{"database-url-file", "GUESTGATE_DATABASE_URL_FILE", "file holding the database URL (a PostgreSQL password is never a flag value)", str(&f.dbURLFile)},
		{"smtp-url", "GUESTGATE_SMTP_URL", "smtp://host:587?tls=starttls|implicit|none (required by serve); a user:password@ is taken only from the variable or --smtp-url-file, never the flag", str(&c.SMTPURL)},
		{"smtp-url-file", "GUESTGATE_SMTP_URL_FILE", "file holding the SMTP URL with its password", str(&f.smtpURLFile)},
		{"mail-from", "GUESTGATE_MAIL_FROM", "sender address of guestgate's mail (envelope and From); mail shows it as \"<deployment-name> on behalf of <tenant>\", not with a display name given here", str(&c.MailFrom)},
		{"smtp-check", "GUESTGATE_SMTP_CHECK", "serve's SMTP check at start (EHLO, STARTTLS, AUTH): warn logs a failure, strict refuses to start, off skips it", str(&c.SMTPCheck)},
		{"deployment-name", "GUESTGATE_DEPLOYMENT_NAME", "the sender's name in mail: \"<name> on behalf of <tenant>\"", str(&c.DeploymentName)},
		{"domain-suffix", "GUESTGATE_DOMAIN_SUFFIX", "suffix of tenants' initial domains", str(&c.DomainSuffix)},
		{"secret-file", "GUESTGATE_SECRET_FILE", "file holding the server secret(s) (see GUESTGATE_SECRET); the secret is never taken from the command line", str(&f.secretFile)},
		{"session-lifetime", "GUESTGATE_SESSION_LIFETIME", "absolute lifetime of a guest session", dur(&c.SessionLifetime)},
		{"otp-auto-enable-date", "GUESTGATE_OTP_AUTO_ENABLE_DATE", "date (YYYY-MM-DD) from which the policy value \"default\" enables email OTP", str(&f.autoDate)},
		{"otp-digits", "GUESTGATE_OTP_DIGITS", "digits in a passcode", num(&c.OTP.Digits)},
		{"otp-validity", "GUESTGATE_OTP_VALIDITY", "how long a passcode is valid after it is sent", dur(&c.OTP.Validity)},
		{"otp-max-attempts", "GUESTGATE_OTP_MAX_ATTEMPTS", "wrong entries a passcode absorbs before it is void", num(&c.OTP.MaxAttempts)},
		{"otp-resend-interval", "GUESTGATE_OTP_RESEND_INTERVAL", "minimum time between two passcodes to one address from one client network", dur(&c.OTP.ResendAfter)},
		{"otp-sends-per-hour", "GUESTGATE_OTP_SENDS_PER_HOUR", "passcodes to one address from one client network per hour", num(&c.OTP.PerHour)},
		{"otp-address-sends-per-hour", "GUESTGATE_OTP_ADDRESS_SENDS_PER_HOUR", "passcodes to one address from all clients per hour before only client networks that sent none may send", num(&c.OTP.AddressPerHour)},
		{"password-account-failures", "GUESTGATE_PASSWORD_ACCOUNT_FAILURES", "wrong passwords per member account from one client network in a window before that network waits for the window's end", num(&c.Members.AccountFailures)},
		{"password-account-ceiling", "GUESTGATE_PASSWORD_ACCOUNT_CEILING", "wrong passwords per member account from all clients in a window before only client networks without failures of their own may try (0: off)", num(&c.Members.AccountCeiling)},
		{"password-address-failures", "GUESTGATE_PASSWORD_ADDRESS_FAILURES", "wrong passwords per client network in a window, across accounts, before it waits for the window's end", num(&c.Members.AddressFailures)},
		{"password-failure-window", "GUESTGATE_PASSWORD_FAILURE_WINDOW", "window counting wrong passwords (the longest a lockout lasts)", dur(&c.Members.Window)},
		{"password-tenant-failures", "GUESTGATE_PASSWORD_TENANT_FAILURES", "wrong passwords per tenant in a window before only client addresses without failures of their own may try (0: off)", num(&c.Members.TenantFailures)},
		{"send-limit-per-client", "GUESTGATE_SEND_LIMIT_PER_CLIENT", "passcodes sent per client address in the abuse window, across addresses and tenants (0: off)", num(&c.Abuse.Send.PerClient.Limit)},
		{"send-limit-per-tenant", "GUESTGATE_SEND_LIMIT_PER_TENANT", "passcodes sent per tenant in the abuse window before only client addresses that sent none may send (0: off)", num(&c.Abuse.Send.PerTenant.Limit)},
		{"code-failures-per-client", "GUESTGATE_CODE_FAILURES_PER_CLIENT", "refused passcodes per client address in the abuse window (0: off)", num(&c.Abuse.Verify.PerClient.Limit)},
		{"code-failures-per-tenant", "GUESTGATE_CODE_FAILURES_PER_TENANT", "refused passcodes per tenant in the abuse window before only client addresses without refusals may try (0: off)", num(&c.Abuse.Verify.PerTenant.Limit)},
		{"token-failures-per-client", "GUESTGATE_TOKEN_FAILURES_PER_CLIENT", "failed token requests per client address in the abuse window (0: off)", num(&c.Abuse.Token.PerClient.Limit)},
		{"token-failures-per-tenant", "GUESTGATE_TOKEN_FAILURES_PER_TENANT", "failed token requests per tenant in the abuse window before only client addresses without failures may try (0: off)", num(&c.Abuse.Token.PerTenant.Limit)},
		{"abuse-window", "GUESTGATE_ABUSE_WINDOW", "window of the send, passcode and token limits (the longest a refusal lasts)", dur(&f.abuseWindow)},
		{"graph-write-limit", "GUESTGATE_GRAPH_WRITE_LIMIT", "admin API writes (POST, PATCH, DELETE) per app per tenant in the write window, as Graph's; console invitations count the same way per member (0: off)", num(&c.Abuse.GraphWrites.PerTenant.Limit)},
		{"graph-write-window", "GUESTGATE_GRAPH_WRITE_WINDOW", "window of the write limit of admin API writes and console invitations", dur(&c.Abuse.GraphWrites.PerTenant.Window)},
		{"bulk-invite-queue", "GUESTGATE_BULK_INVITE_QUEUE", "unfinished bulk invitations (waiting or in progress) a tenant may have at once; more uploads are refused (0: no cap)", num(&c.BulkInviteQueue)},
		{"query-timeout", "GUESTGATE_QUERY_TIMEOUT", "longest a database statement (or transaction) of a request may run before it is stopped and the request answers 503 (0: no limit)", dur(&c.Queries.Timeout)},
		{"graph-read-limit", "GUESTGATE_GRAPH_READ_LIMIT", "admin API reads (GET) per app, or per member of a delegated token, per tenant in the read window, counted in each process (0: off)", num(&c.Queries.ReadLimit.Limit)},
		{"graph-read-window", "GUESTGATE_GRAPH_READ_WINDOW", "window of the admin API read limit", dur(&c.Queries.ReadLimit.Window)},
		{"graph-read-concurrency", "GUESTGATE_GRAPH_READ_CONCURRENCY", "admin API reads of one tenant running at once in a process; more wait up to the query timeout, then answer 429 (0: no bound)", num(&c.Queries.ReadConcurrency)},
		{"google-issuer", "GUESTGATE_GOOGLE_ISSUER", "OpenID Connect issuer tenants' Google federation discovers (change only for tests)", str(&c.GoogleIssuer)},
		{"federation-allow-addresses", "GUESTGATE_FEDERATION_ALLOW_ADDRESSES", "non-public addresses partners' identity providers may be fetched from (loopback, private, link-local… are refused otherwise): CIDRs, addresses or host:port, comma-separated", str(&c.FederationAllowAddresses)},
		{"federation-allow-http", "GUESTGATE_FEDERATION_ALLOW_HTTP", "development only: let partners' identity provider URLs use plain http (demo sets it; never in production)", boolean(&c.FederationAllowHTTP)},
		{"mail-retention", "GUESTGATE_MAIL_RETENTION", "how long sent and given-up mail stays in the outbox (recipients, subject, outcome; the bodies are deleted once sent)", dur(&c.MailRetention)},
		{"unmanaged-redemption", "GUESTGATE_UNMANAGED_REDEMPTION", "seed: guests may redeem with and create unmanaged accounts as the rollout table says; retired: never (passcodes or personal accounts instead)", str(&c.UnmanagedRedemption)},
		{"trusted-proxies", "GUESTGATE_TRUSTED_PROXIES", "comma-separated addresses or CIDR prefixes of reverse proxies whose X-Forwarded-For names the client address (default none: the connection's peer is the client)", str(&f.trustedProxies)},
		{"public-mail-domains", "GUESTGATE_PUBLIC_MAIL_DOMAINS", "comma-separated public consumer mail domains added to the built-in list (gmail.com, outlook.com, …): no unmanaged directory is ever made for them; their addresses get personal accounts", list(&c.PublicMailDomains)},
		{"max-connections", "GUESTGATE_MAX_CONNECTIONS", "connections held open at once; more wait to be accepted", num(&c.HTTP.MaxConnections)},
		{"drain-timeout", "GUESTGATE_DRAIN_TIMEOUT", "longest serve keeps answering after SIGTERM (responses close their connections, /readyz answers 503) before it stops listening; ends sooner after 0.1 s without requests. Set it above the time your load balancer takes to act on /readyz", dur(&c.HTTP.Drain)},
		{"log-level", "GUESTGATE_LOG_LEVEL", "debug, info, warn or error", str(&f.logLevel)},
	}
}

// bindConfigFlags registers the deployment flags on root, each defaulting
// to its GUESTGATE_* variable when that is set.
func bindConfigFlags(root *cobra.Command) *configFlags {
	cfg := server.Defaults()
	f := &configFlags{cfg: cfg, autoDate: cfg.AutoEnableDate.Format(time.DateOnly), logLevel: "info", abuseWindow: ratelimit.DefaultWindow}
	// No default database: every command but demo needs one set (database.go).
	f.cfg.DatabaseURL = ""
	fs := root.PersistentFlags()
	for _, s := range settings(f) {
		s.bind(fs, s.flag, s.usage+" (env "+s.env+")")
	}
	fs.StringVar(&f.secretFlag, "secret", "", "refused: give the secret in GUESTGATE_SECRET or GUESTGATE_SECRET_FILE")
	_ = fs.MarkHidden("secret")
	fs.BoolVar(&f.cfg.Dev, "dev", false, "development mode: allow a plain-http public URL (env GUESTGATE_DEV)")
	fs.BoolVar(&f.cfg.DevMailbox, "dev-mailbox", false, "keep mail in the process and show every tenant's mail at /dev/mailbox, unauthenticated; loopback public URL only, never with an SMTP server (env GUESTGATE_DEV_MAILBOX)")
	return f
}

// secretHelp is how the secret is given; the root command's help shows it.
const secretHelp = `The server secret is never a flag (a command line is visible to every user of the machine):
set GUESTGATE_SECRET, or GUESTGATE_SECRET_FILE / --secret-file to a file holding it. Each secret
is at least 32 characters (e.g. openssl rand -base64 48) and the same in every process. Several
secrets, separated by commas or white space, rotate it: the first signs and seals, all verify.
A secret file others may read or change is refused (chmod 600; 640 warns). Passwords in the
database and SMTP URLs are never flag values either: set GUESTGATE_DATABASE_URL and
GUESTGATE_SMTP_URL, or GUESTGATE_DATABASE_URL_FILE / GUESTGATE_SMTP_URL_FILE to files holding them.`

// load applies GUESTGATE_* variables to flags not given on the command line,
// then parses what needs parsing. The secret comes from GUESTGATE_SECRET or
// the file GUESTGATE_SECRET_FILE (--secret-file) names, never from a flag;
// a password in the database or SMTP URL likewise comes from the variable
// or its *_FILE file, never from a flag value.
func (f *configFlags) load(cmd *cobra.Command) (server.Config, error) {
	fs := cmd.Flags()
	if fs.Changed("secret") {
		return f.cfg, errors.New("--secret is refused: a secret on the command line is visible to every user of the machine (ps, /proc); set GUESTGATE_SECRET or GUESTGATE_SECRET_FILE (--secret-file) instead")
	}
	// Before the variables are applied (which marks their flags changed):
	// only here is a changed flag one the command line gave.
	if err := refuseFlagPasswords(fs); err != nil {
		return f.cfg, err
	}
	all := append(settings(f), setting{flag: "dev", env: "GUESTGATE_DEV"}, setting{flag: "dev-mailbox", env: "GUESTGATE_DEV_MAILBOX"})
	for _, s := range all {
		v, ok := os.LookupEnv(s.env)
		if !ok || fs.Changed(s.flag) {
			continue
		}
		if err := fs.Set(s.flag, v); err != nil {
			return f.cfg, fmt.Errorf("%s=%q: %w", s.env, v, err)
		}
	}
	env, hasEnv := os.LookupEnv("GUESTGATE_SECRET")
	switch {
	case f.secretFile != "" && hasEnv && strings.TrimSpace(env) != "":
		return f.cfg, errors.New("both GUESTGATE_SECRET and GUESTGATE_SECRET_FILE are set: give the secret one way")
	case f.secretFile != "":
		b, err := f.readPrivate("GUESTGATE_SECRET_FILE", f.secretFile)
		if err != nil {
			return f.cfg, err
		}
		f.cfg.Secret = string(b)
	case hasEnv:
		f.cfg.Secret = env
	}
	for _, u := range []struct {
		flag, file, env string
		path            string
		dst             *string
	}{
		{"database-url", "database-url-file", "GUESTGATE_DATABASE_URL", f.dbURLFile, &f.cfg.DatabaseURL},
		{"smtp-url", "smtp-url-file", "GUESTGATE_SMTP_URL", f.smtpURLFile, &f.cfg.SMTPURL},
	} {
		if u.path == "" {
			continue
		}
		if fs.Changed(u.flag) {
			return f.cfg, fmt.Errorf("both %s (--%s) and %s_FILE (--%s) are set: give the URL one way", u.env, u.flag, u.env, u.file)
		}
		b, err := f.readPrivate(u.env+"_FILE", u.path)
		if err != nil {
			return f.cfg, err
		}
		*u.dst = strings.TrimSpace(string(b))
	}
	d, err := time.Parse("2006-01-02", f.autoDate)
	if err != nil {
		return f.cfg, fmt.Errorf("--otp-auto-enable-date %q: want YYYY-MM-DD", f.autoDate)
	}
	f.cfg.AutoEnableDate = d
	if f.cfg.TrustedProxies, err = httpx.ParseTrustedProxies(f.trustedProxies); err != nil {
		return f.cfg, fmt.Errorf("--trusted-proxies: %w", err)
	}
	for _, sc := range []*ratelimit.Scope{&f.cfg.Abuse.Send, &f.cfg.Abuse.Verify, &f.cfg.Abuse.Token} {
		sc.PerClient.Window, sc.PerTenant.Window = f.abuseWindow, f.abuseWindow
	}
	return f.cfg, nil
}

// logger returns the JSON logger at the configured level.
// quiet, for admin commands and the demo, logs only warnings and errors
// unless --log-level (GUESTGATE_LOG_LEVEL) asks for more: their output is
// their answer, not a server's start-up lines or request log.
func (f *configFlags) logger(cmd *cobra.Command, quiet bool) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.ToLower(f.logLevel))); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", f.logLevel)
	}
	if quiet && !cmd.Flags().Changed("log-level") && os.Getenv("GUESTGATE_LOG_LEVEL") == "" {
		lvl = slog.LevelWarn
	}
	// Every line logged with a request's context carries its request id.
	log := slog.New(httpx.LogHandler(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: lvl})))
	// Libraries that log through slog.Default write JSON too, their info
	// lines (zitadel's "registered route") at debug: serve's info is its
	// start and stop lines.
	slog.SetDefault(slog.New(libraryHandler{log.Handler()}))
	for _, w := range f.warnings {
		log.Warn(w)
	}
	f.warnings = nil
	return log, nil
}

// libraryHandler lowers libraries' info records to debug.
type libraryHandler struct{ slog.Handler }

func (h libraryHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.Handler.Enabled(ctx, lowered(l))
}

func (h libraryHandler) Handle(ctx context.Context, r slog.Record) error {
	r.Level = lowered(r.Level)
	return h.Handler.Handle(ctx, r)
}

func (h libraryHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return libraryHandler{h.Handler.WithAttrs(as)}
}

func (h libraryHandler) WithGroup(name string) slog.Handler {
	return libraryHandler{h.Handler.WithGroup(name)}
}

func lowered(l slog.Level) slog.Level {
	if l == slog.LevelInfo {
		return slog.LevelDebug
	}
	return l
}
