package mail

import (
	"strings"
	"testing"
	"time"
)

func TestRenderInactiveWarning(t *testing.T) {
	base := InactiveWarningMail{
		TenantID: "t1", TenantName: "Contoso", To: "ana@contoso.example",
		GuestName: "Bob <b>", GuestMail: "bob@fabrikam.example",
		LastActive: time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC), Days: 90,
		DisableOn: time.Date(2026, 4, 2, 10, 0, 0, 0, time.UTC),
	}
	for _, tc := range []struct {
		rule, lang string
		never      bool
		want       []string
	}{
		{"english_last_sign_in", "en", false, []string{"has not signed in since 2026-01-02", "disabled on 2026-04-02", "90 days"}},
		{"english_never_signed_in", "en", true, []string{"invited on 2026-01-02 and has never signed in"}},
		{"japanese_in_the_sponsors_language", "ja", false, []string{"2026-01-02 以降サインインしていません", "2026-04-02 に無効化"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			m := base
			m.Language, m.Never = tc.lang, tc.never
			msg, err := RenderInactiveWarning(m)
			if err != nil {
				t.Fatal(err)
			}
			if msg.Kind != KindInactiveWarning || msg.Language != tc.lang || msg.To[0] != m.To {
				t.Fatalf("message %+v", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg.Text, w) {
					t.Fatalf("text lacks %q:\n%s", w, msg.Text)
				}
			}
			if strings.Contains(msg.HTML, "Bob <b>") || !strings.Contains(msg.HTML, "Bob &lt;b&gt;") {
				t.Fatalf("guest name not escaped in HTML:\n%s", msg.HTML)
			}
			if !strings.Contains(msg.Subject, "2026-04-02") {
				t.Fatalf("subject %q lacks the date", msg.Subject)
			}
		})
	}
	if _, err := RenderInactiveWarning(InactiveWarningMail{TenantName: "Contoso"}); err == nil {
		t.Fatal("a warning without recipient rendered")
	}
}
