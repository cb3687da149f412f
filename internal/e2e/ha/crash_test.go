package ha

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// Crash test figures: a burst of invitations through the admin API and
// concurrent passcode sign-ins, the process killed with SIGKILL mid-burst.
const (
	crashInvitations = 500
	crashSignIns     = 16
	crashKillAfter   = 250 // acknowledged invitations before the kill
	crashWorkers     = 16  // concurrent admin API clients
)

// TestMailDeliveryAfterKill starts guestgate serve as its own process,
// runs crashInvitations invitations and crashSignIns passcode sign-ins
// against a real SMTP server, kills the process with SIGKILL mid-burst,
// starts a new one on the same database, finishes the burst, and checks
// that every acknowledged mail (a 201 invitation, an answered Send code)
// arrives: none lost. Mail sent twice (the killed process sent it but had
// not recorded the send) is counted and reported, not failed: delivery is
// at least once. It also reports the longest wait from acknowledgement to
// arrival. docs/security.md ("Delivery after a crash") quotes a run.
func TestMailDeliveryAfterKill(t *testing.T) {
	e2etest.GuestgateBinary(t) // build before the clock starts
	e2etest.ForEngine(t, func(t *testing.T, dsn string) {
		begin := time.Now()
		smtp := mailtest.Start(t)
		env := []string{
			"GUESTGATE_DATABASE_URL=" + dsn, "GUESTGATE_SMTP_URL=" + smtp.URL(),
			"GUESTGATE_MAIL_FROM=guestgate@guestgate.test", "GUESTGATE_SECRET=crash-test-secret-0123456789abcdef0123",
			"GUESTGATE_LOG_LEVEL=warn",
		}
		var tenant struct{ ID string }
		if err := json.Unmarshal([]byte(e2etest.RunCLI(t, env, "tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")), &tenant); err != nil || tenant.ID == "" {
			t.Fatalf("tenant create: %v", err)
		}
		var app struct{ AppID, ClientSecret string }
		if err := json.Unmarshal([]byte(e2etest.RunCLI(t, env, "app", "create", "--tenant", tenant.ID, "--name", "Invite bot",
			"--permission", "User.Invite.All", "--output", "json")), &app); err != nil || app.ClientSecret == "" {
			t.Fatalf("app create: %v", err)
		}
		addr := e2etest.FreeAddr(t)
		proc := e2etest.ServeProcess(t, env, addr)
		base := proc.URL
		cc := clientcredentials.Config{ClientID: app.AppID, ClientSecret: app.ClientSecret,
			TokenURL: base + "/" + tenant.ID + "/oauth2/v2.0/token", Scopes: []string{"https://graph.microsoft.com/.default"}}
		admin := cc.Client(context.Background())
		admin.Timeout = 10 * time.Second

		// The guests who sign in: invited without mail, so every mail to
		// them is a passcode.
		links := make([]string, crashSignIns)
		for i := range links {
			l, err := invite(admin, base, fmt.Sprintf("signin%02d@gmail.example", i), false)
			if err != nil {
				t.Fatal(err)
			}
			links[i] = l
		}

		var (
			mu    sync.Mutex
			acked = map[string]time.Time{} // recipient → acknowledgement of its mail
		)
		ack := func(to string, at time.Time) {
			mu.Lock()
			acked[to] = at
			mu.Unlock()
		}
		var (
			next, ok       atomic.Int64
			signInsStarted = make(chan struct{})
			refused        atomic.Int64 // invitations not acknowledged (the process was down)
			signInsDone    atomic.Int64
			wg             sync.WaitGroup
			killAt         time.Time
		)
		burst := func() {
			for {
				i := next.Add(1)
				if i > crashInvitations {
					return
				}
				to := fmt.Sprintf("guest%03d@gmail.example", i)
				for {
					_, err := invite(admin, base, to, true)
					if err == nil {
						break
					}
					// The process is down (or died answering): ask the new one.
					refused.Add(1)
					time.Sleep(10 * time.Millisecond)
				}
				ack(to, time.Now())
				switch ok.Add(1) {
				case crashKillAfter - 50:
					close(signInsStarted)
				}
			}
		}
		for range crashWorkers {
			wg.Go(burst)
		}
		for i, link := range links {
			wg.Go(func() {
				<-signInsStarted
				to := fmt.Sprintf("signin%02d@gmail.example", i)
				if err := passcodeSignIn(smtp, link, to, func(at time.Time) { ack(to, at) }); err != nil {
					t.Errorf("sign-in of %s: %v", to, err)
					return
				}
				signInsDone.Add(1)
			})
		}

		// Kill mid-burst, while sign-ins are under way; start a new process
		// on the same database and address at once.
		for ok.Load() < crashKillAfter {
			time.Sleep(time.Millisecond)
		}
		proc.Kill()
		killAt = time.Now()
		ackedAtKill := ok.Load()
		proc = e2etest.ServeProcess(t, env, addr)
		restartedIn := time.Since(killAt)
		wg.Wait()

		// Every acknowledged mail arrives; then the outbox drains, so a
		// late duplicate (re-sent after the dead process's lease) is
		// counted too.
		mu.Lock()
		want := make(map[string]time.Time, len(acked))
		for k, v := range acked {
			want[k] = v
		}
		mu.Unlock()
		deadline := time.Now().Add(90 * time.Second)
		var missing []string
		for {
			missing = missing[:0]
			got := map[string]bool{}
			for _, m := range smtp.Messages() {
				for _, to := range m.To {
					got[to] = true
				}
			}
			for to := range want {
				if !got[to] {
					missing = append(missing, to)
				}
			}
			if len(missing) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			t.Fatalf("%d acknowledged mails lost (never arrived): %v\nprocess log:\n%s", len(missing), missing, proc.Logs())
		}
		waitDrained(t, dsn)
		proc.Stop()

		// Figures.
		byID := map[string]int{}
		var longest, longestAfterKill time.Duration
		first := map[string]time.Time{}
		for _, m := range smtp.Messages() {
			byID[m.MessageID()]++
			for _, to := range m.To {
				if at, seen := first[to]; !seen || m.At.Before(at) {
					first[to] = m.At
				}
			}
		}
		for to, ackAt := range want {
			w := first[to].Sub(ackAt)
			longest = max(longest, w)
			if ackAt.Before(killAt) && first[to].After(killAt) {
				longestAfterKill = max(longestAfterKill, w)
			}
		}
		dups := 0
		for _, n := range byID {
			dups += n - 1
		}
		invitations := 0
		for to := range want {
			if strings.HasPrefix(to, "guest") {
				invitations++
			}
		}
		t.Logf("%s: %d invitations acknowledged (%d at the kill; %d requests retried while no process answered), %d passcode sign-ins completed of %d; "+
			"killed after %d acknowledged, new process ready in %v; %d mails received, 0 lost, %d duplicates; "+
			"longest wait from acknowledgement to arrival %v (%v for mail the killed process held); whole run %v",
			t.Name(), invitations, ackedAtKill, refused.Load(), signInsDone.Load(), crashSignIns,
			ackedAtKill, restartedIn.Round(time.Millisecond), len(smtp.Messages()), dups,
			longest.Round(time.Millisecond), longestAfterKill.Round(time.Millisecond), time.Since(begin).Round(time.Second))
		if invitations != crashInvitations {
			t.Errorf("%d invitations acknowledged, want all %d (refused ones are retried)", invitations, crashInvitations)
		}
		if n := signInsDone.Load(); n != crashSignIns {
			t.Errorf("%d of %d sign-ins completed", n, crashSignIns)
		}
	})
}

// waitDrained waits until no mail waits in the outbox of dsn.
func waitDrained(t *testing.T, dsn string) {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		n, _, err := db.OutboxDepth(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d mails still waiting in the outbox", n)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// invite posts one invitation and returns its redeem URL.
func invite(c *http.Client, base, to string, send bool) (string, error) {
	body := fmt.Sprintf(`{"invitedUserEmailAddress":%q,"inviteRedirectUrl":"https://apps.fabrikam.example/","sendInvitationMessage":%t}`, to, send)
	resp, err := c.Post(base+"/v1.0/invitations", "application/json", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("invite %s = %d %s", to, resp.StatusCode, raw)
	}
	var inv struct{ InviteRedeemURL string }
	if err := json.Unmarshal(raw, &inv); err != nil {
		return "", err
	}
	return inv.InviteRedeemURL, nil
}

// passcodeSignIn redeems an invitation with a passcode as a browser
// would, retrying each step while the process is down; sent is called
// when Send code is answered (the passcode mail is then acknowledged).
func passcodeSignIn(smtp *mailtest.Server, link, to string, sent func(time.Time)) error {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, err := url.Parse(link)
	if err != nil {
		return err
	}
	base := u.Scheme + "://" + u.Host
	deadline := time.Now().Add(90 * time.Second)
	// do retries a request until the process answers.
	do := func(method, target string, form url.Values) (*http.Response, string, error) {
		for {
			var body io.Reader
			if form != nil {
				body = strings.NewReader(form.Encode())
			}
			req, _ := http.NewRequest(method, target, body)
			req.Header.Set("Accept-Language", "en")
			if form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", base)
			}
			resp, err := c.Do(req)
			if err == nil {
				raw, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				return resp, string(raw), nil
			}
			if time.Now().After(deadline) {
				return nil, "", err
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	formOf := func(page, action string) (url.Values, error) {
		for _, m := range e2etest.FormRe.FindAllStringSubmatch(page, -1) {
			if html.UnescapeString(m[1]) != action {
				continue
			}
			v := url.Values{}
			for _, h := range e2etest.HiddenRe.FindAllStringSubmatch(m[2], -1) {
				v.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
			}
			return v, nil
		}
		return nil, fmt.Errorf("no form posting to %s", action)
	}

	_, start, err := do(http.MethodGet, link, nil)
	if err != nil {
		return err
	}
	f, err := formOf(start, "/redeem/send")
	if err != nil {
		return err
	}
	resp, _, err := do(http.MethodPost, base+"/redeem/send", f)
	if err != nil {
		return err
	}
	codeURL := base + "/redeem/code?" + u.RawQuery
	if resp.StatusCode == http.StatusSeeOther {
		sent(time.Now())
		codeURL = base + resp.Header.Get("Location")
	}
	// Otherwise the killed process may have committed the code and died
	// before answering; a resend is then throttled, and that first code's
	// mail is the one to use.
	_, codePage, err := do(http.MethodGet, codeURL, nil)
	if err != nil {
		return err
	}
	// A Send code retried across the kill may have issued a second code,
	// voiding the first: try the codes received, newest first, waiting for
	// another mail when none works yet.
	tried := map[string]bool{}
	for {
		var codes []string
		for _, m := range smtp.Messages() {
			if c := e2etest.CodeRe.FindStringSubmatch(m.Text); c != nil && mailtest.To(to)(m) && !tried[c[1]] {
				codes = append([]string{c[1]}, codes...)
			}
		}
		if len(codes) == 0 {
			if time.Now().After(deadline) {
				return fmt.Errorf("no passcode mail with a new code (%d tried)", len(tried))
			}
			time.Sleep(20 * time.Millisecond)
			continue
		}
		tried[codes[0]] = true
		f, err = formOf(codePage, "/redeem/verify")
		if err != nil {
			return err
		}
		f.Set("code", codes[0])
		if resp, _, err = do(http.MethodPost, base+"/redeem/verify", f); err != nil {
			return err
		}
		if resp.StatusCode == http.StatusSeeOther {
			break
		}
		if len(tried) >= 3 {
			return fmt.Errorf("verify = %d with each of %d codes", resp.StatusCode, len(tried))
		}
	}
	consentURL := resp.Header.Get("Location")
	_, review, err := do(http.MethodGet, base+consentURL, nil)
	if err != nil {
		return err
	}
	f, err = formOf(review, consentURL+"/accept")
	if err != nil {
		return err
	}
	resp, _, err = do(http.MethodPost, base+consentURL+"/accept", f)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "https://apps.fabrikam.example/") {
		return fmt.Errorf("accept = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return nil
}
