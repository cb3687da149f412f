package browser

import (
	"context"
	"net/http/httptest"
	"path"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/demoapp"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// TestBrowserDemoJourney is the demo's journey in a real browser: a guest
// opens the sample app (the demoapp relying party), lands on guestgate's
// sign-in page, gives her address, is told a code will be sent and presses
// Send code (R2), types the mailed code and is back in the app, which shows
// her email and idp "mail" from the verified ID token.
func TestBrowserDemoJourney(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		engine := path.Base(t.Name())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		ctx := context.Background()
		tn, err := in.Srv.CreateTenant(ctx, directory.NewTenantRequest{Name: "Fabrikam", Domains: []string{"fabrikam.example"}})
		if err != nil {
			t.Fatal(err)
		}
		appSrv := httptest.NewUnstartedServer(nil) // its address is needed for the registration
		appURL := "http://" + appSrv.Listener.Addr().String()
		app, secret, err := in.Srv.CreateApp(ctx, tn.ID, "Fabrikam shared resource", nil, []string{appURL + "/callback"}, []string{appURL + "/"}, false)
		if err != nil {
			t.Fatal(err)
		}
		const addr = "teri@gmail.example"
		if _, err := in.Srv.Invite(ctx, tn, invitation.Request{Email: addr, DisplayName: "Teri", RedirectURL: appURL}); err != nil {
			t.Fatal(err)
		}
		h, err := demoapp.New(ctx, demoapp.Config{
			Issuer: in.URL + "/" + tn.ID + "/v2.0", ClientID: app.AppID, ClientSecret: secret,
			RedirectURL: appURL + "/callback", PostLogoutURL: appURL + "/", TenantName: "Fabrikam",
		})
		if err != nil {
			t.Fatal(err)
		}
		appSrv.Config.Handler = h
		appSrv.Start()
		t.Cleanup(appSrv.Close)

		b := newChromium(t)

		// The app is protected: it sends the browser to guestgate's sign-in page.
		browserDo(b, t, "open the app", chromedp.Navigate(appURL), chromedp.WaitVisible(chromedp.CSS("#email")))
		if loc := browserValue(b, t, chromedp.Location()); !strings.HasPrefix(loc, in.URL+"/"+tn.ID+"/login") {
			t.Fatalf("the app sent the browser to %s, want guestgate's sign-in page", loc)
		}
		pageHas(b, t, "sign-in page", "Sign in", "Fabrikam")

		// The address; guestgate says a code will be sent and offers Send code (R2).
		browserDo(b, t, "enter the address",
			chromedp.SendKeys(chromedp.CSS("#email"), addr),
			chromedp.Click(chromedp.CSS("#next")),
			chromedp.WaitVisible(chromedp.CSS("#send-code")))
		pageHas(b, t, "Send code page", addr, "Send code")
		saveScreenshot(b, t, "send-code-"+engine+".png")

		browserDo(b, t, "press Send code",
			chromedp.Click(chromedp.CSS("#send-code")),
			chromedp.WaitVisible(chromedp.CSS("#code")))
		pageHas(b, t, "Enter code page", "Enter code", addr, "30 minutes")
		saveScreenshot(b, t, "enter-code-"+engine+".png")

		code := e2etest.Passcode(t, in.Mail.WaitFor(t, mailtest.To(addr)))
		browserDo(b, t, "type the code",
			chromedp.SendKeys(chromedp.CSS("#code"), code),
			chromedp.Click(chromedp.CSS("#verify-code")),
			chromedp.WaitVisible(chromedp.CSS("#consent-accept")))

		// The first redemption: Review permissions, once.
		pageHas(b, t, "Review permissions page", "Review permissions", "Fabrikam", "Read your name", "Read your email address")
		saveScreenshot(b, t, "review-permissions-"+engine+".png")
		browserDo(b, t, "press Accept",
			chromedp.Click(chromedp.CSS("#consent-accept")),
			chromedp.WaitVisible(chromedp.CSS("#claims")))

		// Back in the app, signed in, showing the verified ID token's claims.
		if loc := browserValue(b, t, chromedp.Location()); loc != appURL+"/" {
			t.Fatalf("after the code the browser is at %s, want the app at %s/", loc, appURL)
		}
		pageHas(b, t, "the app", "Signed in as "+addr)
		if got := browserValue(b, t, chromedp.Text(chromedp.CSS("#claim-email"))); got != addr {
			t.Errorf("the app shows email %q, want %q", got, addr)
		}
		if got := browserValue(b, t, chromedp.Text(chromedp.CSS("#claim-idp"))); got != "mail" {
			t.Errorf("the app shows idp %q, want mail (a passcode guest)", got)
		}
		if got := browserValue(b, t, chromedp.Text(chromedp.CSS("#claim-tid"))); got != tn.ID {
			t.Errorf("the app shows tid %q, want the tenant %s", got, tn.ID)
		}
	})
}
