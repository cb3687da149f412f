package e2etest

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

// Instance is one running guestgate with its SMTP peer.
type Instance struct {
	T      *testing.T
	Srv    running
	URL    string
	Mail   *mailtest.Server
	Config server.Config
	Stop   func()
}

// StartOptions are Start's choices; DSN is required.
type StartOptions struct {
	DSN   string
	Clock clock.Clock
	Mail  *mailtest.Server
	// Configure, if set, adjusts the configuration before the start.
	Configure func(*server.Config)
	// Addr, if set, is the address to listen on (a restart at the same URL).
	Addr string
	// Logs, if set, receives the server's log (text, every level).
	Logs io.Writer
	// BulkSweep, if set, is how often bulk invitations are swept.
	BulkSweep time.Duration
	// InactivePolicy, if set, is how often inactive-guest policies run.
	InactivePolicy time.Duration
}

// Start runs guestgate on the engine until the test ends.
func Start(t *testing.T, o StartOptions) *Instance {
	t.Helper()
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	if o.Mail == nil {
		o.Mail = mailtest.Start(t)
	}
	cfg := server.Defaults()
	cfg.DatabaseURL = o.DSN
	cfg.PublicURL = "http://" + ln.Addr().String()
	cfg.Listen = ln.Addr().String()
	cfg.SMTPURL = o.Mail.URL()
	cfg.MailFrom = "guestgate@guestgate.test"
	cfg.Secret = "e2e-secret-0123456789abcdef0123456789"
	if o.Configure != nil {
		o.Configure(&cfg)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if o.Logs != nil {
		log = slog.New(slog.NewTextHandler(o.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	srv, err := server.Open(context.Background(), cfg, server.Options{Logger: log, Clock: o.Clock, Listener: ln, BulkSweepInterval: o.BulkSweep, InactivePolicyInterval: o.InactivePolicy})
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
	in := &Instance{T: t, Srv: running{srv, ops}, URL: cfg.PublicURL, Mail: o.Mail, Config: cfg}
	var once bool
	in.Stop = func() {
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
	t.Cleanup(in.Stop)
	return in
}

type testWriter struct{ T *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.T.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// ForEngine runs fn as a subtest on SQLite and on PostgreSQL.
func ForEngine(t *testing.T, fn func(t *testing.T, dsn string)) {
	for _, e := range testenv.Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.DSN(t)) })
	}
}

// TenantWithAdmin creates a tenant and an app holding perms, and returns
// an HTTP client that calls the admin API with a client-credentials token.
func (in *Instance) TenantWithAdmin(name, domain string, perms ...string) (directory.Tenant, *http.Client) {
	in.T.Helper()
	ctx := context.Background()
	tn, err := in.Srv.CreateTenant(ctx, directory.NewTenantRequest{Name: name, Domains: []string{domain}})
	if err != nil {
		in.T.Fatal(err)
	}
	app, secret, err := in.Srv.CreateApp(ctx, tn.ID, name+" admin", perms, nil, nil, false)
	if err != nil {
		in.T.Fatal(err)
	}
	cc := clientcredentials.Config{
		ClientID: app.AppID, ClientSecret: secret,
		TokenURL: in.URL + "/" + tn.ID + "/oauth2/v2.0/token",
		Scopes:   []string{"https://graph.microsoft.com/.default"},
	}
	return tn, cc.Client(ctx)
}

// GraphCall sends body (a JSON value, or raw JSON text when a string) and
// returns the status, the headers and the raw answer.
func GraphCall(t *testing.T, c *http.Client, method, u string, body any) (int, http.Header, []byte) {
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

// API sends a JSON request to the admin API and decodes the answer into out.
func API(t *testing.T, c *http.Client, method, u string, body any, out any) int {
	t.Helper()
	status, _, raw := GraphCall(t, c, method, u, body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, u, raw, err)
		}
	}
	return status
}

// Browser is a cookie-keeping HTTP client that does not follow redirects,
// so tests see each step.
type Browser struct {
	T *testing.T
	C *http.Client
}

// NewBrowser returns a Browser with an empty cookie jar.
func NewBrowser(t *testing.T) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{T: t, C: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Page is a fetched page.
type Page struct {
	// PostedTo is the enter-code page a form post redirected to (and the
	// page is that page's), else "".
	PostedTo string
	Status   int
	Body     string
	Location string
	Header   http.Header
}

// Do sends req (asking for English pages) and returns the page.
func (b *Browser) Do(req *http.Request) Page {
	b.T.Helper()
	req.Header.Set("Accept-Language", "en")
	resp, err := b.C.Do(req)
	if err != nil {
		b.T.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return Page{Status: resp.StatusCode, Body: string(raw), Location: resp.Header.Get("Location"), Header: resp.Header}
}

// Get fetches u.
func (b *Browser) Get(u string) Page {
	b.T.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.Do(req)
}

// Submit posts the form with the given button id (or the first form) of p,
// adding fields, to the form's action resolved against base.
func (b *Browser) Submit(base string, p Page, formAction string, fields map[string]string) Page {
	b.T.Helper()
	form := FormValues(b.T, p.Body, formAction)
	for k, v := range fields {
		form.Set(k, v)
	}
	req, _ := http.NewRequest(http.MethodPost, base+formAction, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	res := b.Do(req)
	if res.Status == http.StatusSeeOther && isCodePage(res.Location) {
		// Post/redirect/get: the browser loads the enter-code page.
		next := b.Get(base + res.Location)
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
	FormRe   = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)">(.*?)</form>`)
	HiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// FormValues returns the hidden fields of the form posting to action.
func FormValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	for _, m := range FormRe.FindAllStringSubmatch(body, -1) {
		if html.UnescapeString(m[1]) != action {
			continue
		}
		v := url.Values{}
		for _, h := range HiddenRe.FindAllStringSubmatch(m[2], -1) {
			v.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
		}
		return v
	}
	t.Fatalf("no form posting to %s in page:\n%s", action, body)
	return nil
}

var (
	linkRe = regexp.MustCompile(`https?://[^\s"<>]+/redeem\?ticket=[^\s"<>]+`)
	CodeRe = regexp.MustCompile(`\b(\d{8})\b`)
)

// RedeemLink finds the Accept invitation link in an invitation mail.
func RedeemLink(t *testing.T, m mailtest.Received) string {
	t.Helper()
	l := linkRe.FindString(m.Text)
	if l == "" {
		t.Fatalf("no redeem link in mail %q:\n%s", m.Subject, m.Text)
	}
	return html.UnescapeString(l)
}

// Passcode finds the code in a passcode mail.
func Passcode(t *testing.T, m mailtest.Received) string {
	t.Helper()
	c := CodeRe.FindStringSubmatch(m.Text)
	if c == nil {
		t.Fatalf("no 8-digit code in mail %q", m.Subject)
	}
	if strings.Contains(m.Subject, c[1]) {
		t.Fatalf("the code must not be in the subject %q", m.Subject)
	}
	return c[1]
}

// CookieNamed returns the cookie name set by the response header h, or nil.
func CookieNamed(h http.Header, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ConsentStep is the answer to a first redemption's proof: a redirect to
// Review permissions. It checks the page names the tenant and what it may
// read, presses Accept and returns the answer (a redirect onwards, with
// the session cookie).
func (in *Instance) ConsentStep(b *Browser, proved Page, tn directory.Tenant) Page {
	in.T.Helper()
	if proved.Status != http.StatusSeeOther || proved.Location != "/"+tn.ID+"/consent" {
		in.T.Fatalf("after the first proof, want a redirect to Review permissions, got %d → %q:\n%s", proved.Status, proved.Location, proved.Body)
	}
	review := b.Get(in.URL + proved.Location)
	for _, want := range []string{"Review permissions", html.EscapeString(tn.DisplayName), "Read your name", "Read your email address", `id="consent-accept"`, `id="consent-cancel"`} {
		if !strings.Contains(review.Body, want) {
			in.T.Fatalf("Review permissions page lacks %q:\n%s", want, review.Body)
		}
	}
	return b.Submit(in.URL, review, "/"+tn.ID+"/consent/accept", nil)
}

// TenantWithAdminIn returns a client-credentials client of a new app of
// an existing tenant holding perms.
func (in *Instance) TenantWithAdminIn(tn directory.Tenant, perms ...string) (directory.Tenant, *http.Client) {
	in.T.Helper()
	ctx := context.Background()
	app, secret, err := in.Srv.CreateApp(ctx, tn.ID, "admin app", perms, nil, nil, false)
	if err != nil {
		in.T.Fatal(err)
	}
	cc := clientcredentials.Config{
		ClientID: app.AppID, ClientSecret: secret,
		TokenURL: in.URL + "/" + tn.ID + "/oauth2/v2.0/token",
		Scopes:   []string{"https://graph.microsoft.com/.default"},
	}
	return tn, cc.Client(ctx)
}
