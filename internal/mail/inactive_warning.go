package mail

import (
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/i18n"
)

// KindInactiveWarning is the mail warning a sponsor that a guest is about
// to be disabled by the tenant's inactive-guest policy.
const KindInactiveWarning = "inactive_warning"

// InactiveWarningMail is what the warning to one sponsor says.
type InactiveWarningMail struct {
	ID             string    // message id; empty: a new UUID
	CreatedAt      time.Time // zero: now
	Language       string    // the sponsor's preferred language, else the tenant's
	DeploymentName string    // empty: DefaultDeploymentName
	TenantID       string
	TenantName     string
	To             string // the sponsor's address
	GuestName      string
	GuestMail      string
	// LastActive is the guest's last successful sign-in or, when Never,
	// the invitation.
	LastActive time.Time
	Never      bool
	Days       int       // the policy's days without sign-in
	DisableOn  time.Time // when the guest will be disabled
	Brand      Brand
}

// inactiveWarningView is the data the warning's templates see: dates as
// ISO dates (UTC), the same in every language.
type inactiveWarningView struct {
	InactiveWarningMail
	Sender                string
	LastActive, DisableOn string
}

// RenderInactiveWarning renders the warning in m.Language: which guest,
// since when inactive, when they will be disabled and what the sponsor can
// do.
func RenderInactiveWarning(m InactiveWarningMail) (Message, error) {
	if m.To == "" || m.TenantName == "" || m.GuestMail == "" || m.DisableOn.IsZero() {
		return Message{}, fmt.Errorf("render inactive warning: recipient, tenant name, guest and date are required")
	}
	lang := i18n.Match("", m.Language)
	m.DeploymentName = orDefault(m.DeploymentName, DefaultDeploymentName)
	if m.GuestName == "" {
		m.GuestName = m.GuestMail
	}
	msg := newMessage(m.ID, m.CreatedAt, KindInactiveWarning, lang, m.TenantID, m.To)
	msg.FromName = oneLine(i18n.T(lang, "mail.from_on_behalf", m.DeploymentName, m.TenantName))
	v := inactiveWarningView{
		InactiveWarningMail: m, Sender: m.DeploymentName,
		LastActive: isoDate(m.LastActive), DisableOn: isoDate(m.DisableOn),
	}
	msg.Subject = oneLine(i18n.T(lang, "mail.inactive_warning.subject", m.GuestName, m.TenantName, v.DisableOn))
	if err := render(&msg, v); err != nil {
		return Message{}, fmt.Errorf("render inactive warning: %w", err)
	}
	return msg, nil
}

func isoDate(t time.Time) string { return t.UTC().Format(time.DateOnly) }
