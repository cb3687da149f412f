package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/guestgate/guestgate/internal/server"
)

// configFlags holds the values of the deployment flags.
type configFlags struct {
	cfg      server.Config
	autoDate string
	logLevel string
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
	return []setting{
		{"database-url", "GUESTGATE_DATABASE_URL", "SQLite file path or postgres:// URL", str(&c.DatabaseURL)},
		{"public-url", "GUESTGATE_PUBLIC_URL", "URL browsers and apps use to reach guestgate", str(&c.PublicURL)},
		{"listen", "GUESTGATE_LISTEN", "address to serve HTTP on", str(&c.Listen)},
		{"smtp-url", "GUESTGATE_SMTP_URL", "smtp://user:pass@host:587?tls=starttls|implicit|none (required by serve)", str(&c.SMTPURL)},
		{"mail-from", "GUESTGATE_MAIL_FROM", "sender address of guestgate's mail", str(&c.MailFrom)},
		{"deployment-name", "GUESTGATE_DEPLOYMENT_NAME", "name shown as the sender of mail", str(&c.DeploymentName)},
		{"domain-suffix", "GUESTGATE_DOMAIN_SUFFIX", "suffix of tenants' initial domains", str(&c.DomainSuffix)},
		{"secret", "GUESTGATE_SECRET", "server secret (32+ characters, same in every process; keys passcode hashes and CSRF tokens)", str(&c.Secret)},
		{"session-lifetime", "GUESTGATE_SESSION_LIFETIME", "absolute lifetime of a guest session", dur(&c.SessionLifetime)},
		{"otp-auto-enable-date", "GUESTGATE_OTP_AUTO_ENABLE_DATE", "date (YYYY-MM-DD) from which the policy value \"default\" enables email OTP", str(&f.autoDate)},
		{"otp-digits", "GUESTGATE_OTP_DIGITS", "digits in a passcode", num(&c.OTP.Digits)},
		{"otp-validity", "GUESTGATE_OTP_VALIDITY", "how long a passcode is valid after it is sent", dur(&c.OTP.Validity)},
		{"otp-max-attempts", "GUESTGATE_OTP_MAX_ATTEMPTS", "wrong entries a passcode absorbs before it is void", num(&c.OTP.MaxAttempts)},
		{"otp-resend-interval", "GUESTGATE_OTP_RESEND_INTERVAL", "minimum time between two passcodes to one address", dur(&c.OTP.ResendAfter)},
		{"otp-sends-per-hour", "GUESTGATE_OTP_SENDS_PER_HOUR", "passcodes per address per hour", num(&c.OTP.PerHour)},
		{"password-account-failures", "GUESTGATE_PASSWORD_ACCOUNT_FAILURES", "wrong passwords per member account in a window before sign-in waits for the window's end", num(&c.Members.AccountFailures)},
		{"password-address-failures", "GUESTGATE_PASSWORD_ADDRESS_FAILURES", "wrong passwords per client address in a window before sign-in waits for the window's end", num(&c.Members.AddressFailures)},
		{"password-failure-window", "GUESTGATE_PASSWORD_FAILURE_WINDOW", "window counting wrong passwords (the longest a lockout lasts)", dur(&c.Members.Window)},
		{"mail-retention", "GUESTGATE_MAIL_RETENTION", "how long sent and given-up mail stays in the outbox (recipients, subject, outcome; the bodies are deleted once sent)", dur(&c.MailRetention)},
		{"max-connections", "GUESTGATE_MAX_CONNECTIONS", "connections held open at once; more wait to be accepted", num(&c.HTTP.MaxConnections)},
		{"log-level", "GUESTGATE_LOG_LEVEL", "debug, info, warn or error", str(&f.logLevel)},
	}
}

// bindConfigFlags registers the deployment flags on root, each defaulting
// to its GUESTGATE_* variable when that is set.
func bindConfigFlags(root *cobra.Command) *configFlags {
	f := &configFlags{cfg: server.Defaults(), autoDate: "2021-10-01", logLevel: "info"}
	fs := root.PersistentFlags()
	for _, s := range settings(f) {
		s.bind(fs, s.flag, s.usage+" (env "+s.env+")")
	}
	fs.BoolVar(&f.cfg.Dev, "dev", false, "development mode: allow a plain-http public URL (env GUESTGATE_DEV)")
	fs.BoolVar(&f.cfg.DevMailbox, "dev-mailbox", false, "keep mail in the process and show every tenant's mail at /dev/mailbox, unauthenticated; loopback public URL only, never with an SMTP server (env GUESTGATE_DEV_MAILBOX)")
	return f
}

// load applies GUESTGATE_* variables to flags not given on the command line,
// then parses what needs parsing.
func (f *configFlags) load(cmd *cobra.Command) (server.Config, error) {
	fs := cmd.Flags()
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
	d, err := time.Parse("2006-01-02", f.autoDate)
	if err != nil {
		return f.cfg, fmt.Errorf("--otp-auto-enable-date %q: want YYYY-MM-DD", f.autoDate)
	}
	f.cfg.AutoEnableDate = d
	return f.cfg, nil
}

// logger returns the JSON logger at the configured level.
func (f *configFlags) logger() (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.ToLower(f.logLevel))); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", f.logLevel)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: lvl}))
	slog.SetDefault(log) // libraries that log through slog.Default write JSON too
	return log, nil
}
