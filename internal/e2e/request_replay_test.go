package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
)

// TestCompletedRequestIsFinal is issue 20, finding 11 (docs/security.md: a
// sign-in request completes once): the app's sign-in page of a request
// whose code was exchanged, opened again, answers 400 with the
// stale-request page and issues no code: in the same browser (its live
// session), in another browser with a session of its own, and in a
// browser that signs in with a passcode; never a 500, never an ERROR log
// line.
func TestCompletedRequestIsFinal(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		var logBuf bytes.Buffer
		logText := func() string { bufMu.Lock(); defer bufMu.Unlock(); return logBuf.String() }
		fake := clock.NewFake(time.Now())
		in := start(t, startOptions{dsn: dsn, clock: fake, logs: &syncWriter{w: &logBuf}})
		tn, admin := in.tenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All")
		rp := newRelyingParty(t, in, tn)
		l := &lifecycle{t: t, clock: fake, in: in, tn: tn, admin: admin, rp: rp}
		rp.oauth.Scopes = append(rp.oauth.Scopes, "offline_access")
		const teri, kim = "teri@gmail.example", "kim@outlook.example"
		l.invite(teri, false)
		l.invite(kim, false)
		teriIn, kimIn := l.signIn(teri), l.signIn(kim)

		// Teri's live session answers an app's new request, whose code the app exchanges.
		f := rp.begin()
		toLogin := teriIn.b.get(f.url)
		if toLogin.Status != http.StatusFound || !strings.Contains(toLogin.Location, "/login?authRequestID=") {
			t.Fatalf("authorize = %d → %q, want the sign-in page", toLogin.Status, toLogin.Location)
		}
		loginURL := toLogin.Location
		rp.finish(f, teriIn.b.follow(in, toLogin))

		stale := func(what string, p page) {
			t.Helper()
			if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "Go back to the app and sign in again") || strings.Contains(p.Location, "code=") {
				t.Fatalf("F11 %s: %d → %q, want 400 with the stale-request page and no code\n%s", what, p.Status, p.Location, p.Body)
			}
		}
		stale("the same browser", teriIn.b.follow(in, teriIn.b.get(loginURL)))
		stale("another browser with a session", kimIn.b.follow(in, kimIn.b.get(loginURL)))
		fake.Advance(2 * time.Minute) // past the passcode throttle
		stale("another browser signing in with a passcode", rp.signIn(newBrowser(t), authFlow{url: loginURL}, teri))

		if logs := logText(); strings.Contains(logs, "level=ERROR") {
			t.Fatalf("F11: a replayed request logged an ERROR:\n%s", logs)
		}
		// The tokens of the one completion still work.
		l.wantAlive("after the replays", &teriIn)
	})
}
