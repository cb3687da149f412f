package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// bulkCSV is the template with n guests of domain, without mail.
func bulkCSV(n int, domain string) string {
	var sb strings.Builder
	sb.WriteString("version:v1.0\n" + "Email address to invite [inviteeEmail] Required,Redirection url [inviteRedirectURL] Required," +
		"Send invitation message (true or false) [sendEmail],Customized invitation message [customizedMessageBody]\n")
	for i := range n {
		fmt.Fprintf(&sb, "guest%04d@%s,https://app.example/,false,Welcome\n", i, domain)
	}
	return sb.String()
}

var bulkFormRe = regexp.MustCompile(`(?s)<form method="post" action="([^"]*/invite/bulk)" enctype="multipart/form-data">(.*?)</form>`)

// bulkUpload posts file through the Invite page's bulk form at base and
// returns the path of the job's status page.
func bulkUpload(t *testing.T, b *e2etest.Browser, base string, tn directory.Tenant, file string) string {
	t.Helper()
	res := bulkPost(t, b, base, tn, file)
	if res.Status != http.StatusSeeOther || !strings.Contains(res.Location, "/admin/invite/bulk/") {
		t.Fatalf("bulk upload = %d → %q\n%s", res.Status, res.Location, res.Body)
	}
	return res.Location
}

// bulkPost posts file through the Invite page's bulk form at base and
// returns the answer.
func bulkPost(t *testing.T, b *e2etest.Browser, base string, tn directory.Tenant, file string) e2etest.Page {
	t.Helper()
	p := b.Get(base + "/" + tn.ID + "/admin/invite")
	m := bulkFormRe.FindStringSubmatch(p.Body)
	if p.Status != http.StatusOK || m == nil {
		t.Fatalf("the Invite page = %d, without the bulk form\n%s", p.Status, p.Body)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, h := range e2etest.HiddenRe.FindAllStringSubmatch(m[2], -1) {
		_ = mw.WriteField(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	fw, _ := mw.CreateFormFile("file", "invite.csv")
	_, _ = io.WriteString(fw, file)
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+html.UnescapeString(m[1]), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", base)
	return b.Do(req)
}

var progressRe = regexp.MustCompile(`<progress id="progress" max="(\d+)" value="(\d+)">`)

// bulkDone reads a status page: rows done, and whether the job finished.
func bulkDone(t *testing.T, p e2etest.Page) (int, bool) {
	t.Helper()
	if p.Status != http.StatusOK {
		t.Fatalf("bulk status page = %d\n%s", p.Status, p.Body)
	}
	if strings.Contains(p.Body, `id="bulk-done"`) {
		return -1, true
	}
	m := progressRe.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("bulk status page without progress:\n%s", p.Body)
	}
	n, _ := strconv.Atoi(m[2])
	return n, false
}

// waitBulkDone polls the status page at u until the job is finished.
func waitBulkDone(t *testing.T, b *e2etest.Browser, u string) e2etest.Page {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		p := b.Get(u)
		if _, done := bulkDone(t, p); done {
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("the bulk invitation at %s is not finished\n%s", u, p.Body)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// bulkResults downloads the results CSV and checks every row succeeded.
func bulkResults(t *testing.T, b *e2etest.Browser, u string, rows int) {
	t.Helper()
	p := b.Get(u)
	recs, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
	if p.Status != http.StatusOK || err != nil || len(recs) != rows+1 {
		t.Fatalf("results CSV at %s = %d: %d records, %v", u, p.Status, len(recs), err)
	}
	for i, r := range recs[1:] {
		if r[0] != fmt.Sprintf("guest%04d@partner.example", i) || r[4] != "Success" || r[6] == "" {
			t.Fatalf("result row %d: %v", i, r)
		}
	}
}

// guestCount is the tenant's guests as the API counts them.
func guestCount(t *testing.T, app *http.Client, base string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/v1.0/users/$count?$filter="+url.QueryEscape("userType eq 'Guest'"), nil)
	req.Header.Set("ConsistencyLevel", "eventual")
	resp, err := app.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(raw))
}

// invitationsByAddress counts the tenant's invitations per address in the
// audit log, through the API.
func invitationsByAddress(t *testing.T, app *http.Client, base string) map[string]int {
	t.Helper()
	out := map[string]int{}
	next := base + "/v1.0/auditLogs/directoryAudits?$filter=" + url.QueryEscape("activityDisplayName eq 'Invite external user'")
	for next != "" {
		var page struct {
			Value []struct {
				AdditionalDetails []struct{ Key, Value string } `json:"additionalDetails"`
			} `json:"value"`
			Next string `json:"@odata.nextLink"`
		}
		if s := e2etest.API(t, app, http.MethodGet, next, nil, &page); s != http.StatusOK {
			t.Fatalf("GET %s = %d", next, s)
		}
		for _, rec := range page.Value {
			for _, kv := range rec.AdditionalDetails {
				if kv.Key == "invitedUserEmailAddress" {
					out[kv.Value]++
				}
			}
		}
		next = page.Next
	}
	return out
}

// TestConsoleBulkInviteAnyInstance: two guestgate processes on one
// database, as behind a load balancer without sticky sessions. A bulk
// invitation uploaded to the first shows its progress, then its results
// and its results CSV, through the second; another tenant's admin gets a
// 404 page for it.
func TestConsoleBulkInviteAnyInstance(t *testing.T) {
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		smtp := mailtest.Start(t)
		first := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Mail: smtp})
		second := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Mail: smtp})
		tn, _ := e2etest.ConsoleTenant(t, first, nil)
		_, app := second.TenantWithAdminIn(tn, "User.Read.All")
		b := e2etest.ConsoleSignIn(t, first, tn, "admin")
		const rows = 120
		status := bulkUpload(t, b, first.URL, tn, bulkCSV(rows, "partner.example"))
		if _, done := bulkDone(t, b.Get(second.URL+status)); done {
			t.Logf("the job finished before the second process was asked")
		}
		p := waitBulkDone(t, b, second.URL+status)
		if !strings.Contains(p.Body, fmt.Sprintf("All %d rows are done: %d invited, 0 failed.", rows, rows)) ||
			strings.Count(p.Body, "<td>Invited</td>") != rows || !strings.Contains(p.Body, "The results are kept for 7 days.") {
			t.Fatalf("results page on the second process:\n%s", p.Body)
		}
		bulkResults(t, b, second.URL+status+"/results.csv", rows)
		if n := guestCount(t, app, second.URL); n != fmt.Sprint(rows) {
			t.Fatalf("guests in the API: %s, want %d", n, rows)
		}

		other, _, err := second.Srv.CreateTenantWithAdmin(context.Background(), directory.NewTenantRequest{Name: "Contoso", Domains: []string{"contoso.example"}},
			member.NewMember{UserPrincipalName: "admin@contoso.example", DisplayName: "Casey Admin", Password: e2etest.ConsolePassword})
		if err != nil {
			t.Fatal(err)
		}
		ob := e2etest.NewBrowser(t)
		signin := ob.Get(second.URL + "/" + other.ID + "/admin/signin")
		if done := ob.Submit(second.URL, signin, "/"+other.ID+"/admin/signin", map[string]string{"email": "admin@contoso.example", "password": e2etest.ConsolePassword}); done.Status != http.StatusSeeOther {
			t.Fatalf("sign-in of the other tenant's admin = %d", done.Status)
		}
		jobID := status[strings.LastIndexByte(status, '/')+1:]
		for _, path := range []string{"", "/results.csv"} {
			if p := ob.Get(second.URL + "/" + other.ID + "/admin/invite/bulk/" + jobID + path); p.Status != http.StatusNotFound {
				t.Fatalf("another tenant's admin asks for the job%s: %d, want 404", path, p.Status)
			}
		}
	})
}

// TestConsoleBulkInviteResumedAfterKill: the process working on a bulk
// invitation is killed (SIGKILL) in the middle of it. A process started
// after the worker's lease has run out (its clock is that much ahead)
// resumes the job at start, and the API shows every guest invited exactly
// once; the results are read through a third process.
func TestConsoleBulkInviteResumedAfterKill(t *testing.T) {
	e2etest.GuestgateBinary(t) // build before the clock starts
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		smtp := mailtest.Start(t)
		reader := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Mail: smtp})
		tn, _ := e2etest.ConsoleTenant(t, reader, nil)
		_, app := reader.TenantWithAdminIn(tn, "User.Read.All", "AuditLog.Read.All")
		proc := e2etest.ServeProcess(t, []string{
			"GUESTGATE_DATABASE_URL=" + dsn, "GUESTGATE_SMTP_URL=" + smtp.URL(), "GUESTGATE_MAIL_FROM=guestgate@guestgate.test",
			"GUESTGATE_SECRET=" + reader.Config.Secret, "GUESTGATE_LOG_LEVEL=warn",
		}, e2etest.FreeAddr(t))
		b := e2etest.ConsoleSignIn(t, &e2etest.Instance{T: t, URL: proc.URL}, tn, "admin")
		const rows = 1000
		status := bulkUpload(t, b, proc.URL, tn, bulkCSV(rows, "partner.example"))
		deadline := time.Now().Add(time.Minute)
		for {
			n, done := bulkDone(t, b.Get(proc.URL+status))
			if done {
				t.Fatalf("the job finished before the kill; it needs more rows")
			}
			if n >= 20 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d rows done after a minute", n)
			}
			time.Sleep(5 * time.Millisecond)
		}
		proc.Kill()

		jobID := status[strings.LastIndexByte(status, '/')+1:]
		db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		j, p, err := db.GetBulkJob(context.Background(), tn.ID, jobID)
		db.Close()
		if err != nil || j.Finished() || p.Done() < 20 || p.Done() >= rows || p.Failed != 0 {
			t.Fatalf("the job after the kill: %+v %+v %v, want it part done", j, p, err)
		}
		t.Logf("killed with %d of %d rows done", p.Done(), rows)

		resumer := e2etest.Start(t, e2etest.StartOptions{DSN: dsn, Mail: smtp, Clock: clock.NewFake(j.LeaseUntil.Add(time.Second))})
		done := waitBulkDone(t, b, resumer.URL+status)
		if !strings.Contains(done.Body, fmt.Sprintf("All %d rows are done: %d invited, 0 failed.", rows, rows)) {
			t.Fatalf("results page:\n%s", done.Body)
		}
		bulkResults(t, b, reader.URL+status+"/results.csv", rows)
		if n := guestCount(t, app, reader.URL); n != fmt.Sprint(rows) {
			t.Fatalf("guests in the API: %s, want %d", n, rows)
		}
		invited := invitationsByAddress(t, app, reader.URL)
		for i := range rows {
			if addr := fmt.Sprintf("guest%04d@partner.example", i); invited[addr] != 1 {
				t.Errorf("%s invited %d times, want once", addr, invited[addr])
			}
		}
		if len(invited) != rows {
			t.Errorf("%d addresses invited, want %d", len(invited), rows)
		}
	})
}
