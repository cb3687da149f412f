package e2e

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/collab"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/server"
)

// consoleWriteWindow is the write limit's window in these tests.
const consoleWriteWindow = 150 * time.Second

// limitedConsole starts guestgate on a fake clock with a write limit of
// limit per consoleWriteWindow, a cap of queue unfinished bulk
// invitations per tenant, and a sweep of waiting bulk invitations every
// few milliseconds (so that moving the clock resumes them).
func limitedConsole(t *testing.T, dsn string, limit, queue int) (*e2etest.Instance, *clock.Fake) {
	t.Helper()
	fake := clock.NewFake(time.Now())
	in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Clock: fake, BulkSweep: 10 * time.Millisecond, Configure: func(c *server.Config) {
		c.Abuse.GraphWrites.PerTenant = ratelimit.Rule{Limit: limit, Window: consoleWriteWindow}
		c.BulkInviteQueue = queue
	}})
	return in, fake
}

// waitBulkStopped polls the status page at u until the job is finished,
// or waits for the write limit (the page says so) with more than after
// rows done; it returns the page and the rows done (-1 when finished).
func waitBulkStopped(t *testing.T, b *e2etest.Browser, u string, after int) (e2etest.Page, int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		p := b.Get(u)
		n, done := bulkDone(t, p)
		if done || (n > after && strings.Contains(p.Body, `id="bulk-waiting"`)) {
			return p, n
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bulk invitation at %s neither finishes nor waits past %d rows\n%s", u, after, p.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestConsoleBulkInviteWaitsForTheWriteLimit (security round 2, finding
// 6), the reviewer's attack: a member with no role (allowed to invite by
// the default "everyone") uploads many rows. The rows count against the
// member's write limit, shared with their single invitations: the job
// invites up to the limit, waits (the status page says until when),
// resumes when the window ends and finishes with every row invited once.
// Meanwhile a second upload is refused by the queue cap and a single
// invitation by the limit.
func TestConsoleBulkInviteWaitsForTheWriteLimit(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in, fake := limitedConsole(t, dsn, 10, 1)
		tn, _ := e2etest.ConsoleTenant(t, in, map[string]string{"plain": ""})
		_, app := in.TenantWithAdminIn(tn, "User.Read.All", "AuditLog.Read.All")
		b := e2etest.ConsoleSignIn(t, in, tn, "plain")
		invite := func(addr string) e2etest.Page {
			return e2etest.ConsolePost(t, in, b, tn, "/invite", "/invite", map[string]string{"email": addr, "redirectUrl": "https://app.example/"})
		}
		if p := invite("first@partner.example"); p.Status != http.StatusOK || !strings.Contains(p.Body, "first@partner.example was invited.") {
			t.Fatalf("the member's first invitation = %d\n%s", p.Status, p.Body)
		}

		const rows = 25
		status := in.URL + bulkUpload(t, b, in.URL, tn, bulkCSV(rows, "partner.example"))
		p, n := waitBulkStopped(t, b, status, 0)
		if n != 9 || !strings.Contains(p.Body, "Waiting: the invitations of plain reached the organization&#39;s write limit. The rest of the file will be invited in 3 minutes") {
			t.Fatalf("after the first window: %d rows done, want 9 (the single invitation took the tenth) and the page saying it waits\n%s", n, p.Body)
		}
		if p := bulkPost(t, b, in.URL, tn, bulkCSV(1, "other.example")); p.Status != http.StatusTooManyRequests ||
			!strings.Contains(p.Body, "This organization has reached its limit of bulk invitations waiting or in progress (1).") {
			t.Fatalf("a second upload while one waits = %d, want 429 with the queue's message\n%s", p.Status, p.Body)
		}
		if p := invite("second@partner.example"); p.Status != http.StatusTooManyRequests || p.Header.Get("Retry-After") != "150" ||
			!strings.Contains(p.Body, "Try again in 3 minutes.") {
			t.Fatalf("a single invitation past the limit = %d (Retry-After %q), want 429\n%s", p.Status, p.Header.Get("Retry-After"), p.Body)
		}

		fake.Advance(consoleWriteWindow)
		if _, n := waitBulkStopped(t, b, status, 9); n != 19 {
			t.Fatalf("after the second window: %d rows done, want 19", n)
		}
		fake.Advance(consoleWriteWindow)
		if p, _ := waitBulkStopped(t, b, status, 19); !strings.Contains(p.Body, fmt.Sprintf("All %d rows are done: %d invited, 0 failed.", rows, rows)) {
			t.Fatalf("after the third window:\n%s", p.Body)
		}
		invited := invitationsByAddress(t, app, in.URL)
		for i := range rows {
			if addr := fmt.Sprintf("guest%04d@partner.example", i); invited[addr] != 1 {
				t.Errorf("%s invited %d times, want once", addr, invited[addr])
			}
		}
		if invited["first@partner.example"] != 1 || len(invited) != rows+1 {
			t.Errorf("invited %v, want the %d rows and the first single invitation", invited, rows)
		}
	})
}

// TestConsoleInvitationsFollowAllowInvitesFrom (security round 2, finding
// 6; R10): the console invites under the tenant's allowInvitesFrom as the
// API does. Once it no longer lets members without a role invite, such a
// member's single invitation, resend and upload are refused, and the rows
// of their bulk invitation still waiting for the write limit are not
// invited; once it lets no one invite, a Global Administrator's console
// invitations, resends, redemption resets and uploads are refused.
func TestConsoleInvitationsFollowAllowInvitesFrom(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in, fake := limitedConsole(t, dsn, 3, 5)
		tn, _ := e2etest.ConsoleTenant(t, in, map[string]string{"plain": ""})
		_, app := in.TenantWithAdminIn(tn, "Policy.ReadWrite.Authorization", "User.Read.All", "AuditLog.Read.All")
		target, err := in.Srv.Invite(context.Background(), tn, invitation.Request{Email: "target@partner.example", RedirectURL: "https://app.example/"})
		if err != nil {
			t.Fatal(err)
		}
		b := e2etest.ConsoleSignIn(t, in, tn, "plain")
		status := in.URL + bulkUpload(t, b, in.URL, tn, bulkCSV(6, "partner.example"))
		if _, n := waitBulkStopped(t, b, status, 0); n != 3 {
			t.Fatalf("%d rows done, want 3 before the job waits", n)
		}
		if s := e2etest.API(t, app, http.MethodPatch, in.URL+"/v1.0/policies/authorizationPolicy", map[string]any{"allowInvitesFrom": "adminsAndGuestInviters"}, nil); s != http.StatusNoContent {
			t.Fatalf("PATCH authorizationPolicy = %d", s)
		}
		forbidden := func(what string, p e2etest.Page) {
			t.Helper()
			if p.Status != http.StatusForbidden {
				t.Fatalf("%s by a member without a role under adminsAndGuestInviters = %d, want 403\n%s", what, p.Status, p.Body)
			}
		}
		forbidden("invite", e2etest.ConsolePost(t, in, b, tn, "/invite", "/invite", map[string]string{"email": "kim@partner.example", "redirectUrl": "https://app.example/"}))
		forbidden("resend", e2etest.ConsolePost(t, in, b, tn, "/users/"+target.User.ID, "/users/"+target.User.ID+"/resend", nil))
		forbidden("bulk upload", bulkPost(t, b, in.URL, tn, bulkCSV(1, "other.example")))

		fake.Advance(consoleWriteWindow)
		p, _ := waitBulkStopped(t, b, status, 3)
		if !strings.Contains(p.Body, "All 6 rows are done: 3 invited, 3 failed.") ||
			strings.Count(p.Body, "Not invited: the member who uploaded the file may no longer invite guests.") != 3 {
			t.Fatalf("the job after the change:\n%s", p.Body)
		}
		invited := invitationsByAddress(t, app, in.URL)
		if len(invited) != 4 || invited["target@partner.example"] != 1 || invited["guest0002@partner.example"] != 1 || invited["guest0003@partner.example"] != 0 {
			t.Fatalf("invited %v, want the target and the first three rows", invited)
		}

		// With invitations off, a Global Administrator's console invites
		// nothing either, a redemption reset included (as the API's POST
		// /v1.0/invitations with resetRedemption for a delegated caller).
		if s := e2etest.API(t, app, http.MethodPatch, in.URL+"/v1.0/policies/authorizationPolicy", map[string]any{"allowInvitesFrom": "none"}, nil); s != http.StatusNoContent {
			t.Fatalf("PATCH authorizationPolicy = %d", s)
		}
		ga := e2etest.ConsoleSignIn(t, in, tn, "admin")
		user := "/users/" + target.User.ID
		for what, p := range map[string]e2etest.Page{
			"invite": e2etest.ConsolePost(t, in, ga, tn, "/invite", "/invite", map[string]string{"email": "kim@partner.example", "redirectUrl": "https://app.example/"}),
			"resend": e2etest.ConsolePost(t, in, ga, tn, user, user+"/resend", nil),
			"reset":  e2etest.ConsolePost(t, in, ga, tn, user+"/reset", user+"/reset", nil),
			"upload": bulkPost(t, ga, in.URL, tn, bulkCSV(1, "other.example")),
		} {
			if p.Status != http.StatusForbidden {
				t.Errorf("%s by a Global Administrator with invitations off = %d, want 403\n%s", what, p.Status, p.Body)
			}
		}
		if n := len(invitationsByAddress(t, app, in.URL)); n != 4 {
			t.Fatalf("%d addresses invited after invitations were turned off, want still 4", n)
		}
	})
}

// TestConsoleActionsAuditTheMember (security round 2, finding 9): every
// console action that writes an audit record names the member who acted
// as its initiator (initiatedBy.user with id, userPrincipalName and
// displayName, no app), invitations included: single, resend and bulk;
// and the audit page shows the member in its User column.
func TestConsoleActionsAuditTheMember(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		in := e2etest.Start(t, e2etest.StartOptions{DSN: dsn})
		ctx := context.Background()
		tn, people := e2etest.ConsoleTenant(t, in, nil)
		admin := people["admin"]
		_, app := in.TenantWithAdminIn(tn, "User.Read.All", "AuditLog.Read.All")
		before := map[string]bool{}
		for _, rec := range directoryAudits(t, app, in.URL, "") {
			before[rec["id"].(string)] = true
		}

		b := e2etest.ConsoleSignIn(t, in, tn, "admin")
		base := "/" + tn.ID + "/admin"
		if p := e2etest.ConsolePost(t, in, b, tn, "/invite", "/invite", map[string]string{"email": "kim@partner.example", "redirectUrl": "https://app.example/"}); p.Status != http.StatusOK {
			t.Fatalf("invite = %d\n%s", p.Status, p.Body)
		}
		kim, err := in.Srv.DB().GetUserByMail(ctx, tn.ID, "kim@partner.example")
		if err != nil {
			t.Fatal(err)
		}
		waitBulkDone(t, b, in.URL+bulkUpload(t, b, in.URL, tn, bulkCSV(2, "partner.example")))
		user := "/users/" + kim.ID
		for _, step := range []struct{ path, action string }{
			{user, user + "/resend"}, {user + "/reset", user + "/reset"}, {user, user + "/revoke"}, {user, user + "/disable"}, {user, user + "/enable"},
		} {
			if p := e2etest.ConsolePost(t, in, b, tn, step.path, step.action, nil); p.Status != http.StatusSeeOther {
				t.Fatalf("%s = %d\n%s", step.action, p.Status, p.Body)
			}
		}
		if p := e2etest.ConsolePost(t, in, b, tn, "/collaboration", "/collaboration", map[string]string{"allowInvitesFrom": string(collab.InvitesAdminsInvitersMembers),
			"guestUserRoleId": collab.GuestRoleLimited, "domainMode": string(collab.DomainsAny), "domains": ""}); p.Status != http.StatusSeeOther {
			t.Fatalf("collaboration = %d\n%s", p.Status, p.Body)
		}
		confirm := e2etest.ConsolePost(t, in, b, tn, "/identity-providers/email-otp", "/identity-providers/email-otp", map[string]string{"value": "disabled"})
		if p := b.Submit(in.URL, confirm, base+"/identity-providers/email-otp/save", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("email OTP policy = %d\n%s", p.Status, p.Body)
		}
		if p := e2etest.ConsolePost(t, in, b, tn, user+"/delete", user+"/delete", nil); p.Status != http.StatusSeeOther {
			t.Fatalf("delete = %d\n%s", p.Status, p.Body)
		}

		activities := map[string]int{}
		for _, rec := range directoryAudits(t, app, in.URL, "") {
			if before[rec["id"].(string)] {
				continue
			}
			activities[rec["activityDisplayName"].(string)]++
			by, _ := rec["initiatedBy"].(map[string]any)
			u, _ := by["user"].(map[string]any)
			if u == nil || u["id"] != admin.ID || u["userPrincipalName"] != "admin@fabrikam.example" || u["displayName"] != "Avery Admin" || by["app"] != nil {
				t.Errorf("%s: initiatedBy %v, want the member %s", rec["activityDisplayName"], by, admin.ID)
			}
		}
		t.Logf("console actions audited: %v", activities)
		if activities[invitation.ActivityInvite] != 4 || len(activities) < 6 {
			t.Fatalf("audited %v, want 4 invitations (single, resend, two rows) and the other actions", activities)
		}

		page := b.Get(in.URL + base + "/logs/audit?" + url.Values{"activity": {invitation.ActivityInvite}, "format": {"csv"}}.Encode())
		recs, err := csv.NewReader(strings.NewReader(page.Body)).ReadAll()
		// The four invitations and the reset ("Invite external user with
		// reset invitation status"), under the header.
		if page.Status != http.StatusOK || err != nil || len(recs) != 6 {
			t.Fatalf("the audit page's invitations = %d: %d records, %v\n%s", page.Status, len(recs), err, page.Body)
		}
		for _, r := range recs[1:] {
			if r[1] != "admin@fabrikam.example" {
				t.Errorf("audit page row %v: User %q, want the member", r, r[1])
			}
		}
	})
}

// directoryAudits returns the tenant's audit records through the API,
// every page, filtered by filter ("" for all).
func directoryAudits(t *testing.T, app *http.Client, base, filter string) []map[string]any {
	t.Helper()
	next := base + "/v1.0/auditLogs/directoryAudits"
	if filter != "" {
		next += "?$filter=" + url.QueryEscape(filter)
	}
	var out []map[string]any
	for next != "" {
		var page struct {
			Value []map[string]any `json:"value"`
			Next  string           `json:"@odata.nextLink"`
		}
		if s := e2etest.API(t, app, http.MethodGet, next, nil, &page); s != http.StatusOK {
			t.Fatalf("GET %s = %d", next, s)
		}
		out = append(out, page.Value...)
		next = page.Next
	}
	return out
}
