package e2etest

import (
	"net/http"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// ConsumersPath is the path of the consumers directory (personal accounts).
var ConsumersPath = "/" + directory.ConsumersTenantID

// SignUpSteps runs the consumers directory's sign-up pages from the
// redirect to them: Send code, the mailed code and a password. It returns
// the answer to Create account (a redirect onwards).
func (in *Instance) SignUpSteps(b *Browser, toSignUp Page, addr, wantHeading string) Page {
	in.T.Helper()
	if toSignUp.Status != http.StatusSeeOther || !strings.HasPrefix(toSignUp.Location, ConsumersPath+"/signup?state=") {
		in.T.Fatalf("want a redirect to the sign-up, got %d → %q:\n%s", toSignUp.Status, toSignUp.Location, toSignUp.Body)
	}
	start := b.Get(in.URL + toSignUp.Location)
	if start.Status != http.StatusOK || !strings.Contains(start.Body, wantHeading) || !strings.Contains(start.Body, `id="send-code"`) {
		in.T.Fatalf("sign-up page (want %q) = %d:\n%s", wantHeading, start.Status, start.Body)
	}
	before := len(in.Mail.Messages())
	code := b.Submit(in.URL, start, ConsumersPath+"/signup/send", nil)
	if code.Status != http.StatusOK || !strings.Contains(code.Body, `id="create-account"`) {
		in.T.Fatalf("sign-up Send code = %d:\n%s", code.Status, code.Body)
	}
	msgs := in.Mail.WaitCount(in.T, before+1, func(mailtest.Received) bool { return true })
	m := msgs[len(msgs)-1]
	if !mailtest.To(addr)(m) {
		in.T.Fatalf("sign-up code mailed to %v, want %s", m.To, addr)
	}
	done := b.Submit(in.URL, code, ConsumersPath+"/signup/verify", map[string]string{"code": Passcode(in.T, m), "password": PersonalPassword})
	if done.Status != http.StatusSeeOther {
		in.T.Fatalf("Create account = %d:\n%s", done.Status, done.Body)
	}
	return done
}

// PersonalSignUp creates addr's personal account at the consumers
// directory's own sign-up page, with no invitation.
func (in *Instance) PersonalSignUp(b *Browser, addr string) Page {
	in.T.Helper()
	form := b.Get(in.URL + ConsumersPath + "/signup")
	if form.Status != http.StatusOK || !strings.Contains(form.Body, `id="email"`) {
		in.T.Fatalf("sign-up form = %d:\n%s", form.Status, form.Body)
	}
	return b.Submit(in.URL, form, ConsumersPath+"/signup/start", map[string]string{"email": addr})
}

// PersonalPassword is the password people choose at sign-up in these tests.
const PersonalPassword = "Lantern-orchid-7-river"
