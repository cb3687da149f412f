package mail

import (
	"html"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/i18n"
)

var created = time.Date(2030, 4, 1, 9, 30, 0, 0, time.UTC)

func invitationFixture(lang string) InvitationMail {
	return InvitationMail{
		ID: "7d1f4c1e-0000-4000-8000-000000000001", CreatedAt: created, Language: lang,
		DeploymentName: "Guestgate Cloud",
		TenantID:       "tid-1", TenantName: "Fabrikam & Co", TenantDomain: "fabrikam.guestgate.local",
		To: "teri@partner.example", Cc: []string{"boss@partner.example"},
		InviterName: "Ana Ruiz", InviterAddress: "ana@fabrikam.example",
		CustomMessage: "Welcome <b>aboard</b> & see you soon\nSecond line",
		RedeemURL:     "https://id.example/redeem?ticket=abc.def&x=1",
	}
}

// idpWords name identity providers or sign-in methods; the invitation mail
// must not contain any (R6).
var idpWords = []string{
	"passcode", "one-time", "one time", "verification code", "google", "gmail", "microsoft", "personal account",
	"federat", "saml", "ws-fed", "identity provider", "password",
	"パスコード", "ワンタイム", "確認コード", "パスワード", "個人用アカウント", "フェデレーション", "ID プロバイダー",
}

func TestRenderInvitation(t *testing.T) {
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) {
			in := invitationFixture(lang)
			m, err := RenderInvitation(in)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != in.ID || m.Kind != KindInvitation || m.TenantID != "tid-1" || m.Language != lang || !m.CreatedAt.Equal(created) {
				t.Errorf("envelope fields = %+v", m)
			}
			if !slices.Equal(m.To, []string{in.To}) || !slices.Equal(m.Cc, in.Cc) {
				t.Errorf("To %v Cc %v", m.To, m.Cc)
			}
			// "from {deployment} on behalf of {tenant}" (section 6).
			if want := i18n.T(lang, "mail.from_on_behalf", "Guestgate Cloud", "Fabrikam & Co"); m.FromName != want {
				t.Errorf("FromName = %q, want %q", m.FromName, want)
			}
			if m.ReplyTo != `"Ana Ruiz" <ana@fabrikam.example>` {
				t.Errorf("ReplyTo = %q, want the inviter", m.ReplyTo)
			}
			if !strings.Contains(m.Subject, "Fabrikam & Co") {
				t.Errorf("Subject = %q, want the tenant name", m.Subject)
			}

			for _, s := range []string{
				"Fabrikam & Co", "fabrikam.guestgate.local", in.CustomMessage, in.RedeemURL,
				i18n.T(lang, "mail.invitation.accept"), i18n.T(lang, "mail.invitation.phishing", "Fabrikam & Co"),
			} {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range []string{
				`lang="` + lang + `"`,
				"Fabrikam &amp; Co", "fabrikam.guestgate.local",
				"Welcome &lt;b&gt;aboard&lt;/b&gt; &amp; see you soon\nSecond line", // plain text, escaped
				`href="https://id.example/redeem?ticket=abc.def&amp;x=1"`,
				">" + html.EscapeString(i18n.T(lang, "mail.invitation.accept")) + "</a>",
				html.EscapeString(i18n.T(lang, "mail.invitation.phishing", "Fabrikam & Co")),
			} {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML lacks %q:\n%s", s, m.HTML)
				}
			}
			if strings.Contains(m.HTML, "<b>aboard") {
				t.Error("HTML carries the custom message's markup unescaped")
			}

			// R6: the mail does not say how the guest will sign in.
			for _, body := range []string{m.Subject, m.Text, m.HTML} {
				low := strings.ToLower(body)
				for _, w := range idpWords {
					if strings.Contains(low, strings.ToLower(w)) {
						t.Errorf("R6: invitation mail mentions %q", w)
					}
				}
			}
		})
	}
}

func TestRenderInvitation_optionalParts(t *testing.T) {
	in := invitationFixture("en")
	in.InviterName, in.InviterAddress, in.CustomMessage, in.DeploymentName, in.ID = "", "", "", "", ""
	m, err := RenderInvitation(in)
	if err != nil {
		t.Fatal(err)
	}
	if m.ReplyTo != "" {
		t.Errorf("ReplyTo = %q without an inviter address", m.ReplyTo)
	}
	if m.FromName != "guestgate on behalf of Fabrikam & Co" {
		t.Errorf("FromName = %q, want the default deployment name", m.FromName)
	}
	if strings.Contains(m.Text, "Message from") || strings.Contains(m.HTML, "Message from") {
		t.Error("a mail without a custom message has a message heading")
	}
	if !strings.Contains(m.Text, "Fabrikam & Co invited you") {
		t.Errorf("intro without inviter:\n%s", m.Text)
	}
	if len(m.ID) != 36 {
		t.Errorf("ID = %q, want a new UUID", m.ID)
	}
}

func TestRenderInvitation_language(t *testing.T) {
	for _, tc := range []struct{ in, want string }{{"ja-JP", "ja"}, {"fr", "en"}, {"", "en"}, {"EN-us", "en"}} {
		in := invitationFixture(tc.in)
		m, err := RenderInvitation(in)
		if err != nil {
			t.Fatal(err)
		}
		if m.Language != tc.want || m.Subject != i18n.T(tc.want, "mail.invitation.subject", in.TenantName) {
			t.Errorf("language %q: got %q, subject %q", tc.in, m.Language, m.Subject)
		}
	}
}

func TestRenderInvitation_requiresFields(t *testing.T) {
	for _, mutate := range []func(*InvitationMail){
		func(m *InvitationMail) { m.To = "" },
		func(m *InvitationMail) { m.TenantName = "" },
		func(m *InvitationMail) { m.RedeemURL = "" },
	} {
		in := invitationFixture("en")
		mutate(&in)
		if _, err := RenderInvitation(in); err == nil {
			t.Errorf("%+v: want an error", in)
		}
	}
}

func TestRenderPasscode(t *testing.T) {
	for _, lang := range i18n.Languages {
		t.Run(lang, func(t *testing.T) {
			in := PasscodeMail{
				CreatedAt: created, Language: lang, TenantID: "tid-1", TenantName: "Fabrikam & Co",
				To: "teri@partner.example", Code: "48213377", Validity: 30 * time.Minute,
			}
			m, err := RenderPasscode(in)
			if err != nil {
				t.Fatal(err)
			}
			if m.Kind != KindPasscode || m.Language != lang || m.ID == "" {
				t.Errorf("fields = %+v", m)
			}
			if strings.Contains(m.Subject, in.Code) || strings.Contains(m.FromName, in.Code) {
				t.Errorf("R3: the code is in a header: subject %q", m.Subject)
			}
			if !strings.Contains(m.Subject, "Fabrikam & Co") {
				t.Errorf("Subject = %q", m.Subject)
			}
			if m.FromName != i18n.T(lang, "mail.from_on_behalf", DefaultDeploymentName, "Fabrikam & Co") {
				t.Errorf("FromName = %q", m.FromName)
			}
			validity := i18n.T(lang, "mail.passcode.validity", 30)
			ignore := i18n.T(lang, "mail.passcode.ignore")
			for _, s := range []string{in.Code, validity, "Fabrikam & Co", ignore} {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range []string{in.Code, html.EscapeString(validity), "Fabrikam &amp; Co", html.EscapeString(ignore)} {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML lacks %q:\n%s", s, m.HTML)
				}
			}
		})
	}
}

func TestRenderPasscode_validityRoundsUp(t *testing.T) {
	m, err := RenderPasscode(PasscodeMail{TenantName: "T", To: "a@b.example", Code: "1", Validity: 90 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "valid for 2 minutes") {
		t.Errorf("90 s validity:\n%s", m.Text)
	}
	if _, err := RenderPasscode(PasscodeMail{TenantName: "T", To: "a@b.example", Code: "1"}); err == nil {
		t.Error("zero validity: want an error")
	}
}

// A message language without a translation (Swahili) renders in English;
// a regional tag of a translated language renders in that language.
func TestRenderInvitationLanguageFallback(t *testing.T) {
	for _, c := range []struct{ lang, want string }{{"sw", "en"}, {"sw-KE", "en"}, {"ja-JP", "ja"}, {"", "en"}} {
		m, err := RenderInvitation(invitationFixture(c.lang))
		if err != nil {
			t.Fatal(err)
		}
		if m.Language != c.want || m.Subject != oneLine(i18n.T(c.want, "mail.invitation.subject", "Fabrikam & Co")) {
			t.Errorf("%q: language %q subject %q, want %s", c.lang, m.Language, m.Subject, c.want)
		}
	}
}
