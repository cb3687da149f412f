package browser

import (
	"context"
	"crypto/sha256"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
)

// seedInactiveGuests writes guests with sign-in activity in the past
// straight into the store: one guest per console language last seen 100
// days ago and sponsored by the administrator, a guest invited 200 days
// ago who never signed in, and a guest seen yesterday. It returns their
// ids by name.
func seedInactiveGuests(t *testing.T, in *e2etest.Instance, tn directory.Tenant, domain string) map[string]string {
	t.Helper()
	ctx := context.Background()
	db := in.Srv.DB()
	sponsor, err := db.GetUserByMail(ctx, tn.ID, "admin@"+domain)
	if err != nil {
		t.Fatal(err)
	}
	now, day := time.Now().UTC(), 24*time.Hour
	ids := map[string]string{}
	add := func(name string, created, lastOK time.Time, sponsored bool) {
		mail := name + "@partner.example"
		u := directory.User{TenantID: tn.ID, ID: uuid.NewString(), UserType: directory.UserTypeGuest, DisplayName: name, Mail: mail,
			UserPrincipalName: directory.GuestUserPrincipalName(mail, tn.InitialDomain), CreationType: directory.CreationInvitation,
			AccountEnabled: true, CreatedAt: created, ExternalUserState: directory.StateAccepted, ExternalUserStateChangedAt: created,
			IdP: directory.IdPMail, IdPIssuer: "mail", SignInActivity: directory.SignInActivity{LastSuccessfulSignIn: lastOK}}
		if lastOK.IsZero() {
			u.ExternalUserState, u.IdP, u.IdPIssuer = directory.StatePendingAcceptance, directory.IdPNone, ""
		}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		ids[name] = u.ID
		if !sponsored {
			return
		}
		h := sha256.Sum256([]byte(u.ID))
		if err := db.CreateInvitation(ctx, invitation.Invitation{TenantID: tn.ID, ID: uuid.NewString(), UserID: u.ID, Email: mail,
			RedirectURL: "https://app.example/", Sponsors: []string{sponsor.ID}, InvitedBy: sponsor.DisplayName,
			TicketHash: h[:], Status: invitation.StatusCompleted, CreatedAt: created}); err != nil {
			t.Fatal(err)
		}
	}
	for _, lang := range consoleLangs {
		add("stale-"+lang, now.Add(-300*day), now.Add(-100*day), true)
	}
	add("never-signed-in", now.Add(-200*day), time.Time{}, false)
	add("recent", now.Add(-300*day), now.Add(-day), true)
	return ids
}

// TestConsoleInactiveGuests: the Inactive guests page lists the guests not
// seen for 90 days (and the one never signed in since an old invitation)
// with their sponsor, never the recent guest; a Global Administrator
// selects one guest, confirms, and the admin API then shows that guest
// disabled and the others still enabled. The page and its confirmation
// fit 390 and 1280 px and pass axe-core, in English and Japanese.
func TestConsoleInactiveGuests(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		domain := "inactive.example"
		tn := newAdminTenant(t, in, "Fabrikam", domain, directory.CloudPublic, false)
		ids := seedInactiveGuests(t, in, tn, domain)
		_, app := in.TenantWithAdminIn(tn, "User.Read.All")
		enabled := func(id string) bool {
			var u struct{ AccountEnabled bool }
			if status := e2etest.API(t, app, http.MethodGet, in.URL+"/v1.0/users/"+id+"?$select=accountEnabled", nil, &u); status != http.StatusOK {
				t.Fatalf("GET user %s = %d", id, status)
			}
			return u.AccountEnabled
		}
		for _, lang := range consoleLangs {
			for _, width := range layoutWidths {
				c := openLayoutTab(t, in, tn, "admin@"+domain, lang, width)
				c.visit("inactive", "/guests/inactive?days=90", "#inactive")
				page := c.html()
				for _, want := range []string{ids["stale-"+lang], ids["never-signed-in"], "Avery Admin"} {
					if !strings.Contains(page, want) {
						t.Fatalf("the page (%s, %d px) lacks %s", lang, width, want)
					}
				}
				if strings.Contains(page, ids["recent"]) {
					t.Fatalf("the page lists the guest seen yesterday")
				}
				pick := "#pick-" + ids["stale-"+lang]
				browserDo(c.b, t, "select a guest and disable", chromedp.Click(chromedp.CSS(pick)),
					chromedp.Click(chromedp.CSS("#disable-chosen")), chromedp.WaitVisible(chromedp.CSS("#confirm")))
				c.checkLayout("inactive_confirm")
				if !strings.Contains(c.html(), "stale-"+lang+"@partner.example") {
					t.Fatalf("the confirmation does not name the chosen guest")
				}
				if width < 768 {
					continue // the confirmation's layout is what the phone checks
				}
				browserDo(c.b, t, "confirm", chromedp.Click(chromedp.CSS("#confirm")), chromedp.WaitVisible(chromedp.CSS("#notice")))
				c.checkLayout("inactive_done")
				if enabled(ids["stale-"+lang]) {
					t.Fatalf("the API shows the disabled guest (%s) enabled", lang)
				}
				if !enabled(ids["never-signed-in"]) || !enabled(ids["recent"]) {
					t.Fatalf("a guest not chosen was disabled")
				}
			}
		}
	})
}
