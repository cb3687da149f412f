package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
)

// TestR9PolicyOffEndsPasscodeTokens (R9, DESIGN section 7 "policy off ends
// every token"): a passcode guest holds a refresh token and an access
// token at an app; once an admin turns passcodes off, the refresh answers
// invalid_grant, userinfo refuses the access token, and My Apps names the
// reason.
func TestR9PolicyOffEndsPasscodeTokens(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := start(t, startOptions{dsn: dsn, clock: fake})
		tn, admin := in.tenantWithAdmin("Fabrikam", "fabrikam.example",
			"User.Invite.All", "User.ReadWrite.All", "Policy.ReadWrite.AuthenticationMethod")
		rp := newRelyingParty(t, in, tn)
		rp.oauth.Scopes = append(rp.oauth.Scopes, "offline_access")
		l := &lifecycle{t: t, clock: fake, in: in, tn: tn, admin: admin, rp: rp}
		l.invite("teri@gmail.example", false)
		s := l.signIn("teri@gmail.example")
		l.wantAlive("before turning passcodes off", &s)

		setPolicy(t, in, admin, "disabled")
		if c := l.refresh(&s); c != "invalid_grant" {
			t.Fatalf("refresh after passcodes off: %q, want invalid_grant", c)
		}
		if l.userinfo(s) {
			t.Fatal("userinfo accepted a passcode guest's access token after passcodes were turned off")
		}
		if p := s.b.get(in.URL + "/" + tn.ID + "/"); p.Status != http.StatusForbidden ||
			!strings.Contains(p.Body, "turned off sign-in with email one-time passcodes") {
			t.Fatalf("My Apps after passcodes off = %d\n%s", p.Status, p.Body)
		}

		// Passcodes on again: a new sign-in works (the old refresh token
		// stays dead: it was refused, not suspended).
		setPolicy(t, in, admin, "enabled")
		again := l.signIn("teri@gmail.example")
		l.wantAlive("after turning passcodes on and signing in again", &again)
	})
}
