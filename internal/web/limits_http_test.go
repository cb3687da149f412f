package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/server"
)

// TestAbuseLimitsOverHTTP (issue 21, error mapping): past the client's
// send limit, Send code is 429 with Retry-After and mails nothing; past
// its refused-code limit, a code is 429 too. The wait is what is left
// of the window that began with the first send.
func TestAbuseLimitsOverHTTP(t *testing.T) {
	t.Parallel()
	s := newSite(t, func(c *server.Config) {
		c.Abuse.Send.PerClient = ratelimit.Rule{Limit: 1, Window: 15 * time.Minute}
		c.Abuse.Verify.PerClient = ratelimit.Rule{Limit: 1, Window: 15 * time.Minute}
	})
	b := s.browser()
	redeem := func(addr string) answer {
		link, err := url.Parse(s.invite(addr).RedeemURL)
		if err != nil {
			t.Fatal(err)
		}
		return b.get(link.RequestURI())
	}
	first := b.submit(redeem("teri@gmail.example"), "/redeem/send", nil)
	if first.Status != http.StatusSeeOther {
		t.Fatalf("the first Send code = %d", first.Status)
	}
	limited := b.submit(redeem("ari@gmail.example"), "/redeem/send", nil)
	if limited.Status != http.StatusTooManyRequests || !limited.has("There were too many sign-in attempts from your network") {
		t.Fatalf("Send code past the client's limit = %d, want 429:\n%s", limited.Status, limited.Body)
	}
	if ra, err := strconv.Atoi(limited.Header.Get("Retry-After")); err != nil || ra < 14*60 || ra > 15*60 {
		t.Fatalf("Retry-After = %q, want the seconds left in the window", limited.Header.Get("Retry-After"))
	}
	s.passcode("teri@gmail.example", 1)
	if n := s.mailCount("ari@gmail.example"); n != 0 {
		t.Fatalf("%d mails to ari@gmail.example after a limited Send code, want none", n)
	}
	codePage := b.get(first.Location)
	if a := b.submit(codePage, "/redeem/verify", url.Values{"code": {"00000000"}}); a.Status != http.StatusSeeOther {
		t.Fatalf("the first wrong code = %d, want back to the code page", a.Status)
	}
	if a := b.submit(codePage, "/redeem/verify", url.Values{"code": {"00000001"}}); a.Status != http.StatusTooManyRequests || a.Header.Get("Retry-After") == "" {
		t.Fatalf("a wrong code past the client's limit = %d (Retry-After %q), want 429", a.Status, a.Header.Get("Retry-After"))
	}
}
