package e2e

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// TestSignInLogRecordsGuestSignIns: a guest who types a wrong code and
// then the right one at an app leaves two signIns (newest first): the
// success (errorCode 0, b2bCollaboration, the app, the passcode IdP) and
// the refusal (50181); an address that is no user leaves 50034. The list
// pages with $top, filters and orders as Graph clients ask, refuses what
// it does not support, and each entry reads by id. The
// redemption wrote "Redeem external user invite", initiated by the guest.
func TestSignInLogRecordsGuestSignIns(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "AuditLog.Read.All")
		res, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "teri@gmail.example", DisplayName: "Teri", RedirectURL: "https://rp.fabrikam.example/"})
		if err != nil {
			t.Fatal(err)
		}
		rp := e2etest.NewRelyingParty(t, in, tn)
		b := e2etest.NewBrowser(t)
		f := rp.Begin()
		login := b.Follow(in, b.Get(f.URL))
		tid := "/" + tn.ID
		next := b.Submit(in.URL, login, tid+"/login/next", map[string]string{"email": "teri@gmail.example"})
		code := b.Submit(in.URL, next, tid+"/login/send", nil)
		msgs := in.Mail.WaitCount(t, 1, mailtest.To("teri@gmail.example"))
		pc := e2etest.Passcode(t, msgs[len(msgs)-1])
		wrong := []byte(pc)
		wrong[0] = '0' + (wrong[0]-'0'+1)%10
		if p := b.Submit(in.URL, code, tid+"/login/verify", map[string]string{"code": string(wrong)}); p.Status == http.StatusSeeOther {
			t.Fatalf("a wrong code signed in: %q", p.Location)
		}
		done := b.Submit(in.URL, code, tid+"/login/verify", map[string]string{"code": pc})
		done = in.ConsentStep(b, done, tn)
		rp.Finish(f, b.Follow(in, done))
		// An address that is no user is answered as a guest (Enumeration);
		// its Send code is recorded as the unknown account it is.
		nb := e2etest.NewBrowser(t)
		if p := nb.Submit(in.URL, signInAs(in, nb, tn, "nobody@partner.example"), tid+"/login/send", nil); p.Status != http.StatusOK {
			t.Fatalf("Send code for an address that is no user = %d", p.Status)
		}

		var list struct {
			Context  string           `json:"@odata.context"`
			NextLink string           `json:"@odata.nextLink"`
			Value    []map[string]any `json:"value"`
		}
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns", nil, &list); s != http.StatusOK || len(list.Value) != 3 {
			t.Fatalf("signIns = %d %+v", s, list)
		}
		notFound, ok, failed := list.Value[0], list.Value[1], list.Value[2]
		status := func(e map[string]any) (float64, string) {
			st := e["status"].(map[string]any)
			return st["errorCode"].(float64), st["failureReason"].(string)
		}
		if code, reason := status(ok); code != 0 || reason != "Other." || ok["userId"] != res.User.ID || ok["userType"] != "guest" ||
			ok["userPrincipalName"] != res.User.UserPrincipalName || ok["userDisplayName"] != "Teri" ||
			ok["crossTenantAccessType"] != "b2bCollaboration" || ok["appId"] != rp.OAuth.ClientID || ok["appDisplayName"] != "Wiki" ||
			ok["ipAddress"] != "127.0.0.1" || ok["clientAppUsed"] != "Browser" || ok["isInteractive"] != true ||
			ok["resourceTenantId"] != tn.ID || ok["tokenIssuerName"] != "mail" || ok["correlationId"] == "" {
			t.Errorf("the success: %v", ok)
		}
		if code, reason := status(failed); code != 50181 || !strings.Contains(reason, "passcode") || failed["userId"] != res.User.ID ||
			failed["userType"] != "guest" || failed["crossTenantAccessType"] != "b2bCollaboration" || failed["appDisplayName"] != "Wiki" {
			t.Errorf("the wrong code: %v", failed)
		}
		if code, _ := status(notFound); code != 50034 || notFound["userId"] != nil || notFound["userPrincipalName"] != "nobody@partner.example" {
			t.Errorf("the unknown address: %v", notFound)
		}
		for _, e := range list.Value {
			for _, secret := range []string{pc, string(wrong)} {
				if strings.Contains(e2etest.JSONText(t, e), secret) {
					t.Fatalf("a sign-in record holds a passcode: %v", e)
				}
			}
		}

		var one map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns/"+ok["id"].(string), nil, &one); s != http.StatusOK || one["id"] != ok["id"] || one["appId"] != ok["appId"] {
			t.Fatalf("GET signIns/{id} = %d %v", s, one)
		}
		var e graphEnvelope
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns/"+res.User.ID, nil, &e); s != http.StatusNotFound || e.Error.Code != "Request_ResourceNotFound" {
			t.Fatalf("GET an unknown sign-in = %d %+v", s, e)
		}

		// $top pages through every entry once; other options are refused.
		var seen []any
		u := in.URL + "/v1.0/auditLogs/signIns?$top=2"
		for range 3 {
			list.NextLink, list.Value = "", nil
			if s := e2etest.API(t, admin, http.MethodGet, u, nil, &list); s != http.StatusOK {
				t.Fatalf("page %s = %d", u, s)
			}
			for _, v := range list.Value {
				seen = append(seen, v["id"])
			}
			if list.NextLink == "" {
				break
			}
			u = list.NextLink
		}
		if len(seen) != 3 || seen[0] != notFound["id"] || seen[2] != failed["id"] {
			t.Fatalf("paged ids %v", seen)
		}
		testSignInQueries(t, in, admin, notFound, ok, failed)

		rec := e2etest.LatestAudit(t, in, admin)
		target := rec["targetResources"].([]any)[0].(map[string]any)
		by, _ := rec["initiatedBy"].(map[string]any)["user"].(map[string]any)
		if rec["activityDisplayName"] != "Redeem external user invite" || rec["category"] != "UserManagement" ||
			rec["loggedByService"] != "Invited Users" || target["id"] != res.User.ID || by == nil || by["id"] != res.User.ID ||
			rec["initiatedBy"].(map[string]any)["app"] != nil {
			t.Fatalf("the redemption's audit record: %v", rec)
		}
		if m := modified(rec); m["ExternalUserState"] != [2]any{`"PendingAcceptance"`, `"Accepted"`} {
			t.Fatalf("redemption modified %v", m)
		}
		var got map[string]any
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/directoryAudits/"+rec["id"].(string), nil, &got); s != http.StatusOK ||
			got["id"] != rec["id"] || got["activityDisplayName"] != "Redeem external user invite" || got["@odata.context"] == nil {
			t.Fatalf("GET directoryAudits/{id} = %d %v", s, got)
		}
	})
}

// TestSignInLogRecordsMemberPasswords: a member's wrong password is
// recorded as 50126 and the next, right one as a member's success with no
// cross-tenant access; no password is kept.
func TestSignInLogRecordsMemberPasswords(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, m := contosoWithMember(t, in, "ana@contoso.example")
		reader := appClient(t, in, tn, "Reports", "AuditLog.Read.All")
		for _, try := range []struct {
			password string
			ok       bool
		}{{"not the password", false}, {anaPassword, true}} {
			b := e2etest.NewBrowser(t)
			p := b.Submit(in.URL, signInAs(in, b, tn, "ana@contoso.example"), "/"+tn.ID+"/login/password", map[string]string{"password": try.password})
			if (p.Status == http.StatusSeeOther) != try.ok {
				t.Fatalf("password %q: %d %q", try.password, p.Status, p.Location)
			}
		}
		var list struct{ Value []map[string]any }
		if s := e2etest.API(t, reader, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns", nil, &list); s != http.StatusOK || len(list.Value) != 2 {
			t.Fatalf("signIns = %d %v", s, list)
		}
		for i, want := range []float64{0, 50126} {
			e := list.Value[i]
			if e["status"].(map[string]any)["errorCode"] != want || e["userId"] != m.ID || e["userType"] != "member" ||
				e["crossTenantAccessType"] != "none" || e["homeTenantId"] != tn.ID || e["appDisplayName"] != "My Apps" ||
				strings.Contains(e2etest.JSONText(t, e), "not the password") || strings.Contains(e2etest.JSONText(t, e), anaPassword) {
				t.Errorf("record %d (want errorCode %v): %v", i, want, e)
			}
		}
	})
}

// testSignInQueries queries the three entries of
// TestSignInLogRecordsGuestSignIns (newest first: the unknown address, the
// guest's success, its wrong code) as Graph clients do.
func testSignInQueries(t *testing.T, in *e2etest.Instance, admin *http.Client, notFound, ok, failed map[string]any) {
	t.Helper()
	type signIns struct {
		NextLink string           `json:"@odata.nextLink"`
		Value    []map[string]any `json:"value"`
	}
	ids := func(opts url.Values) []any {
		t.Helper()
		var got []any
		u := in.URL + "/v1.0/auditLogs/signIns?" + opts.Encode()
		for range 5 {
			var page signIns
			if s := e2etest.API(t, admin, http.MethodGet, u, nil, &page); s != http.StatusOK {
				t.Fatalf("GET %s = %d", u, s)
			}
			for _, v := range page.Value {
				got = append(got, v["id"])
			}
			if page.NextLink == "" {
				return got
			}
			if opts.Has("$filter") && !strings.Contains(page.NextLink, "%24filter=") {
				t.Fatalf("@odata.nextLink %s drops the query", page.NextLink)
			}
			u = page.NextLink
		}
		t.Fatalf("more pages than entries: %v", got)
		return nil
	}
	want := func(what string, got []any, entries ...map[string]any) {
		t.Helper()
		var ids []any
		for _, e := range entries {
			ids = append(ids, e["id"])
		}
		if !slices.Equal(got, ids) {
			t.Errorf("%s: ids %v, want %v", what, got, ids)
		}
	}
	upn := ok["userPrincipalName"].(string)
	want("userPrincipalName eq, in another case", ids(url.Values{"$filter": {"userPrincipalName eq '" + strings.ToUpper(upn) + "'"}}), ok, failed)
	want("userPrincipalName eq, one entry a page, the nextLink keeps the query",
		ids(url.Values{"$filter": {"userPrincipalName eq '" + upn + "'"}, "$top": {"1"}}), ok, failed)
	want("startsWith(userPrincipalName)", ids(url.Values{"$filter": {"startsWith(userPrincipalName,'nobody@')"}}), notFound)
	want("status/errorCode eq", ids(url.Values{"$filter": {"status/errorCode eq 50181"}}), failed)
	want("userId and appId", ids(url.Values{"$filter": {"userId eq '" + ok["userId"].(string) + "' and appId eq '" + ok["appId"].(string) + "' and status/errorCode eq 0"}}), ok)
	want("oldest first", ids(url.Values{"$orderby": {"createdDateTime asc"}}), failed, ok, notFound)

	// createdDateTime compares to the second the entries show.
	since := ok["createdDateTime"].(string)
	got := ids(url.Values{"$filter": {"createdDateTime ge " + since + " and userPrincipalName eq '" + upn + "'"}})
	if len(got) == 0 || got[0] != ok["id"] || slices.Contains(got, notFound["id"]) {
		t.Errorf("createdDateTime ge %s and the guest's userPrincipalName: %v", since, got)
	}
	last := notFound["createdDateTime"].(string)
	if got := ids(url.Values{"$filter": {"createdDateTime eq " + last}}); !slices.Contains(got, notFound["id"]) {
		t.Errorf("createdDateTime eq %s (the newest entry's) = %v", last, got)
	}
	want("createdDateTime gt the newest entry's", ids(url.Values{"$filter": {"createdDateTime gt " + last}}))

	// Graph's other signIn filters (issue 22, item 11): userDisplayName,
	// alternatives joined by "or", and $select.
	want("userDisplayName eq", ids(url.Values{"$filter": {"userDisplayName eq 'Teri'"}}), ok, failed)
	want("or", ids(url.Values{"$filter": {"userPrincipalName eq 'nobody@partner.example' or status/errorCode eq 50181"}}), notFound, failed)
	want("an or of apps and a status", ids(url.Values{"$filter": {"(appDisplayName eq 'Wiki' or appDisplayName eq 'Other') and status/errorCode eq 0"}}), ok)
	var sel struct {
		Context string           `json:"@odata.context"`
		Value   []map[string]any `json:"value"`
	}
	q := url.Values{"$select": {"userPrincipalName,appDisplayName,status"}, "$filter": {"status/errorCode eq 50181"}}
	if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns?"+q.Encode(), nil, &sel); s != http.StatusOK || len(sel.Value) != 1 ||
		len(sel.Value[0]) != 3 || sel.Value[0]["appDisplayName"] != "Wiki" || !strings.HasSuffix(sel.Context, "signIns(userPrincipalName,appDisplayName,status)") {
		t.Errorf("$select = %d %+v", s, sel)
	}

	for _, bad := range []url.Values{
		{"$filter": {"userId eq 'a' or (userId eq 'b' and appId eq 'c')"}},
		{"$orderby": {"userPrincipalName"}},
		{"$select": {"secret"}},
	} {
		var e graphEnvelope
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns?"+bad.Encode(), nil, &e); s != http.StatusBadRequest || e.Error.Code != "BadRequest" {
			t.Errorf("%s = %d %+v, want 400 BadRequest", bad.Encode(), s, e)
		}
	}
}

// TestSignInLogRecordsSessionReuse (issue 22, item 11): every interactive
// sign-in is recorded, those a live session answers included. A guest
// signed in to an app who signs in to it again in the same browser (no
// page, single sign-on) leaves a success "Previously satisfied" for the
// app; once passcodes are turned off (R9), the refusal the same browser
// is shown is recorded too, naming the app of the request.
func TestSignInLogRecordsSessionReuse(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Invite.All", "AuditLog.Read.All", "Policy.ReadWrite.AuthenticationMethod")
		res, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "teri@gmail.example", DisplayName: "Teri", RedirectURL: "https://rp.fabrikam.example/"})
		if err != nil {
			t.Fatal(err)
		}
		rp := e2etest.NewRelyingParty(t, in, tn)
		b := e2etest.NewBrowser(t)
		f := rp.Begin()
		rp.Finish(f, rp.SignIn(b, f, "teri@gmail.example"))

		type signIns struct{ Value []map[string]any }
		var before signIns
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns", nil, &before); s != http.StatusOK || len(before.Value) != 1 {
			t.Fatalf("signIns after the first sign-in = %d %v", s, before.Value)
		}

		// The same browser, the same app: no page, a new code at once.
		f = rp.Begin()
		rp.Finish(f, b.Follow(in, b.Get(f.URL)))
		var after signIns
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns", nil, &after); s != http.StatusOK || len(after.Value) != 2 {
			t.Fatalf("signIns after single sign-on = %d %v", s, after.Value)
		}
		sso := after.Value[0]
		if st := sso["status"].(map[string]any); st["errorCode"] != 0.0 || sso["userId"] != res.User.ID || sso["appId"] != rp.OAuth.ClientID ||
			sso["appDisplayName"] != "Wiki" || sso["userType"] != "guest" || sso["tokenIssuerName"] != "mail" ||
			e2etest.JSONText(t, sso["authenticationMethodsUsed"]) != `["Previously satisfied"]` {
			t.Errorf("the single sign-on: %v", sso)
		}

		// Passcodes off (R9): the live session is refused, and that is recorded.
		setPolicy(t, in, admin, "disabled")
		f = rp.Begin()
		p := b.Follow(in, b.Get(f.URL))
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "turned off sign-in with email one-time passcodes") {
			t.Fatalf("R9 on a live session: %d\n%s", p.Status, p.Body)
		}
		var refused signIns
		q := url.Values{"$filter": {"status/errorCode eq 50020 and userId eq '" + res.User.ID + "'"}}
		if s := e2etest.API(t, admin, http.MethodGet, in.URL+"/v1.0/auditLogs/signIns?"+q.Encode(), nil, &refused); s != http.StatusOK || len(refused.Value) != 1 ||
			refused.Value[0]["appId"] != rp.OAuth.ClientID || refused.Value[0]["appDisplayName"] != "Wiki" {
			t.Fatalf("the refusal on a live session = %d %v", s, refused.Value)
		}
	})
}
