package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	netmail "net/mail"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/i18n"
)

// Kinds of mail.
const (
	KindInvitation = "invitation"
	KindPasscode   = "passcode"
)

// DefaultDeploymentName names the sender when a deployment sets none.
const DefaultDeploymentName = "guestgate"

// InvitationMail is what an invitation mail says (DESIGN section 6). It
// deliberately has no identity-provider field: the mail must not say how
// the guest will sign in; that is decided at redemption (R6).
type InvitationMail struct {
	ID        string    // message id; empty: a new UUID
	CreatedAt time.Time // zero: now
	// Language as chosen by the caller (messageLanguage, the user's
	// preferred language, the tenant's notification language); unsupported
	// or empty means English.
	Language       string
	DeploymentName string // the "from … on behalf of" sender; empty: DefaultDeploymentName
	TenantID       string
	TenantName     string
	TenantDomain   string // the tenant's (initial or first verified) domain, shown to the guest
	To             string // the invited address
	Cc             []string
	InviterName    string // shown when known
	InviterAddress string // Reply-To when known
	CustomMessage  string // plain text from the inviter; never interpreted as HTML
	RedeemURL      string // the Accept invitation link
	Brand          Brand
}

// Brand is the tenant's company branding as a mail shows it (all optional).
type Brand struct {
	// LogoURL is the banner logo's absolute URL at guestgate (a linked
	// image: clients that block remote images show the tenant's name).
	LogoURL string
	// Color is the background colour ("#RRGGBB"), a band above the content.
	Color string
	// PrivacyURL is the tenant's privacy statement.
	PrivacyURL string
}

// PasscodeMail is what a one-time passcode mail says (R2, R3).
type PasscodeMail struct {
	ID             string    // message id; empty: a new UUID
	CreatedAt      time.Time // zero: now
	Language       string
	DeploymentName string // empty: DefaultDeploymentName
	TenantID       string
	TenantName     string
	To             string
	Code           string        // the passcode; only in the body, never in the subject
	Validity       time.Duration // how long the code is valid (R3: 30 minutes)
	Brand          Brand
}

//go:embed templates
var templateFiles embed.FS

// renderers holds, per language, the parsed templates of each kind.
var renderers = mustParseTemplates()

type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

func mustParseTemplates() map[string]map[string]kindTemplates {
	out := make(map[string]map[string]kindTemplates)
	for _, lang := range i18n.Languages {
		out[lang] = make(map[string]kindTemplates)
		funcs := i18n.FuncMap(lang)
		for _, kind := range []string{KindInvitation, KindPasscode, KindInactiveWarning} {
			out[lang][kind] = kindTemplates{
				text: texttemplate.Must(texttemplate.New(kind+".txt").Funcs(funcs).
					ParseFS(templateFiles, "templates/"+kind+".txt")),
				html: htmltemplate.Must(htmltemplate.New("layout.html").Funcs(funcs).
					ParseFS(templateFiles, "templates/layout.html", "templates/"+kind+".html")),
			}
		}
	}
	return out
}

// invitationView is the data the invitation templates see.
type invitationView struct {
	InvitationMail
	Sender string // deployment name
}

// RenderInvitation renders the invitation mail in m.Language: from
// "{deployment} on behalf of {tenant}", Reply-To the inviter where known,
// the tenant's name and domain, the custom message as plain text, the
// Accept invitation link and a phishing warning.
func RenderInvitation(m InvitationMail) (Message, error) {
	if m.To == "" || m.TenantName == "" || m.RedeemURL == "" {
		return Message{}, fmt.Errorf("render invitation: recipient, tenant name and redeem URL are required")
	}
	lang := i18n.Match("", m.Language)
	m.DeploymentName = orDefault(m.DeploymentName, DefaultDeploymentName)
	msg := newMessage(m.ID, m.CreatedAt, KindInvitation, lang, m.TenantID, m.To)
	msg.Cc = m.Cc
	msg.FromName = oneLine(i18n.T(lang, "mail.from_on_behalf", m.DeploymentName, m.TenantName))
	if m.InviterAddress != "" {
		msg.ReplyTo = (&netmail.Address{Name: oneLine(m.InviterName), Address: m.InviterAddress}).String()
	}
	msg.Subject = oneLine(i18n.T(lang, "mail.invitation.subject", m.TenantName))
	if err := render(&msg, invitationView{InvitationMail: m, Sender: m.DeploymentName}); err != nil {
		return Message{}, fmt.Errorf("render invitation: %w", err)
	}
	return msg, nil
}

// passcodeView is the data the passcode templates see.
type passcodeView struct {
	PasscodeMail
	Sender  string
	Minutes int
}

// RenderPasscode renders the mail carrying a passcode in m.Language: the
// code, how long it is valid, the tenant's name and "if you didn't ask for
// it, ignore this mail". The subject never contains the code.
func RenderPasscode(m PasscodeMail) (Message, error) {
	if m.To == "" || m.Code == "" || m.TenantName == "" || m.Validity <= 0 {
		return Message{}, fmt.Errorf("render passcode: recipient, code, tenant name and validity are required")
	}
	lang := i18n.Match("", m.Language)
	m.DeploymentName = orDefault(m.DeploymentName, DefaultDeploymentName)
	msg := newMessage(m.ID, m.CreatedAt, KindPasscode, lang, m.TenantID, m.To)
	msg.FromName = oneLine(i18n.T(lang, "mail.from_on_behalf", m.DeploymentName, m.TenantName))
	msg.Subject = oneLine(i18n.T(lang, "mail.passcode.subject", m.TenantName))
	minutes := int((m.Validity + time.Minute - 1) / time.Minute) // round up: never promise less than granted
	if err := render(&msg, passcodeView{PasscodeMail: m, Sender: m.DeploymentName, Minutes: minutes}); err != nil {
		return Message{}, fmt.Errorf("render passcode: %w", err)
	}
	return msg, nil
}

func newMessage(id string, created time.Time, kind, lang, tenantID, to string) Message {
	if id == "" {
		id = uuid.NewString()
	}
	if created.IsZero() {
		created = time.Now()
	}
	return Message{
		ID: id, TenantID: tenantID, Kind: kind, To: []string{to},
		Language: lang, CreatedAt: created.UTC(),
	}
}

// render fills msg.Text and msg.HTML from msg.Kind's templates in msg.Language.
func render(msg *Message, data any) error {
	t := renderers[msg.Language][msg.Kind]
	var text, html bytes.Buffer
	if err := t.text.Execute(&text, data); err != nil {
		return fmt.Errorf("text: %w", err)
	}
	if err := t.html.Execute(&html, data); err != nil {
		return fmt.Errorf("html: %w", err)
	}
	msg.Text, msg.HTML = text.String(), html.String()
	return nil
}

// oneLine keeps a header value on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
