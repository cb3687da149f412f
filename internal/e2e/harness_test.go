package e2e

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/server"
	"github.com/guestgate/guestgate/internal/testenv"
)

// running is a serving process and the operator's operations over its
// store (what the CLI would do beside it).
type running struct {
	*server.Server
	*admin.Operator
}

// instance is one running guestgate with its SMTP peer.
type instance struct {
	t    *testing.T
	srv  running
	URL  string
	Mail *mailtest.Server
	cfg  server.Config
	stop func()
}

type startOptions struct {
	dsn   string
	clock clock.Clock
	mail  *mailtest.Server
	// configure, if set, adjusts the configuration before the start.
	configure func(*server.Config)
	// addr, if set, is the address to listen on (a restart at the same URL).
	addr string
	// logs, if set, receives the server's log (text, every level).
	logs io.Writer
	// bulkSweep, if set, is how often bulk invitations are swept.
	bulkSweep time.Duration
	// inactivePolicy, if set, is how often inactive-guest policies run.
	inactivePolicy time.Duration
}

// start runs guestgate on the engine until the test ends.
func start(t *testing.T, o startOptions) *instance {
	t.Helper()
	addr := o.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if o.mail == nil {
		o.mail = mailtest.Start(t)
	}
	cfg := server.Defaults()
	cfg.DatabaseURL = o.dsn
	cfg.PublicURL = "http://" + ln.Addr().String()
	cfg.Listen = ln.Addr().String()
	cfg.SMTPURL = o.mail.URL()
	cfg.MailFrom = "guestgate@guestgate.test"
	cfg.Secret = "e2e-secret-0123456789abcdef0123456789"
	if o.configure != nil {
		o.configure(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if o.logs != nil {
		log = slog.New(slog.NewTextHandler(o.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := server.Open(context.Background(), cfg, server.Options{Logger: log, Clock: o.clock, Listener: ln, BulkSweepInterval: o.bulkSweep, InactivePolicyInterval: o.inactivePolicy})
	if err != nil {
		t.Fatal(err)
	}
	ops, err := srv.Base().Operator()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	in := &instance{t: t, srv: running{srv, ops}, URL: cfg.PublicURL, Mail: o.mail, cfg: cfg}
	var once bool
	in.stop = func() {
		if once {
			return
		}
		once = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("guestgate stopped with %v", err)
		}
		srv.Close()
	}
	t.Cleanup(in.stop)
	return in
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// forEngine runs fn as a subtest on SQLite and on PostgreSQL.
func forEngine(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.DSN(t)) })
	}
}

// tenantWithAdmin creates a tenant and an app holding perms, and returns
// an HTTP client that calls the admin API with a client-credentials token.
func (in *instance) tenantWithAdmin(name, domain string, perms ...string) (directory.Tenant, *http.Client) {
	in.t.Helper()
	ctx := context.Background()
	tn, err := in.srv.CreateTenant(ctx, directory.NewTenantRequest{Name: name, Domains: []string{domain}})
	if err != nil {
		in.t.Fatal(err)
	}
	app, secret, err := in.srv.CreateApp(ctx, tn.ID, name+" admin", perms, nil, nil, false)
	if err != nil {
		in.t.Fatal(err)
	}
	cc := clientcredentials.Config{
		ClientID: app.AppID, ClientSecret: secret,
		TokenURL: in.URL + "/" + tn.ID + "/oauth2/v2.0/token",
		Scopes:   []string{"https://graph.microsoft.com/.default"},
	}
	return tn, cc.Client(ctx)
}

// graphCall sends body (a JSON value, or raw JSON text when a string) and
// returns the status, the headers and the raw answer.
func graphCall(t *testing.T, c *http.Client, method, u string, body any) (int, http.Header, []byte) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		r = strings.NewReader(string(raw))
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, raw
}

// api sends a JSON request to the admin API and decodes the answer into out.
func api(t *testing.T, c *http.Client, method, u string, body any, out any) int {
	t.Helper()
	status, _, raw := graphCall(t, c, method, u, body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, u, raw, err)
		}
	}
	return status
}

// browser is a cookie-keeping HTTP client that does not follow redirects,
// so tests see each step.
type browser struct {
	t *testing.T
	c *http.Client
}

func newBrowser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a fetched page.
type page struct {
	// PostedTo is the enter-code page a form post redirected to (and the
	// page is that page's), else "".
	PostedTo string
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	req.Header.Set("Accept-Language", "en")
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return page{Status: resp.StatusCode, Body: string(raw), Location: resp.Header.Get("Location"), Header: resp.Header}
}

func (b *browser) get(u string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.do(req)
}

// submit posts the form with the given button id (or the first form) of p,
// adding fields, to the form's action resolved against base.
func (b *browser) submit(base string, p page, formAction string, fields map[string]string) page {
	b.t.Helper()
	form := formValues(b.t, p.Body, formAction)
	for k, v := range fields {
		form.Set(k, v)
	}
	req, _ := http.NewRequest(http.MethodPost, base+formAction, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res := b.do(req)
	if res.Status == http.StatusSeeOther && isCodePage(res.Location) {
		// Post/redirect/get: the browser loads the enter-code page.
		next := b.get(base + res.Location)
		next.PostedTo = res.Location
		return next
	}
	return res
}

// isCodePage reports a redirect to the sign-in path's enter-code page (a
// relative URL); tests of the redeem link follow its redirects themselves.
func isCodePage(loc string) bool {
	path, _, _ := strings.Cut(loc, "?")
	return strings.HasPrefix(loc, "/") && strings.HasSuffix(path, "/login/code")
}

var (
	formRe   = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)">(.*?)</form>`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// formValues returns the hidden fields of the form posting to action.
func formValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	for _, m := range formRe.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[1]) != action {
			continue
		}
		v := url.Values{}
		for _, h := range hiddenRe.FindAllStringSubmatch(m[2], -1) {
			v.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
		}
		return v
	}
	t.Fatalf("no form posting to %s in page:\n%s", action, body)
	return nil
}

var (
	linkRe = regexp.MustCompile(`https?://[^\s"<>]+/redeem\?ticket=[^\s"<>]+`)
	codeRe = regexp.MustCompile(`\b(\d{8})\b`)
)

// redeemLink finds the Accept invitation link in an invitation mail.
func redeemLink(t *testing.T, m mailtest.Received) string {
	t.Helper()
	l := linkRe.FindString(m.Text)
	if l == "" {
		t.Fatalf("no redeem link in mail %q:\n%s", m.Subject, m.Text)
	}
	return html.UnescapeString(l)
}

// passcode finds the code in a passcode mail.
func passcode(t *testing.T, m mailtest.Received) string {
	t.Helper()
	c := codeRe.FindStringSubmatch(m.Text)
	if c == nil {
		t.Fatalf("no 8-digit code in mail %q", m.Subject)
	}
	if strings.Contains(m.Subject, c[1]) {
		t.Fatalf("the code must not be in the subject %q", m.Subject)
	}
	return c[1]
}

func cookieNamed(h http.Header, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// consentStep is the answer to a first redemption's proof: a redirect to
// Review permissions. It checks the page names the tenant and what it may
// read, presses Accept and returns the answer (a redirect onwards, with
// the session cookie).
func (in *instance) consentStep(b *browser, proved page, tn directory.Tenant) page {
	in.t.Helper()
	if proved.Status != http.StatusSeeOther || proved.Location != "/"+tn.ID+"/consent" {
		in.t.Fatalf("after the first proof, want a redirect to Review permissions, got %d → %q:\n%s", proved.Status, proved.Location, proved.Body)
	}
	review := b.get(in.URL + proved.Location)
	for _, want := range []string{"Review permissions", html.EscapeString(tn.DisplayName), "Read your name", "Read your email address", `id="consent-accept"`, `id="consent-cancel"`} {
		if !strings.Contains(review.Body, want) {
			in.t.Fatalf("Review permissions page lacks %q:\n%s", want, review.Body)
		}
	}
	return b.submit(in.URL, review, "/"+tn.ID+"/consent/accept", nil)
}

// tenantWithAdminIn returns a client-credentials client of a new app of
// an existing tenant holding perms.
func (in *instance) tenantWithAdminIn(tn directory.Tenant, perms ...string) (directory.Tenant, *http.Client) {
	in.t.Helper()
	ctx := context.Background()
	app, secret, err := in.srv.CreateApp(ctx, tn.ID, "admin app", perms, nil, nil, false)
	if err != nil {
		in.t.Fatal(err)
	}
	cc := clientcredentials.Config{
		ClientID: app.AppID, ClientSecret: secret,
		TokenURL: in.URL + "/" + tn.ID + "/oauth2/v2.0/token",
		Scopes:   []string{"https://graph.microsoft.com/.default"},
	}
	return tn, cc.Client(ctx)
}
