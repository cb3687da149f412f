package e2e

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// lifecycle is one engine's guestgate, a tenant, its admin app and an app
// (go-oidc) whose guests ask for refresh tokens.
type lifecycle struct {
	t     *testing.T
	clock *clock.Fake
	in    *instance
	tn    directory.Tenant
	admin *http.Client
	rp    *relyingParty
}

// signedIn is a guest signed in at the app: the browser with its session
// and the app's tokens.
type signedIn struct {
	b   *browser
	tok *oauth2.Token
}

func newLifecycle(t *testing.T, dsn string) *lifecycle {
	// A settable clock: a guest signs in again sooner than the passcode
	// throttle allows a second send in real time.
	fake := clock.NewFake(time.Now())
	in := start(t, startOptions{dsn: dsn, clock: fake})
	tn, admin := in.tenantWithAdmin("Fabrikam", "fabrikam.example",
		"User.Invite.All", "User.ReadWrite.All", "User.DeleteRestore.All", "User.RevokeSessions.All", "AuditLog.Read.All")
	rp := newRelyingParty(t, in, tn)
	rp.oauth.Scopes = append(rp.oauth.Scopes, "offline_access")
	return &lifecycle{t: t, clock: fake, in: in, tn: tn, admin: admin, rp: rp}
}

// invite invites addr and returns the guest's id.
func (l *lifecycle) invite(addr string, send bool) string {
	l.t.Helper()
	var inv struct {
		InvitedUser struct{ ID string }
	}
	status := api(l.t, l.admin, http.MethodPost, l.in.URL+"/v1.0/invitations", map[string]any{
		"invitedUserEmailAddress": addr, "inviteRedirectUrl": "https://apps.fabrikam.example/",
		"sendInvitationMessage": send,
	}, &inv)
	if status != http.StatusCreated || inv.InvitedUser.ID == "" {
		l.t.Fatalf("invite %s = %d %+v", addr, status, inv)
	}
	return inv.InvitedUser.ID
}

// signIn signs addr in at the app with a passcode, in a new browser. The
// clock moves past the passcode throttle before, and a second after, so
// what an admin does next happens after the sign-in.
func (l *lifecycle) signIn(addr string) signedIn {
	l.t.Helper()
	l.clock.Advance(2 * time.Minute)
	defer l.clock.Advance(time.Second)
	b := newBrowser(l.t)
	f := l.rp.begin()
	_, tok := l.rp.finish(f, l.rp.signIn(b, f, addr))
	if tok.RefreshToken == "" {
		l.t.Fatal("no refresh token for offline_access")
	}
	return signedIn{b: b, tok: tok}
}

// silent asks the app's sign-in with prompt=none and reports whether the
// browser's session answered it (a code) rather than login_required.
func (l *lifecycle) silent(s signedIn) bool {
	l.t.Helper()
	f := l.rp.begin(oauth2.SetAuthURLParam("prompt", "none"))
	p := s.b.follow(l.in, s.b.get(f.url))
	u, err := url.Parse(p.Location)
	if err != nil || !strings.HasPrefix(p.Location, rpRedirect) {
		l.t.Fatalf("prompt=none: want a redirect to the app, got %d %q\n%s", p.Status, p.Location, p.Body)
	}
	switch {
	case u.Query().Get("code") != "":
		return true
	case u.Query().Get("error") == "login_required":
		return false
	}
	l.t.Fatalf("prompt=none answered %q", p.Location)
	return false
}

// refresh uses the refresh token; it returns the OAuth error code, or "".
func (l *lifecycle) refresh(s *signedIn) string {
	l.t.Helper()
	tok, err := l.rp.oauth.TokenSource(context.Background(), &oauth2.Token{RefreshToken: s.tok.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	switch {
	case err == nil:
		s.tok.RefreshToken = tok.RefreshToken
		return ""
	case errors.As(err, &re):
		return re.ErrorCode
	}
	l.t.Fatalf("refresh: %v", err)
	return ""
}

// userinfo calls userinfo with the access token; it reports success.
func (l *lifecycle) userinfo(s signedIn) bool {
	_, err := l.rp.provider.UserInfo(context.Background(), oauth2.StaticTokenSource(s.tok))
	return err == nil
}

// wantAlive checks the guest's session, refresh token and access token work.
func (l *lifecycle) wantAlive(what string, s *signedIn) {
	l.t.Helper()
	if !l.userinfo(*s) {
		l.t.Fatalf("%s: userinfo refused the access token", what)
	}
	if c := l.refresh(s); c != "" {
		l.t.Fatalf("%s: refresh refused: %s", what, c)
	}
	if !l.silent(*s) {
		l.t.Fatalf("%s: the browser session no longer signs in silently", what)
	}
}

// wantEnded checks the guest's session, refresh token and access token are dead.
func (l *lifecycle) wantEnded(what string, s *signedIn) {
	l.t.Helper()
	if l.silent(*s) {
		l.t.Fatalf("%s: the browser session still signs in silently", what)
	}
	if c := l.refresh(s); c != "invalid_grant" {
		l.t.Fatalf("%s: refresh answered %q, want invalid_grant", what, c)
	}
	if l.userinfo(*s) {
		l.t.Fatalf("%s: userinfo accepted the old access token", what)
	}
}

func (l *lifecycle) call(method, path string, body any, out any) int {
	l.t.Helper()
	return api(l.t, l.admin, method, l.in.URL+path, body, out)
}

// TestLifecycleRevokeSignInSessions: revokeSignInSessions ends the guest's
// browser session, refresh token and access token at once; the guest can
// sign in again.
func TestLifecycleRevokeSignInSessions(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		l := newLifecycle(t, dsn)
		id := l.invite("teri@gmail.example", false)
		s := l.signIn("teri@gmail.example")
		l.wantAlive("before revoking", &s)
		l.invite("sam@outlook.example", false)
		other := l.signIn("sam@outlook.example")

		var res map[string]any
		if status := l.call(http.MethodPost, "/v1.0/users/"+id+"/revokeSignInSessions", nil, &res); status != http.StatusOK ||
			res["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean" || res["value"] != true {
			t.Fatalf("revokeSignInSessions = %d %v", status, res)
		}
		l.wantEnded("after revokeSignInSessions", &s)
		l.wantAlive("another guest after revokeSignInSessions", &other)
		again := l.signIn("teri@gmail.example")
		l.wantAlive("after signing in again", &again)

		if status := l.call(http.MethodPost, "/v1.0/users/00000000-0000-0000-0000-000000000000/revokeSignInSessions", nil, nil); status != http.StatusNotFound {
			t.Fatalf("revoke an unknown user = %d, want 404", status)
		}
	})
}

// TestLifecycleDisable: PATCH accountEnabled false ends every sign-in;
// enabling again lets the guest sign in anew.
func TestLifecycleDisable(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		l := newLifecycle(t, dsn)
		id := l.invite("teri@gmail.example", false)
		s := l.signIn("teri@gmail.example")
		if status := l.call(http.MethodPatch, "/v1.0/users/"+id, map[string]any{"accountEnabled": false}, nil); status != http.StatusNoContent {
			t.Fatalf("PATCH accountEnabled false = %d, want 204", status)
		}
		l.wantEnded("after disabling", &s)
		if status := l.call(http.MethodPatch, "/v1.0/users/"+id, map[string]any{"@odata.type": "#microsoft.graph.user", "accountEnabled": true}, nil); status != http.StatusNoContent {
			t.Fatalf("PATCH accountEnabled true = %d, want 204", status)
		}
		l.wantEnded("after enabling again (old sign-in)", &s)
		again := l.signIn("teri@gmail.example")
		l.wantAlive("after enabling and signing in again", &again)
	})
}

// TestLifecycleDeleteRestore: DELETE moves the guest to deletedItems and
// ends every sign-in; restore brings it back with the same id; a purged
// guest is gone, and its redeem link shows the unknown-ticket page.
func TestLifecycleDeleteRestore(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		l := newLifecycle(t, dsn)
		id := l.invite("teri@gmail.example", false)
		s := l.signIn("teri@gmail.example")
		if status := l.call(http.MethodDelete, "/v1.0/users/"+id, nil, nil); status != http.StatusNoContent {
			t.Fatalf("DELETE user = %d, want 204", status)
		}
		l.wantEnded("after deleting", &s)
		if status := l.call(http.MethodGet, "/v1.0/users/"+id, nil, nil); status != http.StatusNotFound {
			t.Fatalf("GET a deleted user = %d, want 404", status)
		}
		var list struct {
			ODataContext string `json:"@odata.context"`
			Value        []map[string]any
		}
		if status := l.call(http.MethodGet, "/v1.0/directory/deletedItems/microsoft.graph.user", nil, &list); status != http.StatusOK ||
			list.ODataContext != "https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/microsoft.graph.user" ||
			len(list.Value) != 1 || list.Value[0]["id"] != id || list.Value[0]["@odata.type"] != "#microsoft.graph.user" ||
			list.Value[0]["deletedDateTime"] == nil || list.Value[0]["mail"] != "teri@gmail.example" {
			t.Fatalf("deletedItems = %d %+v", status, list)
		}
		var item map[string]any
		if status := l.call(http.MethodGet, "/v1.0/directory/deletedItems/"+id, nil, &item); status != http.StatusOK || item["id"] != id || item["deletedDateTime"] == nil {
			t.Fatalf("GET deletedItems/{id} = %d %v", status, item)
		}
		var restored map[string]any
		if status := l.call(http.MethodPost, "/v1.0/directory/deletedItems/"+id+"/restore", nil, &restored); status != http.StatusOK ||
			restored["id"] != id || restored["@odata.type"] != "#microsoft.graph.user" || restored["userPrincipalName"] != "teri_gmail.example#EXT#@fabrikam.guestgate.local" {
			t.Fatalf("restore = %d %v", status, restored)
		}
		if status := l.call(http.MethodGet, "/v1.0/users/"+id, nil, nil); status != http.StatusOK {
			t.Fatalf("GET the restored user = %d, want 200", status)
		}
		l.wantEnded("after restoring (sign-ins from before the deletion)", &s)
		again := l.signIn("teri@gmail.example")
		l.wantAlive("after restoring and signing in again", &again)

		// A pending guest deleted: its redeem link dies; purged, it is gone.
		pending := l.invite("sam@outlook.example", true)
		link := redeemLink(t, l.in.Mail.WaitFor(t, mailtest.To("sam@outlook.example")))
		if p := newBrowser(t).get(link); p.Status != http.StatusOK || !strings.Contains(p.Body, "Send code") {
			t.Fatalf("redeem link before the deletion = %d\n%s", p.Status, p.Body)
		}
		if status := l.call(http.MethodDelete, "/v1.0/users/"+pending, nil, nil); status != http.StatusNoContent {
			t.Fatalf("DELETE the pending guest = %d", status)
		}
		if p := newBrowser(t).get(link); p.Status != http.StatusNotFound {
			t.Fatalf("redeem link of a deleted guest = %d, want the unknown-ticket page\n%s", p.Status, p.Body)
		}
		if status := l.call(http.MethodDelete, "/v1.0/directory/deletedItems/"+pending, nil, nil); status != http.StatusNoContent {
			t.Fatalf("DELETE deletedItems/{id} = %d, want 204", status)
		}
		for _, c := range []struct{ method, path string }{
			{http.MethodGet, "/v1.0/directory/deletedItems/" + pending},
			{http.MethodPost, "/v1.0/directory/deletedItems/" + pending + "/restore"},
			{http.MethodGet, "/v1.0/users/" + pending},
		} {
			if status := l.call(c.method, c.path, nil, nil); status != http.StatusNotFound {
				t.Fatalf("%s %s after the purge = %d, want 404", c.method, c.path, status)
			}
		}

		var audits struct {
			Value []struct{ ActivityDisplayName string }
		}
		if status := l.call(http.MethodGet, "/v1.0/auditLogs/directoryAudits", nil, &audits); status != http.StatusOK {
			t.Fatalf("directoryAudits = %d", status)
		}
		var names []string
		for _, a := range audits.Value {
			names = append(names, a.ActivityDisplayName)
		}
		for _, want := range []string{"Delete user", "Restore user", "Hard delete user"} {
			if !slices.Contains(names, want) {
				t.Fatalf("audit log lacks %q: %v", want, names)
			}
		}
	})
}

// TestLifecyclePatchMail: a new mail is the guest's sign-in address; the
// userPrincipalName keeps the invited address; Graph's 400s for what
// cannot be set.
func TestLifecyclePatchMail(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		l := newLifecycle(t, dsn)
		id := l.invite("teri@gmail.example", false)
		l.signIn("teri@gmail.example")
		if status := l.call(http.MethodPatch, "/v1.0/users/"+id, map[string]any{
			"mail": "teri.ng@outlook.example", "displayName": "Teri Ng", "jobTitle": "Auditor", "otherMails": []string{"teri@gmail.example"},
		}, nil); status != http.StatusNoContent {
			t.Fatalf("PATCH mail = %d, want 204", status)
		}
		var u map[string]any
		l.call(http.MethodGet, "/v1.0/users/"+id, nil, &u)
		if u["mail"] != "teri.ng@outlook.example" || u["userPrincipalName"] != "teri_gmail.example#EXT#@fabrikam.guestgate.local" ||
			u["displayName"] != "Teri Ng" || u["jobTitle"] != "Auditor" {
			t.Fatalf("user after PATCH: %v", u)
		}
		again := l.signIn("teri.ng@outlook.example")
		l.wantAlive("signed in at the new address", &again)

		other := l.invite("sam@outlook.example", false)
		for _, c := range []struct {
			body any
			want string
		}{
			{map[string]any{"mail": "teri.ng@outlook.example"}, "Another object with the same value for property mail already exists."},
			{map[string]any{"createdDateTime": "2020-01-01T00:00:00Z"}, "Property 'createdDateTime' is read-only and cannot be set."},
			{map[string]any{"shoeSize": 44}, "Property 'shoeSize' does not exist as a declared property or extension property."},
			{map[string]any{"displayName": nil}, "Invalid value specified for property 'displayName' of resource 'User'."},
		} {
			status, _, raw := graphCall(t, l.admin, http.MethodPatch, l.in.URL+"/v1.0/users/"+other, c.body)
			if status != http.StatusBadRequest || !strings.Contains(string(raw), `"code":"Request_BadRequest"`) || !strings.Contains(string(raw), c.want) {
				t.Fatalf("PATCH %v = %d %s, want 400 %q", c.body, status, raw, c.want)
			}
		}
	})
}

// TestLifecycleResendInvitation: inviting a guest still PendingAcceptance
// again mails a new link, and the link already mailed keeps working while
// the invitation is pending (R7: the passcode, not the link, proves the
// mailbox).
func TestLifecycleResendInvitation(t *testing.T) {
	forEngine(t, func(t *testing.T, dsn string) {
		l := newLifecycle(t, dsn)
		first := l.invite("teri@gmail.example", true)
		old := redeemLink(t, l.in.Mail.WaitFor(t, mailtest.To("teri@gmail.example")))
		second := l.invite("teri@gmail.example", true)
		if second != first {
			t.Fatalf("the resent invitation made another user: %s, want %s", second, first)
		}
		msgs := l.in.Mail.WaitCount(t, 2, mailtest.To("teri@gmail.example"))
		fresh := redeemLink(t, msgs[len(msgs)-1])
		if fresh == old {
			t.Fatal("the resent invitation carries the old link")
		}
		if p := newBrowser(t).get(old); p.Status != http.StatusOK || !strings.Contains(p.Body, "Send code") {
			t.Fatalf("the old link = %d, want it still good (R7)\n%s", p.Status, p.Body)
		}
		if p := newBrowser(t).get(fresh); p.Status != http.StatusOK || !strings.Contains(p.Body, "Send code") {
			t.Fatalf("the new link = %d\n%s", p.Status, p.Body)
		}
	})
}
