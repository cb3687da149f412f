package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
)

// TestConsoleGuestSessions: a guest's detail page lists their sessions;
// after Revoke sessions the one that was active shows as ended.
func TestConsoleGuestSessions(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, _ := e2etest.ConsoleTenant(t, in, nil)
		res, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "teri@gmail.example", RedirectURL: "https://x.example"})
		if err != nil {
			t.Fatal(err)
		}
		admin := e2etest.ConsoleSignIn(t, in, tn, "admin")
		detail := "/" + tn.ID + "/admin/users/" + res.User.ID
		if p := admin.Get(in.URL + detail); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="no-sessions"`) {
			t.Fatalf("a guest who never signed in: %d\n%s", p.Status, p.Body)
		}

		rp := e2etest.NewRelyingParty(t, in, tn)
		f := rp.Begin()
		rp.Finish(f, rp.SignIn(e2etest.NewBrowser(t), f, "teri@gmail.example"))
		p := admin.Get(in.URL + detail)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="sessions"`) || strings.Count(p.Body, `<tr class="live">`) != 1 ||
			!strings.Contains(p.Body, "<td>Active</td>") || !strings.Contains(p.Body, "<td>otp</td>") {
			t.Fatalf("after the guest signed in, want one active session:\n%s", p.Body)
		}

		done := e2etest.ConsolePost(t, in, admin, tn, "/users/"+res.User.ID, "/users/"+res.User.ID+"/revoke", nil)
		if done.Status != http.StatusSeeOther {
			t.Fatalf("Revoke sessions = %d\n%s", done.Status, done.Body)
		}
		p = admin.Get(in.URL + detail)
		if strings.Contains(p.Body, `<tr class="live">`) || !strings.Contains(p.Body, "<td>Ended</td>") {
			t.Fatalf("after Revoke sessions, want the session shown as ended:\n%s", p.Body)
		}
	})
}
