package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/server"
)

// forwardedFor is a transport that says, as a trusted reverse proxy
// would, that requests come from addr.
type forwardedFor struct {
	addr string
	next http.RoundTripper
}

func (f forwardedFor) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", f.addr)
	return f.next.RoundTrip(r)
}

// browserAt is a new browser whose requests reach guestgate through the
// test's trusted proxy from client address addr.
func browserAt(t *testing.T, addr string) *e2etest.Browser {
	b := e2etest.NewBrowser(t)
	b.C.Transport = forwardedFor{addr: addr, next: http.DefaultTransport}
	return b
}

// TestLockoutOverHTTP is the reviewer's attack of issue 20, finding 5,
// through the pages, behind a trusted proxy that names each client: an
// attacker presses Send code ten times and enters five wrong codes after
// each, and enters wrong passwords for a member; the real guest and the
// real member, from another client address, still sign in.
func TestLockoutOverHTTP(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Configure: func(c *server.Config) {
			c.TrustedProxies, _ = httpx.ParseTrustedProxies("127.0.0.1")
			c.OTP.ResendAfter = 0 // the attacker's ten sends back to back
		}})
		tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example")
		tid := "/" + tn.ID
		if _, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "kim@gmail.example", RedirectURL: "https://x.example"}); err != nil {
			t.Fatal(err)
		}
		attacker := browserAt(t, "198.51.100.7")
		attack := func() {
			t.Helper()
			code := attacker.Submit(in.URL, signInAs(in, attacker, tn, "kim@gmail.example"), tid+"/login/send", nil)
			for range 5 {
				if !strings.Contains(code.Body, `action="`+tid+`/login/verify"`) {
					return // its own code is void: only a new one is offered
				}
				code = attacker.Submit(in.URL, code, tid+"/login/verify", map[string]string{"code": "00000000"})
			}
		}
		for range 11 {
			attack()
		}
		// The attacker's own page tells it the truth: its hour must end.
		if p := attacker.Submit(in.URL, signInAs(in, attacker, tn, "kim@gmail.example"), tid+"/login/send", nil); !strings.Contains(p.Body, "You can send a new code in 60 minutes") && !strings.Contains(p.Body, "You can send a new code in 59 minutes") {
			t.Fatalf("the attacker's code page does not say it waits for its hour:\n%s", p.Body)
		}

		guest := browserAt(t, "203.0.113.5")
		code := guest.Submit(in.URL, signInAs(in, guest, tn, "kim@gmail.example"), tid+"/login/send", nil)
		if !strings.Contains(code.Body, `id="code"`) || !strings.Contains(code.Body, "We sent a code") {
			t.Fatalf("the guest's Send code after the attack:\n%s", code.Body)
		}
		mails := in.Mail.WaitCount(t, 11, mailtest.To("kim@gmail.example"))
		attack() // more wrong codes from the attacker do not void the guest's code
		proved := guest.Submit(in.URL, code, tid+"/login/verify", map[string]string{"code": e2etest.Passcode(t, mails[len(mails)-1])})
		if proved.Status != http.StatusSeeOther || !strings.HasSuffix(proved.Location, "/consent") {
			t.Fatalf("the guest's code = %d → %q, want Review permissions\n%s", proved.Status, proved.Location, proved.Body)
		}

		if _, err := in.Srv.CreateMember(context.Background(), tn, member.NewMember{
			UserPrincipalName: "lee@fabrikam.example", DisplayName: "Lee", Password: "tulip-Quarry-2026", AccountEnabled: true,
		}); err != nil {
			t.Fatal(err)
		}
		password := func(b *e2etest.Browser, pw string) e2etest.Page {
			t.Helper()
			return b.Submit(in.URL, signInAs(in, b, tn, "lee@fabrikam.example"), tid+"/login/password", map[string]string{"password": pw})
		}
		for i := range member.DefaultLimits.AccountFailures + 1 {
			password(attacker, "not-the-password-"+string(rune('a'+i)))
		}
		if p := password(attacker, "tulip-Quarry-2026"); p.Status != http.StatusTooManyRequests {
			t.Fatalf("the attacker's address after its wrong passwords = %d, want 429", p.Status)
		}
		if p := password(browserAt(t, "203.0.113.9"), "tulip-Quarry-2026"); p.Status != http.StatusSeeOther {
			t.Fatalf("the member's right password from another address = %d, want signed in\n%s", p.Status, p.Body)
		}
	})
}
