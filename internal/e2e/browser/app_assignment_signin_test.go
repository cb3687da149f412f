package browser

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// TestAppAssignmentSignIn (R16, R7; issue "Which guest may reach which
// app"): an app that requires assignment, signed in to by go-oidc and
// x/oauth2 as a real app is, on both engines.
//
//   - An invited guest who is not assigned redeems the invitation through
//     the app and is then refused: Chromium shows the page (the app's name,
//     the organisation to ask, AADSTS50105) in English and Japanese, axe
//     finds nothing, the app gets no code, and GET /v1.0/auditLogs/signIns
//     has the refusal with status.errorCode 50105.
//   - Added to a group the app assigned (through Graph), she is admitted;
//     the ID token carries the app's roles and groups claims.
//   - A reset of redemption (POST /v1.0/invitations, resetRedemption) keeps
//     her object id, her group membership and the group's assignment: she
//     redeems again and is admitted without being re-added anywhere.
//   - Once she leaves the group she is refused again: her refresh token at
//     its next use (invalid_grant, AADSTS50105), her live session's single
//     sign-on (the page; access_denied to the app under prompt=none) and a
//     new sign-in.
func TestAppAssignmentSignIn(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		engine := path.Base(t.Name())
		fake := clock.NewFake(time.Now())
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "Application.ReadWrite.All", "AppRoleAssignment.ReadWrite.All",
			"Group.ReadWrite.All", "User.Invite.All", "User.ReadWrite.All", "Directory.Read.All", "AuditLog.Read.All")
		rp := e2etest.NewRelyingParty(t, in, tn)
		rp.OAuth.Scopes = append(rp.OAuth.Scopes, gooidc.ScopeOfflineAccess)
		l := &e2etest.Lifecycle{T: t, Clock: fake, In: in, Tn: tn, Admin: admin, Rp: rp}

		// The app requires assignment, has a role, asks for the groups claim,
		// and assigns its role to a group (empty for now).
		var sp, app map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/servicePrincipals(appId='"+rp.OAuth.ClientID+"')", nil, &sp); s != http.StatusOK {
			t.Fatalf("GET servicePrincipal = %d", s)
		}
		spID := sp["id"].(string)
		if s := e2etest.API(t, admin, http.MethodPatch, in.URL+"/v1.0/servicePrincipals/"+spID, map[string]any{"appRoleAssignmentRequired": true}, nil); s != http.StatusNoContent {
			t.Fatalf("require assignment = %d", s)
		}
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/applications(appId='"+rp.OAuth.ClientID+"')", nil, &app); s != http.StatusOK {
			t.Fatalf("GET application = %d", s)
		}
		const readerRole = "5b1c9a3e-7d2f-4e8a-b6c4-2f0e9d1a7c35"
		if s := e2etest.API(t, admin, http.MethodPatch, in.URL+"/v1.0/applications/"+app["id"].(string), map[string]any{
			"groupMembershipClaims": "SecurityGroup",
			"appRoles": []map[string]any{{"allowedMemberTypes": []string{"User"}, "description": "Reads the wiki", "displayName": "Reader",
				"id": readerRole, "isEnabled": true, "value": "Wiki.Read"}},
		}, nil); s != http.StatusNoContent {
			t.Fatalf("PATCH application = %d", s)
		}
		var g map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/groups", map[string]any{"displayName": "Wiki readers", "mailEnabled": false,
			"mailNickname": "wiki-readers", "securityEnabled": true}, &g); s != http.StatusCreated {
			t.Fatalf("POST /groups = %d", s)
		}
		groupID := g["id"].(string)
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/servicePrincipals/"+spID+"/appRoleAssignedTo",
			map[string]any{"principalId": groupID, "resourceId": spID, "appRoleId": readerRole}, nil); s != http.StatusCreated {
			t.Fatalf("assign the group = %d", s)
		}
		const addr = "teri@gmail.example"
		teri := l.Invite(addr, false)

		// Not assigned: she redeems through the app, then the app refuses her.
		b := newChromium(t)
		refusedInChromium(t, in, b, rp, addr, "en", true, engine)
		if u := e2etest.GetUser(t, in, admin, teri); u["externalUserState"] != "Accepted" {
			t.Fatalf("the refused redemption redeemed nothing: %v", u["externalUserState"])
		}
		entry := newestSignIn(t, in, admin)
		if st := entry["status"].(map[string]any); st["errorCode"] != float64(50105) || entry["userId"] != teri || entry["appId"] != rp.OAuth.ClientID ||
			entry["appDisplayName"] != "Wiki" || !strings.Contains(st["failureReason"].(string), "not assigned") {
			t.Fatalf("the refusal in auditLogs/signIns: %v", entry)
		}
		fake.Advance(2 * time.Minute)
		refusedInChromium(t, in, b, rp, addr, "ja", false, engine)

		// Assigned through the group: admitted, with the app's claims.
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/groups/"+groupID+"/members/$ref",
			map[string]any{"@odata.id": in.URL + "/v1.0/directoryObjects/" + teri}, nil); s != http.StatusNoContent {
			t.Fatalf("add her to the group = %d", s)
		}
		first := admitted(t, l, addr, teri, groupID)

		// A reset of redemption keeps her object, group and assignment.
		var reset map[string]any
		if s := e2etest.API(t, admin, http.MethodPost, in.URL+"/v1.0/invitations", e2etest.ResetBody(teri, addr, false), &reset); s != http.StatusCreated ||
			reset["invitedUser"].(map[string]any)["id"] != teri {
			t.Fatalf("reset = %d %v", s, reset)
		}
		if u := e2etest.GetUser(t, in, admin, teri); u["externalUserState"] != "PendingAcceptance" {
			t.Fatalf("after the reset she is %v, want PendingAcceptance", u["externalUserState"])
		}
		consents := rp.Consents
		again := admitted(t, l, addr, teri, groupID)
		if rp.Consents != consents+1 {
			t.Fatal("after the reset her sign-in through the app was no redemption (no Review permissions)")
		}
		if first.oid != again.oid {
			t.Fatalf("object id %s after the reset, was %s", again.oid, first.oid)
		}
		l.WantAlive("admitted after the reset", &again.SignedIn)

		// She leaves the group: refused at the next use of everything.
		if s := e2etest.API(t, admin, http.MethodDelete, in.URL+"/v1.0/groups/"+groupID+"/members/"+teri+"/$ref", nil, nil); s != http.StatusNoContent {
			t.Fatalf("remove her from the group = %d", s)
		}
		fake.Advance(time.Minute)
		_, err := rp.OAuth.TokenSource(context.Background(), &oauth2.Token{RefreshToken: again.Tok.RefreshToken}).Token()
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" || !strings.HasPrefix(re.ErrorDescription, "AADSTS50105: ") {
			t.Fatalf("refresh once she left the group = %v, want invalid_grant AADSTS50105", err)
		}
		f := rp.Begin()
		if p := again.B.Follow(in, again.B.Get(f.URL)); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "AADSTS50105") ||
			strings.HasPrefix(p.Location, e2etest.RPRedirect) {
			t.Fatalf("single sign-on once she left the group = %d %q\n%s", p.Status, p.Location, p.Body)
		}
		entry = newestSignIn(t, in, admin)
		if st := entry["status"].(map[string]any); st["errorCode"] != float64(50105) || entry["userId"] != teri || entry["appId"] != rp.OAuth.ClientID {
			t.Fatalf("the refused single sign-on in auditLogs/signIns: %v", entry)
		}
		// A silent renewal (prompt=none) shows no page: the app hears it.
		f = rp.Begin(oauth2.SetAuthURLParam("prompt", "none"))
		if p := again.B.Follow(in, again.B.Get(f.URL)); !strings.HasPrefix(p.Location, e2etest.RPRedirect) || !strings.Contains(p.Location, "error=access_denied") {
			t.Fatalf("prompt=none once she left the group = %d %q, want access_denied at the app", p.Status, p.Location)
		}
		fake.Advance(2 * time.Minute)
		nb := e2etest.NewBrowser(t)
		if p := refusedSignIn(t, in, nb, rp, addr); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "AADSTS50105") {
			t.Fatalf("a new sign-in once she left the group = %d\n%s", p.Status, p.Body)
		}
	})
}

// admittance is a guest admitted to the app: her object id and tokens.
type admittance struct {
	e2etest.SignedIn
	oid string
}

// admitted signs addr in through the app and checks she got in as userID
// with the Wiki.Read role and the group in her ID token.
func admitted(t *testing.T, l *e2etest.Lifecycle, addr, userID, groupID string) admittance {
	t.Helper()
	l.Clock.Advance(2 * time.Minute)
	defer l.Clock.Advance(time.Second)
	b := e2etest.NewBrowser(t)
	f := l.Rp.Begin()
	idt, tok := l.Rp.Finish(f, l.Rp.SignIn(b, f, addr))
	var c struct {
		OID    string   `json:"oid"`
		Roles  []string `json:"roles"`
		Groups []string `json:"groups"`
	}
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	if c.OID != userID || !slices.Equal(c.Roles, []string{"Wiki.Read"}) || !slices.Equal(c.Groups, []string{groupID}) {
		t.Fatalf("ID token of the assigned guest: oid %s roles %v groups %v; want %s, [Wiki.Read], [%s]", c.OID, c.Roles, c.Groups, userID, groupID)
	}
	if tok.RefreshToken == "" {
		t.Fatal("no refresh token for offline_access")
	}
	return admittance{SignedIn: e2etest.SignedIn{B: b, Tok: tok}, oid: c.OID}
}

// refusedSignIn runs a returning guest's sign-in to the app in b (the
// address, Send code, the code) and returns the page it ends on.
func refusedSignIn(t *testing.T, in *e2etest.Instance, b *e2etest.Browser, rp *e2etest.RelyingParty, addr string) e2etest.Page {
	t.Helper()
	tid := "/" + rp.Tenant.ID
	login := b.Follow(in, b.Get(rp.Begin().URL))
	next := b.Submit(in.URL, login, tid+"/login/next", map[string]string{"email": addr})
	before := len(in.Mail.Messages())
	code := b.Submit(in.URL, next, tid+"/login/send", nil)
	msgs := in.Mail.WaitCount(t, before+1, mailtest.To(addr))
	return b.Follow(in, b.Submit(in.URL, code, tid+"/login/verify", map[string]string{"code": e2etest.Passcode(t, msgs[len(msgs)-1])}))
}

// refusedInChromium signs addr in to the app in Chromium in lang (a
// first redemption accepts Review permissions) and checks the refusal
// page: the app's name, the organisation to ask, AADSTS50105, no way on
// to the app, and no accessibility violation.
func refusedInChromium(t *testing.T, in *e2etest.Instance, b context.Context, rp *e2etest.RelyingParty, addr, lang string, redeeming bool, engine string) {
	t.Helper()
	before := len(in.Mail.Messages())
	browserDo(b, t, "language", acceptLanguage(lang))
	browserDo(b, t, "open the app", chromedp.Navigate(rp.Begin().URL), chromedp.WaitVisible(chromedp.CSS("#email")))
	browserDo(b, t, "enter the address", chromedp.SendKeys(chromedp.CSS("#email"), addr), chromedp.Click(chromedp.CSS("#next")),
		chromedp.WaitVisible(chromedp.CSS("#send-code")))
	browserDo(b, t, "press Send code", chromedp.Click(chromedp.CSS("#send-code")), chromedp.WaitVisible(chromedp.CSS("#code")))
	msgs := in.Mail.WaitCount(t, before+1, mailtest.To(addr))
	browserDo(b, t, "type the code", chromedp.SendKeys(chromedp.CSS("#code"), e2etest.Passcode(t, msgs[len(msgs)-1])),
		chromedp.Click(chromedp.CSS("#verify-code")), chromedp.WaitNotPresent(chromedp.CSS("#code")))
	if redeeming {
		browserDo(b, t, "press Accept", chromedp.WaitVisible(chromedp.CSS("#consent-accept")), chromedp.Click(chromedp.CSS("#consent-accept")),
			chromedp.WaitNotPresent(chromedp.CSS("#consent-accept")))
	}
	want := map[string][]string{
		"en": {"You don't have access to Wiki", "Fabrikam", "ask an administrator of Fabrikam", "AADSTS50105"},
		"ja": {"Wiki へのアクセス権がありません", "Fabrikam の管理者", "AADSTS50105"},
	}[lang]
	pageHas(b, t, "refusal page ("+lang+")", want...)
	if loc := browserValue(b, t, chromedp.Location()); strings.HasPrefix(loc, e2etest.RPRedirect) {
		t.Fatalf("the refused guest reached the app: %s", loc)
	}
	if got := browserValue(b, t, chromedp.Evaluate[string](`document.documentElement.lang`)); got != lang {
		t.Fatalf("refusal page language %q, want %s", got, lang)
	}
	checkAccessibility(b, t, "refusal page ("+lang+")")
	saveScreenshot(b, t, "app-assignment-refused-"+lang+"-"+engine+".png")
}

// newestSignIn is the tenant's newest entry of GET /v1.0/auditLogs/signIns.
func newestSignIn(t *testing.T, in *e2etest.Instance, admin *http.Client) map[string]any {
	t.Helper()
	var list struct{ Value []map[string]any }
	if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns?$top="+url.QueryEscape("1"), nil, &list); s != http.StatusOK || len(list.Value) != 1 {
		t.Fatalf("GET signIns = %d, %d entries", s, len(list.Value))
	}
	return list.Value[0]
}
