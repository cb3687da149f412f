package e2etest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
)

// Lifecycle is one engine's guestgate, a tenant, its admin app and an app
// (go-oidc) whose guests ask for refresh tokens.
type Lifecycle struct {
	T     *testing.T
	Clock *clock.Fake
	In    *Instance
	Tn    directory.Tenant
	Admin *http.Client
	Rp    *RelyingParty
}

// SignedIn is a guest signed in at the app: the browser with its session
// and the app's tokens.
type SignedIn struct {
	B   *Browser
	Tok *oauth2.Token
}

// Invite invites addr and returns the guest's id.
func (l *Lifecycle) Invite(addr string, send bool) string {
	l.T.Helper()
	var inv struct {
		InvitedUser struct{ ID string }
	}
	status := API(l.T, l.Admin, http.MethodPost, l.In.URL+"/v1.0/invitations", map[string]any{
		"invitedUserEmailAddress": addr, "inviteRedirectUrl": "https://apps.fabrikam.example/",
		"sendInvitationMessage": send,
	}, &inv)
	if status != http.StatusCreated || inv.InvitedUser.ID == "" {
		l.T.Fatalf("invite %s = %d %+v", addr, status, inv)
	}
	return inv.InvitedUser.ID
}

// SignIn signs addr in at the app with a passcode, in a new browser. The
// clock moves past the passcode throttle before, and a second after, so
// what an admin does next happens after the sign-in.
func (l *Lifecycle) SignIn(addr string) SignedIn {
	l.T.Helper()
	l.Clock.Advance(2 * time.Minute)
	defer l.Clock.Advance(time.Second)
	b := NewBrowser(l.T)
	f := l.Rp.Begin()
	_, tok := l.Rp.Finish(f, l.Rp.SignIn(b, f, addr))
	if tok.RefreshToken == "" {
		l.T.Fatal("no refresh token for offline_access")
	}
	return SignedIn{B: b, Tok: tok}
}

// silent asks the app's sign-in with prompt=none and reports whether the
// browser's session answered it (a code) rather than login_required.
func (l *Lifecycle) silent(s SignedIn) bool {
	l.T.Helper()
	f := l.Rp.Begin(oauth2.SetAuthURLParam("prompt", "none"))
	p := s.B.Follow(l.In, s.B.Get(f.URL))
	u, err := url.Parse(p.Location)
	if err != nil || !strings.HasPrefix(p.Location, RPRedirect) {
		l.T.Fatalf("prompt=none: want a redirect to the app, got %d %q\n%s", p.Status, p.Location, p.Body)
	}
	switch {
	case u.Query().Get("code") != "":
		return true
	case u.Query().Get("error") == "login_required":
		return false
	}
	l.T.Fatalf("prompt=none answered %q", p.Location)
	return false
}

// Refresh uses the refresh token; it returns the OAuth error code, or "".
func (l *Lifecycle) Refresh(s *SignedIn) string {
	l.T.Helper()
	tok, err := l.Rp.OAuth.TokenSource(context.Background(), &oauth2.Token{RefreshToken: s.Tok.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	switch {
	case err == nil:
		s.Tok.RefreshToken = tok.RefreshToken
		return ""
	case errors.As(err, &re):
		return re.ErrorCode
	}
	l.T.Fatalf("refresh: %v", err)
	return ""
}

// Userinfo calls userinfo with the access token; it reports success.
func (l *Lifecycle) Userinfo(s SignedIn) bool {
	_, err := l.Rp.Provider.UserInfo(context.Background(), oauth2.StaticTokenSource(s.Tok))
	return err == nil
}

// WantAlive checks the guest's session, refresh token and access token work.
func (l *Lifecycle) WantAlive(what string, s *SignedIn) {
	l.T.Helper()
	if !l.Userinfo(*s) {
		l.T.Fatalf("%s: userinfo refused the access token", what)
	}
	if c := l.Refresh(s); c != "" {
		l.T.Fatalf("%s: refresh refused: %s", what, c)
	}
	if !l.silent(*s) {
		l.T.Fatalf("%s: the browser session no longer signs in silently", what)
	}
}

// WantEnded checks the guest's session, refresh token and access token are dead.
func (l *Lifecycle) WantEnded(what string, s *SignedIn) {
	l.T.Helper()
	if l.silent(*s) {
		l.T.Fatalf("%s: the browser session still signs in silently", what)
	}
	if c := l.Refresh(s); c != "invalid_grant" {
		l.T.Fatalf("%s: refresh answered %q, want invalid_grant", what, c)
	}
	if l.Userinfo(*s) {
		l.T.Fatalf("%s: userinfo accepted the old access token", what)
	}
}

// Call sends a request to the admin API as the tenant's admin app and
// decodes the answer into out.
func (l *Lifecycle) Call(method, path string, body any, out any) int {
	l.T.Helper()
	return API(l.T, l.Admin, method, l.In.URL+path, body, out)
}
