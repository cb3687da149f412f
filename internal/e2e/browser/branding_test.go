package browser

import (
	"bytes"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"path"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// logoPNG is a small banner logo.
func logoPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			img.Set(x, y, color.RGBA{R: 0, G: 0x78, B: 0xd4, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// putLogo uploads a banner logo as Graph's stream (PUT with the bytes).
func putLogo(t *testing.T, c *http.Client, u, contentType string, data []byte) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, u, bytes.NewReader(data))
	req.Header.Set("Content-Type", contentType)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// TestBrandingShowsOnPagesAndMail: company branding set through Graph's
// organizationalBranding (default and a Japanese localization, a banner
// logo uploaded as a stream) shows on the guest pages in Chromium (logo,
// background colour, sign-in page text, privacy link; accessible) and in
// the invitation and passcode mails the test's SMTP server receives; the
// logo is served with safe headers, and SVG or mislabelled images are
// refused. A tenant without branding looks as before.
func TestBrandingShowsOnPagesAndMail(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		engine := path.Base(t.Name())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "OrganizationalBranding.ReadWrite.All")
		plain, plainAdmin := in.TenantWithAdmin("Contoso", "contoso.example", "User.Invite.All")
		base := in.URL + "/v1.0/organization/" + tn.ID + "/branding"

		if s, _, raw := e2etest.GraphCall(t, admin, http.MethodGet, base, nil); s != http.StatusNotFound {
			t.Fatalf("branding before any is set = %d %s, want 404", s, raw)
		}
		if s, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, base, map[string]any{
			"backgroundColor": "#0078D4", "signInPageText": "Fabrikam partner portal. Authorized guests only.",
			"customPrivacyAndCookiesUrl": "https://fabrikam.example/privacy", "usernameHintText": "someone@example.com",
		}); s != http.StatusNoContent {
			t.Fatalf("PATCH branding = %d %s", s, raw)
		}
		if s, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, base+"/localizations/ja-JP", map[string]any{
			"signInPageText": "Fabrikam パートナー ポータル。許可されたゲストのみ。", "usernameHintText": "ゲストのメールアドレス",
		}); s != http.StatusNoContent {
			t.Fatalf("PATCH the ja localization = %d %s", s, raw)
		}
		if s, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, base, map[string]any{"backgroundColor": "red; background:url(https://x.example)"}); s != http.StatusBadRequest {
			t.Fatalf("a CSS injection as colour = %d %s, want 400", s, raw)
		}
		if s, _, raw := e2etest.GraphCall(t, admin, http.MethodPatch, base, map[string]any{"customCannotAccessYourAccountText": "x"}); s != http.StatusBadRequest {
			t.Fatalf("an unimplemented property = %d %s, want 400", s, raw)
		}
		// The localization keeps the id it was given (issue 22, item 13).
		var locs struct {
			Value []map[string]any `json:"value"`
		}
		if s := e2etest.API(t, admin, http.MethodGet, base+"/localizations", nil, &locs); s != http.StatusOK || len(locs.Value) != 2 ||
			locs.Value[0]["id"] != "0" || locs.Value[1]["id"] != "ja-JP" || locs.Value[1]["usernameHintText"] != "ゲストのメールアドレス" {
			t.Fatalf("GET localizations = %d %v", s, locs.Value)
		}
		if s, _, _ := e2etest.GraphCall(t, admin, http.MethodGet, in.URL+"/v1.0/organization/"+plain.ID+"/branding", nil); s != http.StatusNotFound {
			t.Fatalf("another tenant's branding = %d, want 404", s)
		}
		// The logo: SVG, a mislabelled file and an oversized image are refused.
		for name, c := range map[string]struct {
			ct   string
			data []byte
		}{
			"svg":         {"image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
			"html_as_png": {"image/png", []byte(`<html><script>alert(1)</script></html>`)},
			"too_large":   {"image/png", logoPNG(t, 600, 200)},
		} {
			if s, body := putLogo(t, admin, base+"/bannerLogo", c.ct, c.data); s != http.StatusBadRequest {
				t.Fatalf("%s logo = %d %s, want 400", name, s, body)
			}
		}
		logo := logoPNG(t, 200, 36)
		if s, body := putLogo(t, admin, base+"/bannerLogo", "image/png", logo); s != http.StatusNoContent {
			t.Fatalf("PUT bannerLogo = %d %s", s, body)
		}
		var got map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, base, nil, &got); s != http.StatusOK || got["backgroundColor"] != "#0078D4" ||
			got["customPrivacyAndCookiesUrl"] != "https://fabrikam.example/privacy" || got["bannerLogoRelativeUrl"] == nil || got["id"] != "0" {
			t.Fatalf("GET branding = %d %v", s, got)
		}

		// The logo is served with safe headers.
		logoURL := strings.TrimSuffix(got["cdnList"].([]any)[0].(string), "/") + "/" + got["bannerLogoRelativeUrl"].(string)
		resp, err := http.Get(logoURL)
		if err != nil {
			t.Fatal(err)
		}
		served, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !bytes.Equal(served, logo) || resp.Header.Get("Content-Type") != "image/png" ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Fatalf("logo = %d %v", resp.StatusCode, resp.Header)
		}

		// The invitation mail carries the branding.
		var inv map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
			"invitedUserEmailAddress": "teri@gmail.example", "inviteRedirectUrl": "https://apps.fabrikam.example",
			"sendInvitationMessage": true,
		}, &inv); s != http.StatusCreated {
			t.Fatalf("invite = %d %v", s, inv)
		}
		invMail := in.Mail.WaitFor(t, mailtest.To("teri@gmail.example"))
		for _, want := range []string{html.EscapeString(logoURL), "https://fabrikam.example/privacy", "#0078D4"} {
			if !strings.Contains(invMail.HTML, want) && !strings.Contains(invMail.HTML, strings.ReplaceAll(want, "&amp;", "&")) {
				t.Fatalf("the invitation mail lacks %q:\n%s", want, invMail.HTML)
			}
		}
		if !strings.Contains(invMail.Text, "https://fabrikam.example/privacy") {
			t.Fatalf("the invitation mail's text lacks the privacy link:\n%s", invMail.Text)
		}

		// The pages, in English and Japanese.
		for _, l := range []string{"en", "ja"} {
			b := newChromium(t)
			browserDo(b, t, "language", acceptLanguage(l))
			browserDo(b, t, "open the invitation", chromedp.Navigate(inv["inviteRedeemUrl"].(string)), chromedp.WaitVisible(chromedp.CSS("#send-code")))
			text := map[string]string{"en": "Fabrikam partner portal. Authorized guests only.", "ja": "Fabrikam パートナー ポータル。許可されたゲストのみ。"}[l]
			pageHas(b, t, "branded redeem page", text)
			if w := browserValue(b, t, chromedp.Evaluate[int](`document.getElementById("brand-logo").naturalWidth`)); w != 200 {
				t.Fatalf("the logo did not load: naturalWidth %d", w)
			}
			if bg := browserValue(b, t, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`)); bg != "rgb(0, 120, 212)" {
				t.Fatalf("background = %q", bg)
			}
			if href := browserValue(b, t, chromedp.AttributeValue(chromedp.CSS("#privacy-link"), "href")).Value; href != "https://fabrikam.example/privacy" {
				t.Fatalf("privacy link = %q", href)
			}
			checkAccessibility(b, t, "branded redeem page "+l)
			// The logo, colours and text fit a desktop and a phone screen.
			browserDo(b, t, "desktop", chromedp.EmulateViewport(1280, 900))
			guestPageFits(b, t, "branded redeem page "+l, 1280)
			browserDo(b, t, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			guestPageFits(b, t, "branded redeem page "+l, 390)
			browserDo(b, t, "back", chromedp.ResetViewport())
			if l == "ja" {
				// The ja-JP localization serves the Japanese sign-in page, its hint in the address field.
				browserDo(b, t, "sign-in page", chromedp.Navigate(in.URL+"/"+tn.ID+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
				if ph := browserValue(b, t, chromedp.AttributeValue(chromedp.CSS("#email"), "placeholder")).Value; ph != "ゲストのメールアドレス" {
					t.Fatalf("the Japanese sign-in page's address hint = %q", ph)
				}
			}
			saveScreenshot(b, t, "branded-redeem-"+l+"-"+engine+".png")
			if l == "en" {
				browserDo(b, t, "Send code", chromedp.Click(chromedp.CSS("#send-code")), chromedp.WaitVisible(chromedp.CSS("#code")))
				pageHas(b, t, "branded code page", text)
				checkAccessibility(b, t, "branded code page")
				saveScreenshot(b, t, "branded-code-"+engine+".png")
			}
		}
		// The passcode mail carries the branding too.
		code := in.Mail.WaitFor(t, func(m mailtest.Received) bool {
			return mailtest.To("teri@gmail.example")(m) && m.MessageID() != invMail.MessageID()
		})
		if !strings.Contains(code.HTML, "bannerLogo") || !strings.Contains(code.HTML, "https://fabrikam.example/privacy") {
			t.Fatalf("the passcode mail lacks the branding:\n%s", code.HTML)
		}

		// The English sign-in page shows the default's hint.
		if p := e2etest.NewBrowser(t).Get(in.URL + "/" + tn.ID + "/login"); p.Status != http.StatusOK || !strings.Contains(p.Body, `placeholder="someone@example.com"`) {
			t.Fatalf("the English sign-in page lacks the address hint:\n%s", p.Body)
		}

		// Without branding: no logo, no colour, no text.
		var plainInv map[string]any
		e2etest.API(t, plainAdmin, http.MethodPost, in.URL+"/v1.0/invitations", map[string]any{
			"invitedUserEmailAddress": "kim@gmail.example", "inviteRedirectUrl": "https://apps.contoso.example",
		}, &plainInv)
		p := e2etest.NewBrowser(t).Get(plainInv["inviteRedeemUrl"].(string))
		if p.Status != http.StatusOK || strings.Contains(p.Body, `id="brand-logo"`) || strings.Contains(p.Body, `style="background-color`) || strings.Contains(p.Body, `id="brand-text"`) {
			t.Fatalf("an unbranded tenant's page:\n%s", p.Body)
		}
	})
}
