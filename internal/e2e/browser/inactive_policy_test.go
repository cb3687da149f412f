package browser

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// TestInactiveGuestPolicy: a Global Administrator turns the inactive
// guest policy on in the console (the form passes axe-core); the serving
// process then warns the sponsor of the guests inactive for 76 days or
// more by mail, and once the 14 days of warning have passed it disables
// them, leaving the guest seen yesterday alone.
func TestInactiveGuestPolicy(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake, InactivePolicy: 20 * time.Millisecond})
		domain := "inactive-policy.example"
		tn := newAdminTenant(t, in, "Fabrikam", domain, directory.CloudPublic, false)
		ids := seedInactiveGuests(t, in, tn, domain)
		// Read from the store: the fake clock moves two weeks on, past
		// any token an app could hold.
		enabled := func(id string) bool {
			u, err := in.Srv.DB().GetUser(context.Background(), tn.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			return u.AccountEnabled
		}

		c := openLayoutTab(t, in, tn, "admin@"+domain, "en", 1280)
		c.visit("inactive_policy", "/guests/inactive", "#policy-form")
		browserDo(c.b, t, "turn the policy on",
			chromedp.Click(chromedp.CSS("#policy-enabled")),
			chromedp.SetValue(chromedp.CSS("#policy-days"), "90"),
			chromedp.SetValue(chromedp.CSS("#policy-warn-days"), "14"),
			chromedp.Click(chromedp.CSS("#save-policy")),
			chromedp.WaitVisible(chromedp.CSS("#notice")))
		c.checkLayout("inactive_policy_saved")
		if page := c.html(); !strings.Contains(page, "guests inactive for 90 days are disabled") {
			t.Fatalf("the page does not show the policy on:\n%s", page)
		}

		warning := in.Mail.WaitFor(t, mailtest.To("admin@"+domain))
		if !strings.Contains(warning.Text, "stale-en@partner.example") && !strings.Contains(warning.Text, "stale-ja@partner.example") {
			t.Fatalf("the sponsor's warning names no stale guest:\n%s", warning.Text)
		}
		if !enabled(ids["stale-en"]) {
			t.Fatal("a guest was disabled at the warning")
		}

		fake.Advance(14*24*time.Hour + time.Minute)
		deadline := time.Now().Add(30 * time.Second)
		for enabled(ids["stale-en"]) || enabled(ids["stale-ja"]) || enabled(ids["never-signed-in"]) {
			if time.Now().After(deadline) {
				t.Fatal("the inactive guests are still enabled 14 days after the warning")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if !enabled(ids["recent"]) {
			t.Fatal("the guest seen yesterday was disabled")
		}
	})
}
