package browser

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestConsoleGroups: a Global Administrator creates a security group with
// the console's form and adds a guest by mail; the admin API then lists
// the guest among the group's members, and the guest's page lists the
// group. The groups list, the create form and the group's page fit 390
// and 1280 px and pass axe-core, in English and Japanese.
func TestConsoleGroups(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		domain := "groups.example"
		tn := newAdminTenant(t, in, "Fabrikam", domain, directory.CloudPublic, false)
		ids := seedInactiveGuests(t, in, tn, domain)
		guest := ids["recent"]
		_, app := in.TenantWithAdminIn(tn, "GroupMember.Read.All")
		var groupPath string
		for _, lang := range consoleLangs {
			for _, width := range layoutWidths {
				c := openLayoutTab(t, in, tn, "admin@"+domain, lang, width)
				if groupPath == "" {
					c.visit("group_new", "/groups/new", "#create")
					browserDo(c.b, t, "create a group", chromedp.SendKeys(chromedp.CSS("#displayName"), "Contoso partners"),
						chromedp.SendKeys(chromedp.CSS("#mailNickname"), "contoso-partners"),
						chromedp.SendKeys(chromedp.CSS("#description"), "Guests of Contoso who work on the launch"),
						chromedp.Click(chromedp.CSS("#create")), chromedp.WaitVisible(chromedp.CSS("#notice")))
					browserDo(c.b, t, "add a guest", chromedp.SendKeys(chromedp.CSS("#user"), "recent@partner.example"),
						chromedp.Click(chromedp.CSS("#add-member")), chromedp.WaitVisible(chromedp.CSS("#members button")))
					loc := browserValue(c.b, t, chromedp.Location())
					groupPath = loc[strings.Index(loc, "/groups/"):strings.Index(loc, "?")]
				} else {
					c.visit("group_new", "/groups/new", "#create")
				}
				c.visit("groups", "/groups", "#groups")
				if !strings.Contains(c.html(), "Contoso partners") {
					t.Fatalf("the list (%s, %d px) lacks the group", lang, width)
				}
				c.visit("group", groupPath, "#members")
				if !strings.Contains(c.html(), guest) {
					t.Fatalf("the group's page (%s, %d px) lacks the guest", lang, width)
				}
				c.visit("user_groups", "/users/"+guest, "#member-of")
			}
		}
		var members struct{ Value []struct{ ID string } }
		if status := e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0"+groupPath+"/members", nil, &members); status != http.StatusOK ||
			len(members.Value) != 1 || members.Value[0].ID != guest {
			t.Fatalf("GET members = %d %+v, want the guest", status, members)
		}
	})
}
