package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
)

// TestR9PolicyOffEndsPasscodeTokens (R9, DESIGN section 7 "policy off ends
// every token"): a passcode guest holds a refresh token and an access
// token at an app; once an admin turns passcodes off, the refresh answers
// invalid_grant, userinfo refuses the access token, and My Apps names the
// reason.
func TestR9PolicyOffEndsPasscodeTokens(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example",
			"User.Invite.All", "User.ReadWrite.All", "Policy.ReadWrite.AuthenticationMethod")
		rp := e2etest.NewRelyingParty(t, in, tn)
		rp.OAuth.Scopes = append(rp.OAuth.Scopes, "offline_access")
		l := &e2etest.Lifecycle{T: t, Clock: fake, In: in, Tn: tn, Admin: admin, Rp: rp}
		l.Invite("teri@gmail.example", false)
		s := l.SignIn("teri@gmail.example")
		l.WantAlive("before turning passcodes off", &s)

		setPolicy(t, in, admin, "disabled")
		if c := l.Refresh(&s); c != "invalid_grant" {
			t.Fatalf("refresh after passcodes off: %q, want invalid_grant", c)
		}
		if l.Userinfo(s) {
			t.Fatal("userinfo accepted a passcode guest's access token after passcodes were turned off")
		}
		if p := s.B.Get(in.URL + "/" + tn.ID + "/"); p.Status != http.StatusForbidden ||
			!strings.Contains(p.Body, "turned off sign-in with email one-time passcodes") {
			t.Fatalf("My Apps after passcodes off = %d\n%s", p.Status, p.Body)
		}

		// Passcodes on again: a new sign-in works (the old refresh token
		// stays dead: it was refused, not suspended).
		setPolicy(t, in, admin, "enabled")
		again := l.SignIn("teri@gmail.example")
		l.WantAlive("after turning passcodes on and signing in again", &again)
	})
}
