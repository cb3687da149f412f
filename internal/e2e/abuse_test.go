package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/server"
)

// csrfRe matches the per-browser CSRF field, which differs between any
// two pages and says nothing about the address.
var csrfRe = regexp.MustCompile(`name="csrf" value="[^"]*"`)

// nonceRe matches a page script's per-response CSP nonce.
var nonceRe = regexp.MustCompile(`nonce="[^"]*"`)

// sameModuloAddress strips the address, the CSRF token and the script
// nonce from a page.
func sameModuloAddress(body, addr string) string {
	body = nonceRe.ReplaceAllString(body, `nonce=""`)
	return csrfRe.ReplaceAllString(strings.ReplaceAll(body, addr, "{address}"), `name="csrf" value=""`)
}

// TestEnumerationGuestAndUnknownAddressSamePages: at a tenant's sign-in
// the page after the address, and the page after Send code, have the same
// status and text (but for the address) for an invited guest, a guest of
// another tenant and an address nobody invited; only the invited guest
// gets mail (docs/security.md, Enumeration).
func TestEnumerationGuestAndUnknownAddressSamePages(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		// A clock that stands still: the pages say how long until a new
		// code may be sent, which must not differ by the time between requests.
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: clock.NewFake(time.Now())})
		tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example")
		other, _ := in.TenantWithAdmin("Contoso", "contoso.example")
		for _, inv := range []struct {
			tn    string
			email string
		}{{tn.ID, "kim@gmail.example"}, {other.ID, "lee@gmail.example"}} {
			target := tn
			if inv.tn == other.ID {
				target = other
			}
			if _, err := in.Srv.Invite(context.Background(), target, invitation.Request{Email: inv.email, RedirectURL: "https://x.example"}); err != nil {
				t.Fatal(err)
			}
		}
		tid := "/" + tn.ID
		type answer struct {
			next, sent e2etest.Page
		}
		answers := map[string]answer{}
		for _, addr := range []string{"kim@gmail.example", "lee@gmail.example", "nobody@gmail.example"} {
			b := e2etest.NewBrowser(t)
			next := signInAs(in, b, tn, addr)
			sent := b.Submit(in.URL, next, tid+"/login/send", nil)
			answers[addr] = answer{next, sent}
		}
		guest := answers["kim@gmail.example"]
		if guest.next.Status != http.StatusOK || !strings.Contains(guest.next.Body, `id="send-code"`) ||
			guest.sent.Status != http.StatusOK || !strings.Contains(guest.sent.Body, `id="code"`) {
			t.Fatalf("the invited guest: %d then %d\n%s", guest.next.Status, guest.sent.Status, guest.sent.Body)
		}
		for _, addr := range []string{"lee@gmail.example", "nobody@gmail.example"} {
			a := answers[addr]
			if a.next.Status != guest.next.Status || a.sent.Status != guest.sent.Status {
				t.Errorf("%s: statuses %d, %d; the guest's %d, %d", addr, a.next.Status, a.sent.Status, guest.next.Status, guest.sent.Status)
			}
			if sameModuloAddress(a.next.Body, addr) != sameModuloAddress(guest.next.Body, "kim@gmail.example") {
				t.Errorf("%s: the page after the address differs from the guest's:\n%s\n---\n%s", addr, a.next.Body, guest.next.Body)
			}
			if sameModuloAddress(a.sent.Body, addr) != sameModuloAddress(guest.sent.Body, "kim@gmail.example") {
				t.Errorf("%s: the page after Send code differs from the guest's:\n%s\n---\n%s", addr, a.sent.Body, guest.sent.Body)
			}
			if strings.Contains(a.sent.Body, "Contoso") {
				t.Errorf("%s: the page names another tenant", addr)
			}
		}
		in.Mail.WaitCount(t, 1, mailtest.To("kim@gmail.example"))
		time.Sleep(200 * time.Millisecond) // a wrongly queued mail would have left by now
		for _, m := range in.Mail.Messages() {
			for _, to := range m.To {
				if to != "kim@gmail.example" {
					t.Fatalf("mail sent to %s, an address not invited by Fabrikam", to)
				}
			}
		}
	})
}

// TestAbuseLimitsAnswer429: past a limit the token endpoint answers 429
// with Retry-After and an OAuth error, the admin API 429 TooManyRequests
// with Retry-After in Graph's envelope, and the sign-in pages a 429 page
// saying when to try again.
func TestAbuseLimitsAnswer429(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Configure: func(c *server.Config) {
			c.Abuse.Token.PerClient.Limit = 2
			c.Abuse.GraphWrites.PerTenant.Limit = 2
			c.Abuse.Send.PerClient.Limit = 1
		}})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")

		// Graph's write limit, per app per tenant.
		for i, want := range []int{http.StatusCreated, http.StatusCreated, http.StatusTooManyRequests} {
			body := map[string]any{"invitedUserEmailAddress": "g" + string(rune('a'+i)) + "@gmail.example", "inviteRedirectUrl": "https://x.example"}
			status, h, raw := e2etest.GraphCall(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", body)
			if status != want {
				t.Fatalf("write %d = %d %s, want %d", i+1, status, raw, want)
			}
			if want == http.StatusTooManyRequests {
				var e struct {
					Error struct {
						Code       string         `json:"code"`
						InnerError map[string]any `json:"innerError"`
					} `json:"error"`
				}
				if json.Unmarshal(raw, &e) != nil || e.Error.Code != "TooManyRequests" || e.Error.InnerError["request-id"] == nil || h.Get("Retry-After") == "" {
					t.Fatalf("over the write limit: %s (Retry-After %q)", raw, h.Get("Retry-After"))
				}
			}
		}
		// Reads are not writes.
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/users", nil, nil); s == http.StatusTooManyRequests {
			t.Fatal("a read was refused by the write limit")
		}

		// Failed token requests, per client address.
		tokenURL := in.URL + "/" + tn.ID + "/oauth2/v2.0/token"
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"nobody"}, "client_secret": {"wrong"}, "scope": {"https://graph.microsoft.com/.default"}}
		for i := 0; i < 3; i++ {
			resp, err := http.PostForm(tokenURL, form)
			if err != nil {
				t.Fatal(err)
			}
			var e struct {
				Error string `json:"error"`
			}
			_ = json.NewDecoder(resp.Body).Decode(&e)
			resp.Body.Close()
			switch {
			case i < 2 && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode < 400):
				t.Fatalf("failed token request %d = %d", i+1, resp.StatusCode)
			case i == 2 && (resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || e.Error != "temporarily_unavailable"):
				t.Fatalf("over the token limit = %d %q (Retry-After %q)", resp.StatusCode, e.Error, resp.Header.Get("Retry-After"))
			}
		}

		// Sends, per client address: the page says when to try again.
		for _, addr := range []string{"kim@gmail.example", "lee@gmail.example"} {
			if _, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: addr, RedirectURL: "https://x.example"}); err != nil {
				t.Fatal(err)
			}
		}
		b := e2etest.NewBrowser(t)
		if p := b.Submit(in.URL, signInAs(in, b, tn, "kim@gmail.example"), "/"+tn.ID+"/login/send", nil); p.Status != http.StatusOK {
			t.Fatalf("first send = %d", p.Status)
		}
		b = e2etest.NewBrowser(t)
		p := b.Submit(in.URL, signInAs(in, b, tn, "lee@gmail.example"), "/"+tn.ID+"/login/send", nil)
		if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "too many sign-in attempts") || !strings.Contains(p.Body, "try again in ") || p.Header.Get("Retry-After") == "" {
			t.Fatalf("second send from the address = %d\n%s", p.Status, p.Body)
		}
	})
}
