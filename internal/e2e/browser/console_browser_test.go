package browser

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/i18n"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/member"
)

// The console's browser tests save a screenshot of each page they visit,
// in English and in Japanese, under screenshots/console/ (see
// screenshotDir), named page_lang.png.

// consoleLangs are the languages every console page is shown in.
var consoleLangs = []string{"en", "ja"}

// consoleTab is a Chromium tab signed in to a tenant's console.
type consoleTab struct {
	t    *testing.T
	b    context.Context
	in   *e2etest.Instance
	base string
	lang string
}

// newAdminTenant creates a tenant (domain, cloud, preview opt-in) whose
// first member, admin@domain, is a Global Administrator.
func newAdminTenant(t *testing.T, in *e2etest.Instance, name, domain string, cloud directory.Cloud, preview bool) directory.Tenant {
	t.Helper()
	tn, _, err := in.Srv.CreateTenantWithAdmin(context.Background(),
		directory.NewTenantRequest{Name: name, Domains: []string{domain}, Cloud: cloud, PreviewOptIn: preview},
		member.NewMember{UserPrincipalName: "admin@" + domain, DisplayName: "Avery Admin", Password: e2etest.ConsolePassword})
	if err != nil {
		t.Fatal(err)
	}
	return tn
}

// openConsole signs addr in to tn's console in a new Chromium tab whose
// pages are in lang.
func openConsole(t *testing.T, in *e2etest.Instance, tn directory.Tenant, addr, lang string) *consoleTab {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(screenshotDir(t), "console"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &consoleTab{t: t, b: newChromium(t), in: in, base: in.URL + "/" + tn.ID + "/admin", lang: lang}
	browserDo(c.b, t, "sign in to the console", acceptLanguage(lang),
		chromedp.Navigate(c.base+"/"), chromedp.WaitVisible(chromedp.CSS("#password")))
	if got := browserValue(c.b, t, chromedp.AttributeValue(chromedp.CSS("html"), "lang")); got.Value != lang {
		t.Fatalf("html lang = %q, want %q", got.Value, lang)
	}
	c.shot("signin")
	browserDo(c.b, t, "type the password",
		chromedp.SendKeys(chromedp.CSS("#email"), addr),
		chromedp.SendKeys(chromedp.CSS("#password"), e2etest.ConsolePassword),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#tenant-id")))
	return c
}

// open navigates to a console path and waits for the element.
func (c *consoleTab) open(p, waitFor string) {
	c.t.Helper()
	browserDo(c.b, c.t, "open "+p, chromedp.Navigate(c.base+p), chromedp.WaitVisible(chromedp.CSS(waitFor)))
}

// shot checks the page's accessibility (axe-core) and saves it as
// console/name_lang.png.
func (c *consoleTab) shot(name string) {
	c.t.Helper()
	checkAccessibility(c.b, c.t, "console "+name+" ("+c.lang+")")
	saveScreenshot(c.b, c.t, "console/"+name+"_"+c.lang+".png")
}

// html is the page's markup.
func (c *consoleTab) html() string {
	return browserValue(c.b, c.t, chromedp.OuterHTML(chromedp.CSS("html")))
}

// download fetches a link of the page with the tab's cookies.
func (c *consoleTab) download(href string) []byte {
	c.t.Helper()
	cookies := browserValue(c.b, c.t, chromedp.Action[[]*network.Cookie](func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{c.in.URL + "/"}})
		return res.Cookies, err
	}))
	u, err := url.Parse(href)
	if err != nil {
		c.t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, c.in.URL+u.RequestURI(), nil)
	for _, ck := range cookies {
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		c.t.Fatalf("download %s = %d %s\n%s", href, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	return body
}

func (c *consoleTab) href(sel string) string {
	c.t.Helper()
	a := browserValue(c.b, c.t, chromedp.AttributeValue(chromedp.CSS(sel), "href"))
	return a.Value
}

// TestConsoleBrowserPasscodePolicy: a Global Administrator changes the
// email OTP policy through the pane in each of its forms (section 4): the
// three options of a public tenant (with "Automatically enable … after"
// only while the value is default), the Yes/No toggle of a preview opt-in
// tenant, and the Yes/No toggle of a US Government tenant under
// Organizational relationships; Save asks for confirmation with the number
// of passcode guests and what disabling does (R9). The API shows each change.
func TestConsoleBrowserPasscodePolicy(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		kinds := []struct {
			name, form, choose, want string
			cloud                    directory.Cloud
			preview                  bool
		}{
			{"public", "three", "disabled", "disabled", directory.CloudPublic, false},
			{"preview", "yesno", "disabled", "disabled", directory.CloudPublic, true},
			{"usgov", "yesno", "enabled", "enabled", directory.CloudUSGov, false},
		}
		for _, lang := range consoleLangs {
			for _, k := range kinds {
				domain := k.name + "-" + lang + ".example"
				tn := newAdminTenant(t, in, "Fabrikam "+k.name, domain, k.cloud, k.preview)
				_, app := in.TenantWithAdminIn(tn, "Policy.Read.All")
				c := openConsole(t, in, tn, "admin@"+domain, lang)
				c.shot("overview")
				c.open("/identity-providers", "#email-otp")
				c.shot("identity_providers_" + k.name)
				if lang == "en" && k.cloud == directory.CloudUSGov {
					pageHas(c.b, t, "US Government list", "Organizational relationships > All identity providers")
				}
				browserDo(c.b, t, "open the pane", chromedp.Click(chromedp.CSS("#email-otp")), chromedp.WaitVisible(chromedp.CSS("#otp-"+k.form)))
				html := c.html()
				if k.form == "three" && !strings.Contains(html, `id="otp-default"`) {
					t.Fatalf("%s: a default tenant is offered no automatic option:\n%s", k.name, html)
				}
				if lang == "en" && k.form == "three" {
					pageHas(c.b, t, "three options", "Automatically enable email one-time passcode for guests after 2021-10-01",
						"Enable email one-time passcode for guests effective now", "Disable email one-time passcode for guests")
				}
				if lang == "en" && k.cloud == directory.CloudUSGov {
					pageHas(c.b, t, "US Government pane", "Organizational relationships > All identity providers > Email one-time passcode")
				}
				c.shot("email_otp_" + k.name)
				browserDo(c.b, t, "choose and save", chromedp.Click(chromedp.CSS("#otp-"+k.choose)), chromedp.Click(chromedp.CSS("#save")),
					chromedp.WaitVisible(chromedp.CSS("#redeemed-count")))
				if lang == "en" {
					pageHas(c.b, t, "confirmation", "0 guests redeemed their invitation with a one-time passcode",
						"If one-time passcodes are disabled, those guests can no longer sign in")
				}
				c.shot("email_otp_confirm_" + k.name)
				browserDo(c.b, t, "confirm", chromedp.Click(chromedp.CSS("#confirm-save")), chromedp.WaitVisible(chromedp.CSS("#notice")))
				c.shot("email_otp_saved_" + k.name)
				var cfg map[string]any
				e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/email", nil, &cfg)
				if cfg["allowExternalIdToUseEmailOtp"] != k.want {
					t.Fatalf("%s/%s: after Save the API says %v", k.name, lang, cfg)
				}
				if k.form == "three" && strings.Contains(c.html(), `id="otp-default"`) {
					t.Fatalf("%s: the automatic option is still offered after an explicit choice", k.name)
				}
			}
		}
	})
}

// TestConsoleBrowserInviteAndReset: a Global Administrator invites one
// guest with the form, finds a guest who redeemed with a passcode, reads
// the R7 explanation and resets the redemption; the API shows the new
// guest pending and the reset guest pending again with no identity provider.
func TestConsoleBrowserInviteAndReset(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		for _, lang := range consoleLangs {
			domain := "invite-" + lang + ".example"
			tn := newAdminTenant(t, in, "Fabrikam", domain, directory.CloudPublic, false)
			_, app := in.TenantWithAdminIn(tn, "User.Read.All")
			res, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "ana-" + lang + "@partner.example", DisplayName: "Ana", RedirectURL: "https://app.example/"})
			if err != nil {
				t.Fatal(err)
			}
			rp := e2etest.NewRelyingParty(t, in, tn)
			f := rp.Begin()
			rp.Finish(f, rp.SignIn(e2etest.NewBrowser(t), f, "ana-"+lang+"@partner.example"))

			c := openConsole(t, in, tn, "admin@"+domain, lang)
			c.open("/invite", "#invite")
			c.shot("invite")
			kim := "kim-" + lang + "@partner.example"
			browserDo(c.b, t, "invite one guest",
				chromedp.SendKeys(chromedp.CSS("#email"), kim), chromedp.SendKeys(chromedp.CSS("#displayName"), "Kim"),
				chromedp.Click(chromedp.CSS("#invite")), chromedp.WaitVisible(chromedp.CSS("#invited")))
			if lang == "en" {
				pageHas(c.b, t, "invited", kim+" was invited.")
			}
			c.shot("invite_result")
			var users struct{ Value []map[string]any }
			e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/users?$select=id,mail,userType,externalUserState&$filter="+url.QueryEscape("mail eq '"+kim+"'"), nil, &users)
			if len(users.Value) != 1 || users.Value[0]["externalUserState"] != "PendingAcceptance" || users.Value[0]["userType"] != "Guest" {
				t.Fatalf("invited guest in the API: %v", users.Value)
			}

			c.open("/users?q=ana", "#users")
			pageHas(c.b, t, "search", "ana-"+lang+"@partner.example")
			c.shot("users")
			c.open("/users/"+res.User.ID, "#reset")
			if got := browserValue(c.b, t, chromedp.Text(chromedp.CSS("#state"))); got != "Accepted" {
				t.Fatalf("state before reset = %q", got)
			}
			c.shot("user")
			browserDo(c.b, t, "reset", chromedp.Click(chromedp.CSS("#reset")), chromedp.WaitVisible(chromedp.CSS("#confirm")))
			if lang == "en" {
				pageHas(c.b, t, "R7 explanation", "keeps signing in with the identity provider used when the invitation was accepted",
					"keeps the same object ID, group memberships and app assignments")
			}
			c.shot("reset_confirm")
			browserDo(c.b, t, "confirm the reset", chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#notice")))
			if got := browserValue(c.b, t, chromedp.Text(chromedp.CSS("#state"))); got != "PendingAcceptance" {
				t.Fatalf("state after reset = %q", got)
			}
			c.shot("user_reset")
			var u map[string]any
			e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/users/"+res.User.ID+"?$select=id,externalUserState", nil, &u)
			if u["externalUserState"] != "PendingAcceptance" || u["id"] != res.User.ID {
				t.Fatalf("reset guest in the API: %v", u)
			}
		}
	})
}

// TestConsoleBrowserBulkInvite: a Global Administrator uploads the bulk
// invitation template with 500 rows, watches the progress page until every
// row is done, and downloads the result CSV; the API lists the 500 guests.
// In Japanese the same pages are shown with a short file.
func TestConsoleBrowserBulkInvite(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		for _, lang := range consoleLangs {
			rows := 500
			if lang != "en" {
				rows = 5
			}
			domain := "bulk-" + lang + ".example"
			tn := newAdminTenant(t, in, "Fabrikam", domain, directory.CloudPublic, false)
			_, app := in.TenantWithAdminIn(tn, "User.Read.All")
			var sb strings.Builder
			sb.WriteString("version:v1.0\nEmail address to invite [inviteeEmail] Required,Redirection url [inviteRedirectURL] Required,Send invitation message (true or false) [sendEmail],Customized invitation message [customizedMessageBody]\n")
			for i := 0; i < rows; i++ {
				fmt.Fprintf(&sb, "guest%03d-%s@partner.example,https://app.example/,false,Welcome\n", i, lang)
			}
			file := filepath.Join(t.TempDir(), "invite.csv")
			if err := os.WriteFile(file, []byte(sb.String()), 0o600); err != nil {
				t.Fatal(err)
			}
			c := openConsole(t, in, tn, "admin@"+domain, lang)
			c.open("/invite", "#upload")
			browserDo(c.b, t, "upload", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}), chromedp.Click(chromedp.CSS("#upload")),
				chromedp.WaitVisible(chromedp.CSS("#progress, #bulk-done")))
			if strings.Contains(c.html(), `id="progress"`) {
				c.shot("bulk_progress")
			}
			browserDo(c.b, t, "wait for every row", chromedp.WaitVisible(chromedp.CSS("#bulk-done")))
			if lang == "en" {
				pageHas(c.b, t, "bulk done", fmt.Sprintf("All %d rows are done: %d invited, 0 failed.", rows, rows))
			}
			c.shot("bulk_done")
			raw := c.download(c.href("#download"))
			recs, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
			if err != nil || len(recs) != rows+1 {
				t.Fatalf("result CSV: %d records, %v", len(recs), err)
			}
			for _, r := range recs[1:] {
				if r[4] != "Success" || r[6] == "" {
					t.Fatalf("result row %v", r)
				}
			}
			req, _ := http.NewRequest(http.MethodGet, in.URL+"/v1.0/users/$count?$filter="+url.QueryEscape("userType eq 'Guest'"), nil)
			req.Header.Set("ConsistencyLevel", "eventual")
			resp, err := app.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != fmt.Sprint(rows) {
				t.Fatalf("guests in the API after the bulk invitation: %d %s", resp.StatusCode, body)
			}
		}
	})
}

// TestConsoleBrowserSignInLog: a Global Administrator filters the sign-in
// log by user and result and sees exactly the failures the API lists for
// that user; the CSV export holds the same rows. The other pages (audit
// log, external collaboration settings, users) are shown too.
func TestConsoleBrowserSignInLog(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		for _, lang := range consoleLangs {
			domain := "logs-" + lang + ".example"
			tn := newAdminTenant(t, in, "Fabrikam", domain, directory.CloudPublic, false)
			if _, err := in.Srv.CreateMember(context.Background(), tn, member.NewMember{UserPrincipalName: "plain@" + domain, DisplayName: "Pat", Password: e2etest.ConsolePassword, AccountEnabled: true}); err != nil {
				t.Fatal(err)
			}
			_, app := in.TenantWithAdminIn(tn, "AuditLog.Read.All")
			// One wrong password and one sign-in of Pat at the console.
			b := e2etest.NewBrowser(t)
			base := "/" + tn.ID + "/admin"
			p := b.Get(in.URL + base + "/signin")
			if s := b.Submit(in.URL, p, base+"/signin", map[string]string{"email": "plain@" + domain, "password": "not-the-password-9"}); s.Status != http.StatusUnauthorized {
				t.Fatalf("wrong password = %d", s.Status)
			}
			p = b.Get(in.URL + base + "/signin")
			if s := b.Submit(in.URL, p, base+"/signin", map[string]string{"email": "plain@" + domain, "password": e2etest.ConsolePassword}); s.Status != http.StatusSeeOther {
				t.Fatalf("sign-in = %d", s.Status)
			}

			c := openConsole(t, in, tn, "admin@"+domain, lang)
			c.open("/logs/signins", "#filter")
			c.shot("signin_log")
			browserDo(c.b, t, "filter", chromedp.SendKeys(chromedp.CSS("#user"), "plain@"), chromedp.SetValue(chromedp.CSS("#result"), "failure"),
				chromedp.Click(chromedp.CSS("#filter")), chromedp.WaitVisible(chromedp.CSS("#filtered")))
			loc := browserValue(c.b, t, chromedp.Location())
			if !strings.Contains(loc, "result=failure") || !strings.Contains(loc, "user=plain%40") {
				t.Fatalf("filter URL %s", loc)
			}
			rowsShown := browserValue(c.b, t, chromedp.Nodes(chromedp.CSSAll("#log tbody tr")))
			text := browserValue(c.b, t, chromedp.Text(chromedp.CSS("#log tbody")))
			var api1 struct {
				Value []struct {
					Status         struct{ ErrorCode int }
					AppDisplayName string
				}
			}
			e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns?$filter="+url.QueryEscape("userPrincipalName eq 'plain@"+domain+"'"), nil, &api1)
			failures := 0
			for _, s := range api1.Value {
				// The console signs in under its own name, not My Apps.
				if s.AppDisplayName != "guestgate admin console" {
					t.Errorf("a console sign-in is logged for app %q", s.AppDisplayName)
				}
				if s.Status.ErrorCode != 0 {
					failures++
				}
			}
			if len(api1.Value) != 2 || failures != 1 || len(rowsShown) != failures || !strings.Contains(text, "plain@"+domain) || !strings.Contains(text, i18n.T(lang, "console.logs.failure")) || strings.Contains(text, i18n.T(lang, "console.logs.success")) {
				t.Fatalf("filtered log: %d rows %q; API %d sign-ins, %d failures", len(rowsShown), text, len(api1.Value), failures)
			}
			c.shot("signin_log_filtered")
			raw := c.download(c.href("#export"))
			recs, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
			if err != nil || len(recs) != 2 || recs[1][1] != "plain@"+domain || recs[1][4] != "failure" {
				t.Fatalf("CSV export: %v %v", recs, err)
			}
			c.open("/logs/audit", "#filter")
			c.shot("audit_log")
			c.open("/collaboration", "#save")
			c.shot("collaboration")
			c.open("/users", "#users")
			c.shot("users_all")
		}
	})
}
