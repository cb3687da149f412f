package server

import (
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail"
)

// newSender is SMTP, or the dev mailbox when the configuration asks for it.
func (s *Server) newSender() (mail.Sender, error) {
	if s.cfg.DevMailbox {
		return s.devMailbox, nil
	}
	sc, err := mail.ParseSMTPURL(s.cfg.SMTPURL)
	if err != nil {
		return nil, fmt.Errorf("GUESTGATE_SMTP_URL: %w", err)
	}
	return mail.NewSMTPSender(sc, mail.SMTPSenderOptions{From: s.cfg.MailFrom, Logger: s.log, MaxIdle: mailConcurrency})
}

// composeInvitation renders an invitation mail (DESIGN section 6).
func (s *Server) composeInvitation(t directory.Tenant, inv invitation.Invitation, redeemURL, lang string) (mail.Message, error) {
	return mail.RenderInvitation(mail.InvitationMail{
		CreatedAt: s.clock.Now(), Language: lang, DeploymentName: s.cfg.DeploymentName,
		TenantID: t.ID, TenantName: t.DisplayName, TenantDomain: tenantDomain(t),
		To: inv.Email, Cc: inv.CCRecipients, InviterName: inv.InvitedBy,
		CustomMessage: inv.CustomMessage, RedeemURL: redeemURL,
	})
}

// composePasscode renders a passcode mail.
func (s *Server) composePasscode(t directory.Tenant, address, code string, validity time.Duration, lang string) (mail.Message, error) {
	return mail.RenderPasscode(mail.PasscodeMail{
		CreatedAt: s.clock.Now(), Language: lang, DeploymentName: s.cfg.DeploymentName,
		TenantID: t.ID, TenantName: t.DisplayName, To: address, Code: code, Validity: validity,
	})
}

// tenantDomain is the domain shown to guests: the first verified domain
// other than the initial one, else the initial domain.
func tenantDomain(t directory.Tenant) string {
	if len(t.Domains) > 1 {
		return t.Domains[1]
	}
	return t.InitialDomain
}
