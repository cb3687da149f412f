package e2e

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

func newLifecycle(t *testing.T, dsn string) *e2etest.Lifecycle {
	// A settable clock: a guest signs in again sooner than the passcode
	// throttle allows a second send in real time.
	fake := clock.NewFake(time.Now())
	in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
	tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example",
		"User.Invite.All", "User.ReadWrite.All", "User.DeleteRestore.All", "User.RevokeSessions.All", "AuditLog.Read.All")
	rp := e2etest.NewRelyingParty(t, in, tn)
	rp.OAuth.Scopes = append(rp.OAuth.Scopes, "offline_access")
	return &e2etest.Lifecycle{T: t, Clock: fake, In: in, Tn: tn, Admin: admin, Rp: rp}
}

// TestLifecycleRevokeSignInSessions: revokeSignInSessions ends the guest's
// browser session, refresh token and access token at once; the guest can
// sign in again.
func TestLifecycleRevokeSignInSessions(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		l := newLifecycle(t, dsn)
		id := l.Invite("teri@gmail.example", false)
		s := l.SignIn("teri@gmail.example")
		l.WantAlive("before revoking", &s)
		l.Invite("sam@outlook.example", false)
		other := l.SignIn("sam@outlook.example")

		var res map[string]any
		if status := l.Call(http.MethodPost, "/v1.0/users/"+id+"/revokeSignInSessions", nil, &res); status != http.StatusOK ||
			res["@odata.context"] != "https://graph.microsoft.com/v1.0/$metadata#Edm.Boolean" || res["value"] != true {
			t.Fatalf("revokeSignInSessions = %d %v", status, res)
		}
		l.WantEnded("after revokeSignInSessions", &s)
		l.WantAlive("another guest after revokeSignInSessions", &other)
		again := l.SignIn("teri@gmail.example")
		l.WantAlive("after signing in again", &again)

		if status := l.Call(http.MethodPost, "/v1.0/users/00000000-0000-0000-0000-000000000000/revokeSignInSessions", nil, nil); status != http.StatusNotFound {
			t.Fatalf("revoke an unknown user = %d, want 404", status)
		}
	})
}

// TestLifecycleDisable: PATCH accountEnabled false ends every sign-in;
// enabling again lets the guest sign in anew.
func TestLifecycleDisable(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		l := newLifecycle(t, dsn)
		id := l.Invite("teri@gmail.example", false)
		s := l.SignIn("teri@gmail.example")
		if status := l.Call(http.MethodPatch, "/v1.0/users/"+id, map[string]any{"accountEnabled": false}, nil); status != http.StatusNoContent {
			t.Fatalf("PATCH accountEnabled false = %d, want 204", status)
		}
		l.WantEnded("after disabling", &s)
		if status := l.Call(http.MethodPatch, "/v1.0/users/"+id, map[string]any{"@odata.type": "#microsoft.graph.user", "accountEnabled": true}, nil); status != http.StatusNoContent {
			t.Fatalf("PATCH accountEnabled true = %d, want 204", status)
		}
		l.WantEnded("after enabling again (old sign-in)", &s)
		again := l.SignIn("teri@gmail.example")
		l.WantAlive("after enabling and signing in again", &again)
	})
}

// TestLifecycleDeleteRestore: DELETE moves the guest to deletedItems and
// ends every sign-in; restore brings it back with the same id; a purged
// guest is gone, and its redeem link shows the unknown-ticket page.
func TestLifecycleDeleteRestore(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		l := newLifecycle(t, dsn)
		id := l.Invite("teri@gmail.example", false)
		s := l.SignIn("teri@gmail.example")
		if status := l.Call(http.MethodDelete, "/v1.0/users/"+id, nil, nil); status != http.StatusNoContent {
			t.Fatalf("DELETE user = %d, want 204", status)
		}
		l.WantEnded("after deleting", &s)
		if status := l.Call(http.MethodGet, "/v1.0/users/"+id, nil, nil); status != http.StatusNotFound {
			t.Fatalf("GET a deleted user = %d, want 404", status)
		}
		var list struct {
			ODataContext string `json:"@odata.context"`
			Value        []map[string]any
		}
		if status := l.Call(http.MethodGet, "/v1.0/directory/deletedItems/microsoft.graph.user", nil, &list); status != http.StatusOK ||
			list.ODataContext != "https://graph.microsoft.com/v1.0/$metadata#directory/deletedItems/microsoft.graph.user" ||
			len(list.Value) != 1 || list.Value[0]["id"] != id || list.Value[0]["@odata.type"] != "#microsoft.graph.user" ||
			list.Value[0]["deletedDateTime"] == nil || list.Value[0]["mail"] != "teri@gmail.example" {
			t.Fatalf("deletedItems = %d %+v", status, list)
		}
		var item map[string]any
		if status := l.Call(http.MethodGet, "/v1.0/directory/deletedItems/"+id, nil, &item); status != http.StatusOK || item["id"] != id || item["deletedDateTime"] == nil {
			t.Fatalf("GET deletedItems/{id} = %d %v", status, item)
		}
		var restored map[string]any
		if status := l.Call(http.MethodPost, "/v1.0/directory/deletedItems/"+id+"/restore", nil, &restored); status != http.StatusOK ||
			restored["id"] != id || restored["@odata.type"] != "#microsoft.graph.user" || restored["userPrincipalName"] != "teri_gmail.example#EXT#@fabrikam.guestgate.local" {
			t.Fatalf("restore = %d %v", status, restored)
		}
		if status := l.Call(http.MethodGet, "/v1.0/users/"+id, nil, nil); status != http.StatusOK {
			t.Fatalf("GET the restored user = %d, want 200", status)
		}
		l.WantEnded("after restoring (sign-ins from before the deletion)", &s)
		again := l.SignIn("teri@gmail.example")
		l.WantAlive("after restoring and signing in again", &again)

		// A pending guest deleted: its redeem link dies; purged, it is gone.
		pending := l.Invite("sam@outlook.example", true)
		link := e2etest.RedeemLink(t, l.In.Mail.WaitFor(t, mailtest.To("sam@outlook.example")))
		if p := e2etest.NewBrowser(t).Get(link); p.Status != http.StatusOK || !strings.Contains(p.Body, "Send code") {
			t.Fatalf("redeem link before the deletion = %d\n%s", p.Status, p.Body)
		}
		if status := l.Call(http.MethodDelete, "/v1.0/users/"+pending, nil, nil); status != http.StatusNoContent {
			t.Fatalf("DELETE the pending guest = %d", status)
		}
		if p := e2etest.NewBrowser(t).Get(link); p.Status != http.StatusNotFound {
			t.Fatalf("redeem link of a deleted guest = %d, want the unknown-ticket page\n%s", p.Status, p.Body)
		}
		if status := l.Call(http.MethodDelete, "/v1.0/directory/deletedItems/"+pending, nil, nil); status != http.StatusNoContent {
			t.Fatalf("DELETE deletedItems/{id} = %d, want 204", status)
		}
		for _, c := range []struct{ method, path string }{
			{http.MethodGet, "/v1.0/directory/deletedItems/" + pending},
			{http.MethodPost, "/v1.0/directory/deletedItems/" + pending + "/restore"},
			{http.MethodGet, "/v1.0/users/" + pending},
		} {
			if status := l.Call(c.method, c.path, nil, nil); status != http.StatusNotFound {
				t.Fatalf("%s %s after the purge = %d, want 404", c.method, c.path, status)
			}
		}

		var audits struct {
			Value []struct{ ActivityDisplayName string }
		}
		if status := l.Call(http.MethodGet, "/v1.0/auditLogs/directoryAudits", nil, &audits); status != http.StatusOK {
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
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		l := newLifecycle(t, dsn)
		id := l.Invite("teri@gmail.example", false)
		l.SignIn("teri@gmail.example")
		if status := l.Call(http.MethodPatch, "/v1.0/users/"+id, map[string]any{
			"mail": "teri.ng@outlook.example", "displayName": "Teri Ng", "jobTitle": "Auditor", "otherMails": []string{"teri@gmail.example"},
		}, nil); status != http.StatusNoContent {
			t.Fatalf("PATCH mail = %d, want 204", status)
		}
		var u map[string]any
		l.Call(http.MethodGet, "/v1.0/users/"+id, nil, &u)
		if u["mail"] != "teri.ng@outlook.example" || u["userPrincipalName"] != "teri_gmail.example#EXT#@fabrikam.guestgate.local" ||
			u["displayName"] != "Teri Ng" || u["jobTitle"] != "Auditor" {
			t.Fatalf("user after PATCH: %v", u)
		}
		again := l.SignIn("teri.ng@outlook.example")
		l.WantAlive("signed in at the new address", &again)

		other := l.Invite("sam@outlook.example", false)
		for _, c := range []struct {
			body any
			want string
		}{
			{map[string]any{"mail": "teri.ng@outlook.example"}, "Another object with the same value for property mail already exists."},
			{map[string]any{"createdDateTime": "2020-01-01T00:00:00Z"}, "Property 'createdDateTime' is read-only and cannot be set."},
			{map[string]any{"shoeSize": 44}, "Property 'shoeSize' does not exist as a declared property or extension property."},
			{map[string]any{"displayName": nil}, "Invalid value specified for property 'displayName' of resource 'User'."},
		} {
			status, _, raw := e2etest.GraphCall(t, l.Admin, http.MethodPatch, l.In.URL+"/v1.0/users/"+other, c.body)
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
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		l := newLifecycle(t, dsn)
		first := l.Invite("teri@gmail.example", true)
		old := e2etest.RedeemLink(t, l.In.Mail.WaitFor(t, mailtest.To("teri@gmail.example")))
		second := l.Invite("teri@gmail.example", true)
		if second != first {
			t.Fatalf("the resent invitation made another user: %s, want %s", second, first)
		}
		msgs := l.In.Mail.WaitCount(t, 2, mailtest.To("teri@gmail.example"))
		fresh := e2etest.RedeemLink(t, msgs[len(msgs)-1])
		if fresh == old {
			t.Fatal("the resent invitation carries the old link")
		}
		if p := e2etest.NewBrowser(t).Get(old); p.Status != http.StatusOK || !strings.Contains(p.Body, "Send code") {
			t.Fatalf("the old link = %d, want it still good (R7)\n%s", p.Status, p.Body)
		}
		if p := e2etest.NewBrowser(t).Get(fresh); p.Status != http.StatusOK || !strings.Contains(p.Body, "Send code") {
			t.Fatalf("the new link = %d\n%s", p.Status, p.Body)
		}
	})
}
