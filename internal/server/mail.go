package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/branding"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/i18n"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail"
)

// newSender is SMTP, or the dev mailbox when the configuration asks for it.
func newSender(cfg Config, log *slog.Logger, devMailbox *mail.DevMailbox) (mail.Sender, error) {
	if cfg.DevMailbox {
		return devMailbox, nil
	}
	sc, err := mail.ParseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, fmt.Errorf("GUESTGATE_SMTP_URL: %w", err)
	}
	return mail.NewSMTPSender(sc, mail.SMTPSenderOptions{From: cfg.MailFrom, Logger: log, MaxIdle: mailConcurrency})
}

// composer renders the mails guestgate sends, with the tenant's branding.
type composer struct {
	cfg      Config
	clock    clock.Clock
	log      *slog.Logger
	branding *branding.Service
}

// invitation renders an invitation mail (DESIGN section 6).
func (c composer) invitation(ctx context.Context, t directory.Tenant, inv invitation.Invitation, redeemURL, lang string) (mail.Message, error) {
	return mail.RenderInvitation(mail.InvitationMail{
		CreatedAt: c.clock.Now(), Language: lang, DeploymentName: c.cfg.DeploymentName,
		TenantID: t.ID, TenantName: t.DisplayName, TenantDomain: tenantDomain(t),
		To: inv.Email, Cc: inv.CCRecipients, InviterName: inv.InvitedBy,
		CustomMessage: inv.CustomMessage, RedeemURL: redeemURL, Brand: c.mailBrand(ctx, t.ID, lang),
	})
}

// passcode renders a passcode mail.
func (c composer) passcode(ctx context.Context, t directory.Tenant, address, code string, validity time.Duration, lang string) (mail.Message, error) {
	return mail.RenderPasscode(mail.PasscodeMail{
		CreatedAt: c.clock.Now(), Language: lang, DeploymentName: c.cfg.DeploymentName,
		TenantID: t.ID, TenantName: t.DisplayName, To: address, Code: code, Validity: validity,
		Brand: c.mailBrand(ctx, t.ID, lang),
	})
}

// mailBrand is the tenant's branding as a mail shows it: the logo as a
// link to guestgate's public URL (not an inline part: one small image
// served with safe headers, and mail stays a plain text+HTML pair; clients
// that block remote images show the tenant's name as its alt text), and
// the privacy statement link. The composers run inside the transaction
// that commits the mail (ctx), and the read joins it: under a burst of
// invitations, a second connection per transaction could wait for a pool
// the transactions themselves hold. A failed read sends the mail without
// branding (on PostgreSQL the transaction then fails anyway).
func (c composer) mailBrand(ctx context.Context, tenantID, lang string) mail.Brand {
	b, err := c.branding.ForDisplay(ctx, tenantID, i18n.Match("", lang))
	if err != nil {
		c.log.Warn("mail sent without branding", "tenant_id", tenantID, "err", err)
		return mail.Brand{}
	}
	out := mail.Brand{PrivacyURL: b.PrivacyURL, Color: b.BackgroundColor}
	if b.LogoType != "" {
		out.LogoURL = strings.TrimSuffix(c.cfg.PublicURL, "/") + branding.LogoPath(b)
	}
	return out
}

// tenantDomain is the domain shown to guests: the first verified domain
// other than the initial one, else the initial domain.
func tenantDomain(t directory.Tenant) string {
	if len(t.Domains) > 1 {
		return t.Domains[1]
	}
	return t.InitialDomain
}

// smtpCheckTimeout bounds the start-up SMTP check.
const smtpCheckTimeout = 20 * time.Second

// checkSMTP connects to the SMTP server once at start as a send would
// (EHLO, STARTTLS or TLS as configured, AUTH). A failure is a clear
// warning — mail waits in the outbox and is retried, and the invitation
// API still answers 201 — or, with --smtp-check=strict, an error that stops
// serve. A configuration error (tls=starttls against a server without
// STARTTLS) stops serve in both modes: waiting cannot fix it. The outcome
// ("passed", "failed"; "" when not run) is for serve's start line.
func (s *Server) checkSMTP(ctx context.Context) (string, error) {
	checker, ok := s.sender.(interface{ Check(context.Context) error })
	if !ok || s.cfg.SMTPCheck == SMTPCheckOff {
		return "", nil
	}
	ctx, cancel := context.WithTimeout(ctx, smtpCheckTimeout)
	defer cancel()
	err := checker.Check(ctx)
	switch {
	case err == nil:
		s.log.Debug("SMTP check passed", "smtp", s.cfg.smtpForLog())
		return "passed", nil
	case s.cfg.SMTPCheck == SMTPCheckStrict:
		return "", fmt.Errorf("SMTP check failed (--smtp-check=strict): %w", err)
	case errors.Is(err, mail.ErrConfiguration):
		return "", fmt.Errorf("SMTP check failed, a configuration error (fix GUESTGATE_SMTP_URL, or skip the check with --smtp-check=off): %w", err)
	}
	s.log.Warn("SMTP check failed: guestgate serves, but invitation and passcode mail will wait in the outbox "+
		"and be retried until the mail server accepts it (see `guestgate outbox list`); fix GUESTGATE_SMTP_URL "+
		"and GUESTGATE_MAIL_FROM, or start with --smtp-check=strict to refuse to start",
		"smtp", s.cfg.smtpForLog(), "err", err)
	return "failed", nil
}

// smtpForLog is GUESTGATE_SMTP_URL with the password redacted.
func (c Config) smtpForLog() string {
	sc, err := mail.ParseSMTPURL(c.SMTPURL)
	if err != nil {
		return "(unparsable GUESTGATE_SMTP_URL)"
	}
	return sc.String()
}
