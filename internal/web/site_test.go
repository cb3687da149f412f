package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/admin"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/member"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/policy"
	"github.com/guestgate/guestgate/internal/server"
	"github.com/guestgate/guestgate/internal/testenv"
)

// The tests of this package's pages go through the whole HTTP handler of
// a serving process on SQLite, with mail to a real SMTP peer: a handler
// that forgets its check fails here, whatever its internals look like.

const (
	publicURL    = "https://id.guestgate.example"
	goodPassword = "tulip-Quarry-2026"
)

// site is one serving process with one tenant (Fabrikam) and one app
// that registered a redirect and a post-logout URI.
type site struct {
	t        *testing.T
	browsers int // browsers made so far: each has its own client address
	srv      *server.Server
	ops      *admin.Operator // the operator's operations, as the CLI runs them
	h        http.Handler
	mail     *mailtest.Server
	tenant   directory.Tenant
	app      oidc.App
}

const (
	appRedirect   = "https://apps.fabrikam.example/callback"
	appLogout     = "https://apps.fabrikam.example/signed-out"
	guestRedirect = "https://apps.fabrikam.example/welcome"
)

// newSite starts a process (its mail dispatcher runs; requests go to its
// handler in process, so cookies keep their __Host- names and Secure flag).
func newSite(t *testing.T, change func(*server.Config)) *site {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := mailtest.Start(t)
	cfg := server.Defaults()
	cfg.DatabaseURL = testenv.SQLiteDSN(t)
	cfg.PublicURL = publicURL
	cfg.Listen = ln.Addr().String()
	cfg.SMTPURL = m.URL()
	cfg.MailFrom = "guestgate@guestgate.test"
	cfg.Secret = "web-test-secret-0123456789abcdef0123456789"
	if change != nil {
		change(&cfg)
	}
	if cfg.DevMailbox {
		cfg.SMTPURL, cfg.PublicURL = "", "http://127.0.0.1:8080"
	}
	srv, err := server.Open(context.Background(), cfg, server.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Listener: ln})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
		srv.Close()
	})
	ops, err := srv.Base().Operator()
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, srv: srv, ops: ops, h: srv.Handler(), mail: m}
	s.tenant = s.otherTenant("Fabrikam", "fabrikam.example")
	if s.app, _, err = ops.CreateApp(ctx, s.tenant.ID, "Woodgrove", nil, []string{appRedirect}, []string{appLogout}, false); err != nil {
		t.Fatal(err)
	}
	return s
}

// invite makes addr a pending guest of the tenant and returns the redeem link's path and query.
func (s *site) invite(addr string) invitation.Result {
	s.t.Helper()
	res, err := s.ops.Invite(context.Background(), s.tenant, invitation.Request{Email: addr, RedirectURL: guestRedirect})
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

// The rest of the process is set up through these few calls, so that a
// change of the serving process's admin operations touches only them.

// member makes addr a member of tn with goodPassword.
func (s *site) member(tn directory.Tenant, addr string) directory.User {
	s.t.Helper()
	u, err := s.ops.CreateMember(context.Background(), tn, member.NewMember{
		UserPrincipalName: addr, DisplayName: "Kim Akers", Password: goodPassword, AccountEnabled: true,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// otherTenant makes another managed tenant that verified domain.
func (s *site) otherTenant(name, domain string) directory.Tenant {
	s.t.Helper()
	tn, err := s.ops.CreateTenant(context.Background(), directory.NewTenantRequest{Name: name, Domains: []string{domain}})
	if err != nil {
		s.t.Fatal(err)
	}
	return tn
}

// disable disables the tenant's user with id.
func (s *site) disable(id string) {
	s.t.Helper()
	if err := s.ops.SetAccountEnabled(context.Background(), s.tenant, id, false); err != nil {
		s.t.Fatal(err)
	}
}

// passcodesOff turns email one-time passcodes off at the tenant.
func (s *site) passcodesOff() {
	s.t.Helper()
	if _, err := s.ops.SetEmailPolicy(context.Background(), s.tenant, policy.AllowDisabled); err != nil {
		s.t.Fatal(err)
	}
}

// offerSignUp makes the app offer self-service sign-up (R13).
func (s *site) offerSignUp() {
	s.t.Helper()
	if err := s.ops.SetAppSignUp(context.Background(), s.tenant.ID, s.app.AppID, true); err != nil {
		s.t.Fatal(err)
	}
}

// user is the tenant's user with id, as stored.
func (s *site) user(id string) directory.User {
	s.t.Helper()
	u, err := s.srv.DB().GetUser(context.Background(), s.tenant.ID, id)
	if err != nil {
		s.t.Fatal(err)
	}
	return u
}

// path is a tenant page's path.
func (s *site) path(rest string) string { return "/" + s.tenant.ID + rest }

// browser keeps one browser's cookies across requests to the handler.
type browser struct {
	s       *site
	addr    string // the client's address (R3 counts sends per client network)
	cookies map[string]*http.Cookie
}

func (s *site) browser() *browser {
	s.browsers++
	return &browser{s: s, addr: fmt.Sprintf("192.0.2.%d:40000", s.browsers), cookies: map[string]*http.Cookie{}}
}

// answer is a response as a test reads it.
type answer struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

// cookie is the cookie the answer set, or nil.
func (a answer) cookie(name string) *http.Cookie {
	for _, c := range (&http.Response{Header: a.Header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// has reports whether the page contains every string.
func (a answer) has(want ...string) bool {
	for _, w := range want {
		if !strings.Contains(a.Body, w) && !strings.Contains(a.Body, html.EscapeString(w)) {
			return false
		}
	}
	return true
}

func (b *browser) do(r *http.Request) answer {
	b.s.t.Helper()
	r.Header.Set("Accept-Language", "en")
	r.RemoteAddr = b.addr
	for _, c := range b.cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	b.s.h.ServeHTTP(w, r)
	res := w.Result()
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	return answer{Status: w.Code, Body: w.Body.String(), Location: w.Header().Get("Location"), Header: w.Header()}
}

func (b *browser) get(target string) answer {
	b.s.t.Helper()
	return b.do(httptest.NewRequest(http.MethodGet, publicURL+target, nil))
}

// post posts fields to target, as a same-origin form.
func (b *browser) post(target string, fields url.Values) answer {
	b.s.t.Helper()
	r := httptest.NewRequest(http.MethodPost, publicURL+target, strings.NewReader(fields.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Origin", publicURL)
	return b.do(r)
}

// submit posts the form of page p that posts to action, its hidden fields
// (the CSRF token among them) with fields added.
func (b *browser) submit(p answer, action string, fields url.Values) answer {
	b.s.t.Helper()
	form := formValues(b.s.t, p.Body, action)
	for k, v := range fields {
		form[k] = v
	}
	return b.post(action, form)
}

// session is the browser's session cookie at the tenant ("" without one).
func (b *browser) session() string {
	if c := b.cookies["__Host-gg_session_"+b.s.tenant.ID]; c != nil {
		return c.Value
	}
	return ""
}

var (
	formRe   = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)"[^>]*>(.*?)</form>`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
	codeRe   = regexp.MustCompile(`\b(\d{8})\b`)
)

// formValues are the hidden fields of the form of body posting to action.
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
	t.Fatalf("no form posting to %s in the page:\n%s", action, body)
	return nil
}

// passcode waits for the n-th mail to addr and returns its code.
func (s *site) passcode(addr string, n int) string {
	s.t.Helper()
	msgs := s.mail.WaitCount(s.t, n, mailtest.To(addr))
	c := codeRe.FindStringSubmatch(msgs[n-1].Text)
	if c == nil {
		s.t.Fatalf("no code in mail %q", msgs[n-1].Subject)
	}
	return c[1]
}

// mailCount is how many mails addr has received so far.
func (s *site) mailCount(addr string) int {
	n := 0
	for _, m := range s.mail.Messages() {
		if mailtest.To(addr)(m) {
			n++
		}
	}
	return n
}

// redeemed invites addr and redeems the invitation in a browser of its
// own (addr has had no mail before); addr is then an Accepted guest, and
// that browser holds its session.
func (s *site) redeemed(addr string) (directory.User, *browser) {
	s.t.Helper()
	inv := s.invite(addr)
	link, err := url.Parse(inv.RedeemURL)
	if err != nil {
		s.t.Fatal(err)
	}
	b := s.browser()
	sent := b.submit(b.get(link.RequestURI()), "/redeem/send", nil)
	codePage := b.get(sent.Location)
	proved := b.submit(codePage, "/redeem/verify", url.Values{"code": {s.passcode(addr, 1)}})
	if done := b.submit(b.get(proved.Location), s.path("/consent/accept"), nil); done.Status != http.StatusSeeOther || b.session() == "" {
		s.t.Fatalf("redeeming %s: Accept = %d → %q", addr, done.Status, done.Location)
	}
	return s.user(inv.User.ID), b
}
