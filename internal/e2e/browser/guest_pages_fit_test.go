package browser

import (
	"context"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestGuestPagesFitTheScreen: the pages a guest or member meets that
// TestGuestPagesNoDeadEnds does not reach — an app's sign-up offer, the
// password page and its refusal, My Apps, the sign-out question, the
// start-again page of a stale round trip to a partner, and the consumers
// directory's sign-up (address, Send code, code and password) — pass axe
// and scroll no page sideways at 1280 and 390 px, in every language.
// Layout does not depend on the engine, so SQLite only.
func TestGuestPagesFitTheScreen(t *testing.T) {
	in := e2etest.Start(t, e2etest.StartOptions{DSN: testenv.SQLiteDSN(t)})
	ctx := context.Background()
	tn, _ := in.TenantWithAdmin("Fabrikam Partner Collaboration 株式会社ファブリカム", "fabrikam.example")
	const password = "a long enough password 1"
	const appURL = "https://wiki.fabrikam.example"
	app, _, err := in.Srv.CreateApp(ctx, tn.ID, "Fabrikam Wiki", nil, []string{appURL + "/callback"}, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Srv.SetAppSignUp(ctx, tn.ID, app.AppID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Srv.SetEmailPolicy(ctx, tn, policy.AllowEnabled); err != nil {
		t.Fatal(err)
	}
	authorize := in.URL + "/" + tn.ID + "/oauth2/v2.0/authorize?" + url.Values{"client_id": {app.AppID}, "response_type": {"code"},
		"scope": {"openid"}, "redirect_uri": {appURL + "/callback"}, "state": {"s"}, "nonce": {"n"}}.Encode()
	for _, l := range i18n.Languages {
		t.Run(l, func(t *testing.T) {
			addr := "member-" + l + "@fabrikam.example"
			if _, err := in.Srv.CreateMember(ctx, tn, member.NewMember{UserPrincipalName: addr, DisplayName: "Kazuya Watanabe-Yamamoto 渡辺和也",
				Password: password, AccountEnabled: true}); err != nil {
				t.Fatal(err)
			}
			b := newChromium(t)
			browserDo(b, t, "language", acceptLanguage(l))
			T := func(key string, args ...any) string { return i18n.T(l, key, args...) }
			shot := func(name string) { t.Helper(); guestPageShots(b, t, name+"-"+l, "sqlite") }

			browserDo(b, t, "an app's sign-in", chromedp.Navigate(authorize), chromedp.WaitVisible(chromedp.CSS("#email")))
			browserDo(b, t, "an address with no account", chromedp.SetValue(chromedp.CSS("#email"), "ivy-"+l+"@tailspin.example"))
			clickAndLoad(b, t, "#next")
			browserDo(b, t, "the app's sign-up offer", chromedp.WaitVisible(chromedp.CSS("#signup-passcode")))
			shot("app-signup-offer")

			browserDo(b, t, "sign-in page", chromedp.Navigate(in.URL+"/"+tn.ID+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
			browserDo(b, t, "the address", chromedp.SetValue(chromedp.CSS("#email"), addr))
			clickAndLoad(b, t, "#next")
			browserDo(b, t, "password page", chromedp.WaitVisible(chromedp.CSS("#password")))
			shot("password")
			browserDo(b, t, "a wrong password", chromedp.SetValue(chromedp.CSS("#password"), "not the password"))
			clickAndLoad(b, t, "#sign-in")
			browserDo(b, t, "password refused", chromedp.WaitVisible(chromedp.CSS("#password-error")))
			shot("password-wrong")
			browserDo(b, t, "the password", chromedp.SetValue(chromedp.CSS("#password"), password))
			clickAndLoad(b, t, "#sign-in")
			browserDo(b, t, "My Apps", chromedp.WaitVisible(chromedp.CSS("#sign-out")))
			shot("myapps")
			browserDo(b, t, "sign-out question", chromedp.Navigate(in.URL+"/"+tn.ID+"/signout"), chromedp.WaitVisible(chromedp.CSS("#confirm-signout")))
			shot("signout-confirm")

			browserDo(b, t, "a stale partner round trip", chromedp.Navigate(in.URL+"/"+tn.ID+"/login/federation/return?state=stale"), chromedp.WaitVisible(chromedp.CSS("h1")))
			shot("start-again")

			browserDo(b, t, "sign-up", chromedp.Navigate(in.URL+e2etest.ConsumersPath+"/signup"), chromedp.WaitVisible(chromedp.CSS("#email")))
			shot("signup")
			browserDo(b, t, "sign-up address", chromedp.SetValue(chromedp.CSS("#email"), "new-"+l+"@outlook-partner.example"))
			clickAndLoad(b, t, "#next")
			browserDo(b, t, "sign-up Send code", chromedp.WaitVisible(chromedp.CSS("#send-code")))
			shot("signup-send-code")
			clickAndLoad(b, t, "#send-code")
			browserDo(b, t, "sign-up code and password", chromedp.WaitVisible(chromedp.CSS("#create-account")))
			pageHas(b, t, "sign-up code", T("otp.sent_to", "new-"+l+"@outlook-partner.example"))
			shot("signup-code")
		})
	}
}
