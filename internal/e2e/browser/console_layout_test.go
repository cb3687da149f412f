package browser

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
)

// The console's layout test shows every console page at a phone's width
// and a laptop's, in English and Japanese, with long data (long Japanese
// names without spaces, long addresses, long log rows), and asserts what
// a person would see: the page never scrolls sideways, the content card
// keeps most of a phone's width, and a table either fits its card or
// scrolls inside a container that does. Each page passes axe-core too.
// Screenshots go to screenshots/console_layout/page_width_lang.png.

// layoutWidths are the viewport widths checked: a phone and a laptop.
var layoutWidths = []int64{390, 1280}

// Long values that once pushed the console out of its card.
var (
	longJapaneseName = strings.Repeat("国際パートナー事業本部営業企画", 4)
	longTenantName   = "フォースカウンティング株式会社国際パートナー事業本部"
)

// layoutProblems is run in the page: what overflows, as sentences ("" if
// nothing). The window's width is the root's clientWidth, which leaves
// out a scroll bar (window.innerWidth counts it). The content card is main; a table is in a scroll container
// when an ancestor inside main scrolls sideways (overflow-x auto/scroll).
const layoutProblems = `(() => {
  const de = document.documentElement, vw = de.clientWidth, out = [];
  if (de.scrollWidth > vw) out.push("the page is " + de.scrollWidth + " px wide in a " + vw + " px window (" + window.innerWidth + " px with its scroll bar)");
  const main = document.querySelector("main");
  if (!main) return out.join("; ");
  const mr = main.getBoundingClientRect();
  if (vw <= 768 && mr.width < vw * 0.85) out.push("the card is " + Math.round(mr.width) + " px wide in a " + vw + " px window");
  if (main.scrollWidth > main.clientWidth + 1) out.push("the card's content is " + main.scrollWidth + " px wide in a " + main.clientWidth + " px card");
  for (const t of main.querySelectorAll("table")) {
    let box = t;
    for (let p = t.parentElement; p && p !== main; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === "auto" || o === "scroll") { box = p; break; }
    }
    const r = box.getBoundingClientRect();
    if (r.width === 0) continue; // not shown (a closed details)
    if (r.right > mr.right + 1 || r.left < mr.left - 1) {
      out.push("table " + (t.id || "#" + [...main.querySelectorAll("table")].indexOf(t)) + (box === t ? "" : " (its scroll container)") +
        " spans " + Math.round(r.left) + "–" + Math.round(r.right) + " px, the card " + Math.round(mr.left) + "–" + Math.round(mr.right) + " px");
    }
  }
  return out.join("; ");
})()`

// layoutTab is a console tab at one width and language.
type layoutTab struct {
	*consoleTab
	width int64
}

// checkLayout asserts the page does not overflow, runs axe-core and saves
// a screenshot named for the page, the width and the language.
func (c layoutTab) checkLayout(name string) {
	c.t.Helper()
	what := fmt.Sprintf("console %s at %d px (%s)", name, c.width, c.lang)
	if p := browserValue(c.b, c.t, chromedp.Evaluate[string](layoutProblems)); p != "" {
		loc := browserValue(c.b, c.t, chromedp.Location())
		c.t.Errorf("%s (%s): %s", what, loc, p)
	}
	checkAccessibility(c.b, c.t, what)
	saveScreenshot(c.b, c.t, fmt.Sprintf("console_layout/%s_%d_%s.png", name, c.width, c.lang))
}

// visit opens a console path, waits for the element and checks the page.
func (c layoutTab) visit(name, path, waitFor string) {
	c.t.Helper()
	c.open(path, waitFor)
	c.checkLayout(name)
}

// openLayoutTab starts Chromium at the width, checks the sign-in page and
// signs the administrator in.
func openLayoutTab(t *testing.T, in *e2etest.Instance, tn directory.Tenant, addr, lang string, width int64) layoutTab {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(screenshotDir(t), "console_layout"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := layoutTab{consoleTab: &consoleTab{t: t, b: newChromium(t), in: in, base: in.URL + "/" + tn.ID + "/admin", lang: lang}, width: width}
	viewport := chromedp.EmulateViewport(width, 844)
	if width < 768 {
		// A phone: overlay scroll bars, and the page's viewport meta.
		viewport = chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile)
	}
	browserDo(c.b, t, "open the sign-in page", viewport, acceptLanguage(lang),
		chromedp.Navigate(c.base+"/signin"), chromedp.WaitVisible(chromedp.CSS("#password")))
	c.checkLayout("signin")
	browserDo(c.b, t, "sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), addr),
		chromedp.SendKeys(chromedp.CSS("#password"), e2etest.ConsolePassword),
		chromedp.Click(chromedp.CSS("#signin")),
		chromedp.WaitVisible(chromedp.CSS("#tenant-id")))
	return c
}

// seedLongData fills a tenant with what stretches the console's pages:
// guests with long Japanese names and long addresses (their invitations
// are audit records with long targets), refused sign-ins with long typed
// addresses and long reasons. It returns a guest's id.
func seedLongData(t *testing.T, in *e2etest.Instance, tn directory.Tenant, domain string) string {
	t.Helper()
	ctx := context.Background()
	var guest string
	for i := range 6 {
		addr := fmt.Sprintf("%02d.a-rather-long-mailbox-name-for-the-partner-portal@subsidiary-with-a-long-name.partner.example", i)
		res, err := in.Srv.Invite(ctx, tn, invitation.Request{Email: addr, DisplayName: fmt.Sprintf("%s%02d", longJapaneseName, i), RedirectURL: "https://app.example/"})
		if err != nil {
			t.Fatal(err)
		}
		guest = res.User.ID
	}
	b := e2etest.NewBrowser(t)
	base := "/" + tn.ID + "/admin"
	for i, addr := range []string{
		"nobody-with-an-exceptionally-long-address-that-does-not-exist@no-such-subsidiary.partner.example",
		"admin@" + domain,
	} {
		p := b.Get(in.URL + base + "/signin")
		if s := b.Submit(in.URL, p, base+"/signin", map[string]string{"email": addr, "password": fmt.Sprintf("wrong-password-%d", i)}); s.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password for %s = %d", addr, s.Status)
		}
	}
	return guest
}

// TestConsoleLayout: every console page, at 390 and 1280 px, in English
// and Japanese, with long names, addresses and log rows, fits its window
// (no sideways scrolling), keeps its tables inside the content card (or
// scrolling inside it) and passes axe-core. At 390 px the navigation is a
// menu that opens.
func TestConsoleLayout(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		domain := "layout.example"
		tn := newAdminTenant(t, in, longTenantName, domain, directory.CloudPublic, false)
		guest := seedLongData(t, in, tn, domain)
		appPath := seedLongApp(t, in, tn, guest)
		var bulkPath string
		for _, lang := range consoleLangs {
			for _, width := range layoutWidths {
				c := openLayoutTab(t, in, tn, "admin@"+domain, lang, width)
				c.checkLayout("overview")
				if width < 768 {
					browserDo(c.b, t, "open the menu", chromedp.Click(chromedp.CSS("details.menu summary")),
						chromedp.WaitVisible(chromedp.CSS(`details.menu a[href$="/users"]`)))
					c.checkLayout("overview_menu")
				} else {
					browserDo(c.b, t, "the navigation is a sidebar", chromedp.WaitVisible(chromedp.CSS(`.layout > nav a[href$="/users"]`)))
				}
				c.visit("users", "/users", "#users")
				c.visit("users_search", "/users?q="+url.QueryEscape(longJapaneseName[3*5:3*9])+"&type=Guest&state=PendingAcceptance", "#users")
				if n := len(browserValue(c.b, t, chromedp.Nodes(chromedp.CSSAll("#users tbody tr a")))); n != 6 {
					t.Errorf("a search by the middle of the name lists %d guests, want 6", n)
				}
				c.visit("user", "/users/"+guest, "#reset")
				c.visit("reset_confirm", "/users/"+guest+"/reset", "#confirm")
				c.visit("delete_confirm", "/users/"+guest+"/delete", "#confirm")
				c.visit("apps", "/apps", "#apps")
				c.visit("app", appPath, "#assignments")
				c.visit("invite", "/invite", "#invite")
				if bulkPath == "" {
					bulkPath = uploadLongBulk(t, c)
				}
				c.visit("bulk", bulkPath, "#bulk-done")
				c.visit("identity_providers", "/identity-providers", "#email-otp")
				c.visit("email_otp", "/identity-providers/email-otp", "#save")
				browserDo(c.b, t, "save the pane", chromedp.Click(chromedp.CSS("#save")), chromedp.WaitVisible(chromedp.CSS("#redeemed-count")))
				c.checkLayout("email_otp_confirm")
				c.visit("saml", "/identity-providers/saml", "#add")
				c.visit("oidc", "/identity-providers/oidc", "#add")
				c.visit("google", "/identity-providers/google", "#add")
				c.visit("collaboration", "/collaboration", "#save")
				c.visit("signin_log", "/logs/signins", "#log")
				c.visit("audit_log", "/logs/audit", "#log")
				c.visit("not_found", "/no-such-page", "main h1")
			}
		}
	})
}

// uploadLongBulk uploads a bulk invitation whose rows have long addresses
// and one invalid row, waits for it to finish and returns its page's path.
func uploadLongBulk(t *testing.T, c layoutTab) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("version:v1.0\nEmail address to invite [inviteeEmail] Required,Redirection url [inviteRedirectURL] Required,Send invitation message (true or false) [sendEmail],Customized invitation message [customizedMessageBody]\n")
	for i := range 3 {
		fmt.Fprintf(&sb, "bulk%02d.another-rather-long-mailbox-name@subsidiary-with-a-long-name.partner.example,https://app.example/,false,Welcome\n", i)
	}
	sb.WriteString("not-an-address-but-a-long-string-without-any-at-sign-in-it,https://app.example/,false,Welcome\n")
	file := filepath.Join(t.TempDir(), "invite.csv")
	if err := os.WriteFile(file, []byte(sb.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	c.open("/invite", "#upload")
	browserDo(c.b, t, "upload", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}), chromedp.Click(chromedp.CSS("#upload")),
		chromedp.WaitVisible(chromedp.CSS("#bulk-done")))
	loc := browserValue(c.b, t, chromedp.Location())
	i := strings.Index(loc, "/admin/")
	if i < 0 {
		t.Fatalf("bulk page at %s", loc)
	}
	return loc[i+len("/admin"):]
}
