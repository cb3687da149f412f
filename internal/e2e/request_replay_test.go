package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestCompletedRequestIsFinal is issue 20, finding 11 (docs/security.md: a
// sign-in request completes once): the app's sign-in page of a request
// whose code was exchanged, opened again, answers 400 with the
// stale-request page and issues no code: in the same browser (its live
// session), in another browser with a session of its own, and in a
// browser that signs in with a passcode; never a 500, never an ERROR log
// line.
func TestCompletedRequestIsFinal(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		var logBuf bytes.Buffer
		logText := func() string { e2etest.BufMu.Lock(); defer e2etest.BufMu.Unlock(); return logBuf.String() }
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake, Logs: &e2etest.SyncWriter{W: &logBuf}})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		rp := e2etest.NewRelyingParty(t, in, tn)
		l := &e2etest.Lifecycle{T: t, Clock: fake, In: in, Tn: tn, Admin: admin, Rp: rp}
		rp.OAuth.Scopes = append(rp.OAuth.Scopes, "offline_access")
		const teri, kim = "teri@gmail.example", "kim@outlook.example"
		l.Invite(teri, false)
		l.Invite(kim, false)
		teriIn, kimIn := l.SignIn(teri), l.SignIn(kim)

		// Teri's live session answers an app's new request, whose code the app exchanges.
		f := rp.Begin()
		toLogin := teriIn.B.Get(f.URL)
		if toLogin.Status != http.StatusFound || !strings.Contains(toLogin.Location, "/login?authRequestID=") {
			t.Fatalf("authorize = %d → %q, want the sign-in page", toLogin.Status, toLogin.Location)
		}
		loginURL := toLogin.Location
		rp.Finish(f, teriIn.B.Follow(in, toLogin))

		stale := func(what string, p e2etest.Page) {
			t.Helper()
			if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "Go back to the app and sign in again") || strings.Contains(p.Location, "code=") {
				t.Fatalf("F11 %s: %d → %q, want 400 with the stale-request page and no code\n%s", what, p.Status, p.Location, p.Body)
			}
		}
		stale("the same browser", teriIn.B.Follow(in, teriIn.B.Get(loginURL)))
		stale("another browser with a session", kimIn.B.Follow(in, kimIn.B.Get(loginURL)))
		fake.Advance(2 * time.Minute) // past the passcode throttle
		stale("another browser signing in with a passcode", rp.SignIn(e2etest.NewBrowser(t), e2etest.AuthFlow{URL: loginURL}, teri))

		if logs := logText(); strings.Contains(logs, "level=ERROR") {
			t.Fatalf("F11: a replayed request logged an ERROR:\n%s", logs)
		}
		// The tokens of the one completion still work.
		l.WantAlive("after the replays", &teriIn)
	})
}
