package browser

import (
	"context"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/otp"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestGuestPagesNoDeadEnds walks, in Chromium and in English and Japanese,
// the pages where a guest used to get stuck, and checks each offers
// exactly the next step that works, passes the accessibility check and
// is saved as a screenshot: a code locked by wrong entries (only Send a
// new code, waiting for the resend window, in words), the resend wait, an
// expired code, a bogus redeem link, an unknown client_id, signing out,
// and "Sign in to an organization".
func TestGuestPagesNoDeadEnds(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		engine := path.Base(t.Name())
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		ctx := context.Background()
		tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example")
		const appURL = "https://app.fabrikam.example"
		app, _, err := in.Srv.CreateApp(ctx, tn.ID, "Fabrikam portal", nil, []string{appURL + "/callback"}, []string{appURL + "/"}, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range i18n.Languages {
			t.Run(l, func(t *testing.T) {
				b := newChromium(t)
				browserDo(b, t, "language", acceptLanguage(l))
				T := func(key string, args ...any) string { return i18n.T(l, key, args...) }
				shot := func(name string) {
					t.Helper()
					guestPageShots(b, t, name+"-"+l, engine)
				}
				addr := "lockout-" + l + "@gmail.example"
				res, err := in.Srv.Invite(ctx, tn, invitation.Request{Email: addr, RedirectURL: appURL})
				if err != nil {
					t.Fatal(err)
				}
				link := res.RedeemURL

				// The redeem link: Send code.
				browserDo(b, t, "open the invitation", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#send-code")))
				shot("redeem")
				browserDo(b, t, "Send code", chromedp.Click(chromedp.CSS("#send-code")), chromedp.WaitVisible(chromedp.CSS("#code")))

				// Just sent: the code field, its length, and the resend wait in words.
				pageHas(b, t, "code page", T("otp.sent_to", addr), T("otp.code_hint", otp.DefaultLimits.Digits),
					T("otp.resend_wait", T("time.in_one_minute")))
				wantDisabled(b, t, "resend while waiting", true)
				shot("resend-wait")

				// Wrong codes: the attempts left, then a void code offers only Send a new code.
				for i := 1; i <= otp.DefaultLimits.MaxAttempts; i++ {
					browserDo(b, t, "a wrong code", chromedp.SetValue(chromedp.CSS("#code"), "00000000"))
					clickAndLoad(b, t, "#verify-code")
					if left := otp.DefaultLimits.MaxAttempts - i; left > 1 {
						pageHas(b, t, "wrong code", T("otp.err_wrong"), T("otp.attempts_left", left))
						if i == 1 {
							shot("wrong-code")
						}
					}
				}
				pageHas(b, t, "locked code", T("otp.err_too_many"))
				pageHasNot(b, t, "locked code", T("otp.sent_to", addr))
				if n := count(b, t, "#code"); n != 0 {
					t.Fatalf("a locked code's page still offers the code field")
				}
				wantDisabled(b, t, "resend while locked", true)
				shot("lockout")

				// A fresh browser on the same code page: the same, never "use the code".
				fresh := newChromium(t)
				browserDo(fresh, t, "language", acceptLanguage(l))
				loc := browserValue(b, t, chromedp.Location())
				browserDo(fresh, t, "open the code page", chromedp.Navigate(stripFlag(loc)), chromedp.WaitVisible(chromedp.CSS("#resend-code")))
				if n := count(fresh, t, "#code"); n != 0 {
					t.Fatalf("a fresh browser is offered the locked code's field")
				}

				// The resend window opens: the button works and sends a code.
				fake.Advance(otp.DefaultLimits.ResendAfter + time.Second)
				browserDo(b, t, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#resend-code")))
				wantDisabled(b, t, "resend after the wait", false)
				clickAndLoad(b, t, "#resend-code")
				pageHas(b, t, "new code", T("otp.sent_to", addr))

				// A reload sends nothing (post/redirect/get): with every
				// mail so far marked sent (so received), the reload
				// leaves the count as it was once its own mail, had it
				// queued one, would be marked sent too.
				toAddr := func(m mailtest.Received) bool { return slices.Contains(m.To, addr) }
				in.WaitOutboxEmpty()
				before := len(in.Mail.WaitCount(t, 2, toAddr))
				browserDo(b, t, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#code")))
				in.WaitOutboxEmpty()
				if after := len(in.Mail.WaitCount(t, before, toAddr)); after != before {
					t.Fatalf("a reload sent %d mails", after-before)
				}

				// The code expires: only Send a new code, ready at once.
				fake.Advance(otp.DefaultLimits.Validity + time.Second)
				browserDo(b, t, "reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#resend-code")))
				pageHas(b, t, "expired code", T("otp.err_expired", int(otp.DefaultLimits.Validity.Minutes())))
				wantDisabled(b, t, "resend an expired code", false)
				shot("expired-code")

				// A new code after expiry, typed: Review permissions (not accepted:
				// the app's address is not served here).
				clickAndLoad(b, t, "#resend-code")
				mails := in.Mail.WaitCount(t, 3, mailtest.To(addr))
				browserDo(b, t, "the right code", chromedp.SetValue(chromedp.CSS("#code"), e2etest.Passcode(t, mails[len(mails)-1])))
				clickAndLoad(b, t, "#verify-code")
				browserDo(b, t, "Review permissions", chromedp.WaitVisible(chromedp.CSS("#consent-accept")))
				shot("review-permissions")

				// The sign-in page of an app's request: the address, then Send code.
				browserDo(b, t, "sign-in page", chromedp.Navigate(in.URL+"/"+tn.ID+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
				shot("signin")
				browserDo(b, t, "a bad address", chromedp.SetValue(chromedp.CSS("#email"), "not-an-address"),
					chromedp.Evaluate[chromedp.Void](`document.getElementById("email").type = "text"`))
				clickAndLoad(b, t, "#next")
				pageHas(b, t, "bad address", T("signin.err_address"))
				if d := browserValue(b, t, chromedp.AttributeValue(chromedp.CSS("#email"), "aria-describedby")).Value; d != "email-error" {
					t.Fatalf("the address error is not tied to its field: aria-describedby %q", d)
				}
				shot("signin-error")
				browserDo(b, t, "the address", chromedp.SetValue(chromedp.CSS("#email"), addr))
				clickAndLoad(b, t, "#next")
				browserDo(b, t, "Send code page", chromedp.WaitVisible(chromedp.CSS("#send-code")))
				if href := browserValue(b, t, chromedp.AttributeValue(chromedp.CSS("#use-another"), "href")).Value; !strings.HasPrefix(href, "/"+tn.ID+"/login?authRequestID=") {
					t.Fatalf("the app-started Send code page's other-address link = %q", href)
				}
				shot("signin-send-code")

				// Signing in again within the resend window of the code just
				// used: the page says a code was sent a moment ago, not that
				// "that code was already used".
				clickAndLoad(b, t, "#send-code")
				pageHas(b, t, "again within the resend window", T("otp.used_moment_ago", addr))
				pageHasNot(b, t, "again within the resend window", T("otp.err_used"))
				shot("signin-again-moment-ago")

				// A bogus redeem link: what happened, what to do, the request id.
				browserDo(b, t, "bogus link", chromedp.Navigate(in.URL+"/redeem?ticket="+tn.ID+".AAAA"), chromedp.WaitVisible(chromedp.CSS("h1")))
				pageHas(b, t, "bogus link", T("ticket.unknown_title"), T("ticket.unknown"), strings.TrimSuffix(T("error.request_id", ""), " "))
				shot("expired-link")

				// An unknown client_id: a page, not JSON.
				q := url.Values{"client_id": {"00000000-0000-0000-0000-000000000000"}, "response_type": {"code"}, "scope": {"openid"},
					"redirect_uri": {appURL + "/callback"}}
				browserDo(b, t, "unknown client", chromedp.Navigate(in.URL+"/"+tn.ID+"/oauth2/v2.0/authorize?"+q.Encode()), chromedp.WaitVisible(chromedp.CSS("h1")))
				pageHas(b, t, "unknown client", T("authorize.title"), T("authorize.todo"), strings.TrimSuffix(T("error.request_id", ""), " "))
				shot("unknown-client")

				// Signing out: a page with the way back to the app.
				back := url.Values{"post_logout_redirect_uri": {appURL + "/"}, "client_id": {app.AppID}}
				browserDo(b, t, "sign out", chromedp.Navigate(in.URL+"/"+tn.ID+"/oauth2/v2.0/logout?"+back.Encode()), chromedp.WaitVisible(chromedp.CSS("h1")))
				pageHas(b, t, "signed out", T("session.signed_out_title"), T("session.back_to_app"))
				if href := browserValue(b, t, chromedp.AttributeValue(chromedp.CSS("#action-link"), "href")).Value; href != appURL+"/" {
					t.Fatalf("the signed-out page links to %q, want the app", href)
				}
				shot("signed-out")
				// Without an app to go back to: the next step is signing in again.
				browserDo(b, t, "signed out, no app", chromedp.Navigate(in.URL+"/"+tn.ID+"/signedout"), chromedp.WaitVisible(chromedp.CSS("h1")))
				pageHas(b, t, "signed out, no app", T("session.signed_out_title"), T("session.signed_out_next"), T("session.sign_in_again"))
				if href := browserValue(b, t, chromedp.AttributeValue(chromedp.CSS("#action-link"), "href")).Value; href != "/"+tn.ID+"/" {
					t.Fatalf("the signed-out page without an app links to %q", href)
				}
				shot("signed-out-no-app")

				// Addresses that serve nothing: pages in the guest's language.
				browserDo(b, t, "no such page", chromedp.Navigate(in.URL+"/"+tn.ID+"/no/such/page"), chromedp.WaitVisible(chromedp.CSS("h1")))
				pageHas(b, t, "no such page", T("notfound.title"), T("notfound.todo"))
				shot("not-found")
				browserDo(b, t, "unknown tenant at authorize", chromedp.Navigate(in.URL+"/nosuch.example/oauth2/v2.0/authorize?"+q.Encode()), chromedp.WaitVisible(chromedp.CSS("h1")))
				pageHas(b, t, "unknown tenant at authorize", T("tenant.unknown_title"), T("tenant.unknown_quoted", "nosuch.example"))
				shot("unknown-tenant")

				// Sign in to an organization: never an empty domain.
				browserDo(b, t, "no tenant", chromedp.Navigate(in.URL+"/common/oauth2/v2.0/authorize"), chromedp.WaitVisible(chromedp.CSS("#domain")))
				pageHas(b, t, "tenant context", T("context.signin_org"))
				shot("signin-to-organization")
				browserDo(b, t, "empty domain", chromedp.Navigate(in.URL+"/signin-to-organization?domain=+"), chromedp.WaitVisible(chromedp.CSS("#domain-error")))
				pageHas(b, t, "empty domain", T("context.enter_domain"))
				shot("signin-to-organization-empty")
				browserDo(b, t, "unknown domain", chromedp.SetValue(chromedp.CSS("#domain"), "nobody.example"))
				clickAndLoad(b, t, "#continue")
				pageHas(b, t, "unknown domain", T("context.unknown_domain", "nobody.example"))
				browserDo(b, t, "known domain",
					chromedp.SetValue(chromedp.CSS("#domain"), "fabrikam.example"),
					chromedp.Click(chromedp.CSS("#continue")),
					chromedp.WaitNotPresent(chromedp.CSS("#domain")))
				if loc := browserValue(b, t, chromedp.Location()); !strings.HasPrefix(loc, in.URL+"/fabrikam.example/") && !strings.HasPrefix(loc, in.URL+"/"+tn.ID+"/") {
					t.Fatalf("a known domain went to %s, want Fabrikam's pages", loc)
				}
			})
		}
	})
}

// clickAndLoad clicks sel and waits until the next page has loaded.
func clickAndLoad(b context.Context, t *testing.T, sel string) {
	t.Helper()
	browserDo(b, t, "mark the page", chromedp.Evaluate[chromedp.Void](`window.__before = true`))
	browserDo(b, t, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
	for i := 0; ; i++ {
		loaded := browserValue(b, t, chromedp.Evaluate[bool](`window.__before !== true && document.readyState === "complete"`))
		if loaded {
			return
		}
		if i > 200 {
			t.Fatalf("click %s: the next page did not load", sel)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// wantDisabled checks whether Send a new code is disabled.
func wantDisabled(b context.Context, t *testing.T, what string, want bool) {
	t.Helper()
	got := browserValue(b, t, chromedp.Evaluate[bool](`document.getElementById("resend-code").disabled`))
	if got != want {
		t.Fatalf("%s: Send a new code disabled = %v, want %v", what, got, want)
	}
}

// count is the number of elements matching sel.
func count(b context.Context, t *testing.T, sel string) int {
	t.Helper()
	return browserValue(b, t, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
}

func jsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// stripFlag drops the code page's one-shot flag from its URL.
func stripFlag(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return u
	}
	q := p.Query()
	q.Del("f")
	p.RawQuery = q.Encode()
	return p.String()
}

// pageHasNot checks the visible text of the page contains none of bad.
func pageHasNot(b context.Context, t *testing.T, what string, bad ...string) {
	t.Helper()
	text := browserValue(b, t, chromedp.Text(chromedp.CSS("body")))
	for _, w := range bad {
		if strings.Contains(text, w) {
			t.Fatalf("%s: %q must not be in the page text:\n%s", what, w, text)
		}
	}
}

// TestErrorPagesJSONOnlyWhenAsked: an unknown tenant (also at the
// authorization endpoint), an unknown client_id, a bogus redeem link and an
// address under a tenant that serves nothing are pages for a browser (with
// the request id), and JSON only for a client whose Accept asks for it.
func TestErrorPagesJSONOnlyWhenAsked(t *testing.T) {
	in := e2etest.Start(t, e2etest.StartOptions{DSN: testenv.SQLiteDSN(t)})
	tn, _ := in.TenantWithAdmin("Fabrikam", "fabrikam.example")
	q := url.Values{"client_id": {"00000000-0000-0000-0000-000000000000"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {"https://x.example/cb"}}
	for _, p := range []string{"/nosuch.example/login", "/" + tn.ID + "/oauth2/v2.0/authorize?" + q.Encode(), "/redeem?ticket=" + tn.ID + ".AAAA",
		"/nosuch.example/oauth2/v2.0/authorize?" + q.Encode(), "/" + tn.ID + "/no/such/page", "/fabrikam.example/myapps/x"} {
		for _, accept := range []string{"text/html,application/xhtml+xml,*/*;q=0.8", "application/json"} {
			req, _ := http.NewRequest(http.MethodGet, in.URL+p, nil)
			req.Header.Set("Accept", accept)
			pg := e2etest.NewBrowser(t).Do(req)
			ct := pg.Header.Get("Content-Type")
			if pg.Status < 400 || pg.Status >= 500 {
				t.Errorf("%s (%s) = %d, want a 4xx", p, accept, pg.Status)
			}
			if accept == "application/json" {
				if !strings.HasPrefix(ct, "application/json") {
					t.Errorf("%s asked for JSON, got %s:\n%s", p, ct, pg.Body)
				}
				continue
			}
			if !strings.HasPrefix(ct, "text/html") || !strings.Contains(pg.Body, "Request ID:") || strings.Count(pg.Body, "<h1") != 1 {
				t.Errorf("%s in a browser = %s:\n%s", p, ct, pg.Body)
			}
		}
	}
}

// guestPageShots checks the page in b on a desktop screen, then a
// phone-sized one: each passes axe, scrolls no page sideways and is saved
// as a screenshot.
func guestPageShots(b context.Context, t *testing.T, name, engine string) {
	t.Helper()
	browserDo(b, t, "desktop", chromedp.EmulateViewport(1280, 900))
	checkAccessibility(b, t, name)
	guestPageFits(b, t, name, 1280)
	saveScreenshot(b, t, "guest-"+name+"-"+engine+".png")
	browserDo(b, t, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	checkAccessibility(b, t, name+" (phone)")
	guestPageFits(b, t, name, 390)
	saveScreenshot(b, t, "guest-"+name+"-phone-"+engine+".png")
	browserDo(b, t, "desktop", chromedp.ResetViewport())
}

// guestPageFits asserts the page scrolls no wider than the screen: nothing
// runs off the side at this width (a phone's 390 px, a desktop's 1280 px).
func guestPageFits(b context.Context, t *testing.T, name string, width int) {
	t.Helper()
	scroll := browserValue(b, t, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	inner := browserValue(b, t, chromedp.Evaluate[int](`window.innerWidth`))
	if scroll > inner || scroll > width {
		t.Fatalf("%s at %d px: the page is %d px wide (window %d px): it scrolls sideways", name, width, scroll, inner)
	}
}
