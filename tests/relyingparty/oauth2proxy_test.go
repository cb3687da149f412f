package relyingparty

import (
	"crypto/rand"
	"encoding/hex"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestOAuth2ProxyAllowedGroup (R16): oauth2-proxy, unmodified, with its
// generic OpenID Connect provider and --allowed-group set to a group's
// object id, in front of an app. The app asked for the groups claim
// (groupMembershipClaims SecurityGroup). A guest in the group signs in with
// an emailed passcode and reaches the app; a guest not in the group signs
// in just as well but is refused by oauth2-proxy (403) and never reaches
// it. Nothing in oauth2-proxy is configured insecurely except the cookie's
// Secure flag, which plain-HTTP loopback needs.
func TestOAuth2ProxyAllowedGroup(t *testing.T) {
	dir := t.TempDir()
	ggBin, proxyBin := buildGuestgate(t, dir), buildOAuth2Proxy(t, dir)
	mail := startMailbox(t)
	ggAddr, proxyAddr := freeAddr(t), freeAddr(t)
	ggURL, proxyURL := "http://"+ggAddr, "http://"+proxyAddr
	env := environ("GUESTGATE_DATABASE_URL="+filepath.Join(dir, "guestgate.db"),
		"GUESTGATE_SECRET=relying-party-test-secret-0123456789abcdef", "GUESTGATE_LOG_LEVEL=warn",
		"GUESTGATE_SMTP_URL="+mail.URL(), "GUESTGATE_MAIL_FROM=guestgate@fabrikam.example",
		"GUESTGATE_PUBLIC_URL="+ggURL, "GUESTGATE_LISTEN="+ggAddr)

	s := prepareTenant(t, ggBin, env, proxyURL+"/oauth2/callback")
	startProcess(t, "guestgate serve", ggBin, env, []string{"serve"}, ggURL+"/readyz")
	askForGroupsClaim(t, ggURL, s)

	up := startUpstream(t)
	startProcess(t, "oauth2-proxy", proxyBin, environ(), []string{
		"--http-address=" + proxyAddr,
		"--provider=oidc",
		"--oidc-issuer-url=" + ggURL + "/" + s.tenantID + "/v2.0",
		"--client-id=" + s.appID,
		"--client-secret=" + s.secret,
		"--redirect-url=" + proxyURL + "/oauth2/callback",
		"--upstream=" + up.srv.URL,
		"--cookie-secret=" + randomHex(t, 16),
		"--cookie-secure=false",
		"--email-domain=*",
		"--allowed-group=" + s.groupID,
		"--oidc-groups-claim=groups",
		"--skip-provider-button=true",
		"--code-challenge-method=S256",
	}, proxyURL+"/ping")

	g := guest{mail: mail, ggURL: ggURL, tenantID: s.tenantID}
	t.Run("member of the allowed group reaches the app", func(t *testing.T) {
		b := newBrowser(t)
		p := g.signIn(t, b, proxyURL+"/", s.member)
		if p.status != http.StatusOK || !strings.Contains(p.body, upstreamMarker) {
			t.Fatalf("after signing in through oauth2-proxy: %d %s\n%s", p.status, p.url, p.body)
		}
		email, groups := up.last()
		if !strings.EqualFold(email, s.member) || !strings.Contains(groups, s.groupID) {
			t.Fatalf("the app got X-Forwarded-Email %q, X-Forwarded-Groups %q; want %s in %s", email, groups, s.member, s.groupID)
		}
		// The session cookie keeps the guest in, without guestgate.
		if again := b.get(t, proxyURL+"/again"); again.status != http.StatusOK || !strings.Contains(again.body, upstreamMarker) {
			t.Fatalf("the next request: %d %s", again.status, again.url)
		}
	})
	t.Run("guest outside the group is refused", func(t *testing.T) {
		before := up.count()
		p := g.signIn(t, newBrowser(t), proxyURL+"/", s.outsider)
		if p.status != http.StatusForbidden || strings.Contains(p.body, upstreamMarker) {
			t.Fatalf("a guest outside the group got %d at %s, want oauth2-proxy's 403\n%s", p.status, p.url, p.body)
		}
		if n := up.count() - before; n != 0 {
			t.Fatalf("the app was reached %d times by a guest outside the group", n)
		}
	})
}

// setup is what prepareTenant made.
type setup struct {
	tenantID, appID, secret, groupID string
	adminID, adminSecret             string // an app holding Application.ReadWrite.All
	member, outsider                 string // the two guests' addresses
}

// prepareTenant creates with the CLI a tenant, an app for oauth2-proxy,
// an admin app, a group and two invited guests, one of them in the group.
func prepareTenant(t *testing.T, bin string, env []string, redirectURI string) setup {
	t.Helper()
	s := setup{member: "ana@partner.example", outsider: "ben@partner.example"}
	var tenant struct{ ID string }
	cli(t, bin, env, &tenant, "tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example")
	s.tenantID = tenant.ID
	var app struct{ AppID, ClientSecret string }
	cli(t, bin, env, &app, "app", "create", "--tenant", s.tenantID, "--name", "Intranet", "--redirect-uri", redirectURI)
	s.appID, s.secret = app.AppID, app.ClientSecret
	var admin struct{ AppID, ClientSecret string }
	cli(t, bin, env, &admin, "app", "create", "--tenant", s.tenantID, "--name", "Admin", "--permission", "Application.ReadWrite.All")
	s.adminID, s.adminSecret = admin.AppID, admin.ClientSecret
	var group struct{ ID string }
	cli(t, bin, env, &group, "group", "create", "--tenant", s.tenantID, "--name", "Approvers", "--mail-nickname", "approvers")
	s.groupID = group.ID
	for _, addr := range []string{s.member, s.outsider} {
		var inv struct{ InvitedUser struct{ ID string } }
		cli(t, bin, env, &inv, "invite", "--tenant", s.tenantID, "--email", addr, "--redirect-url", "https://intranet.fabrikam.example/")
		if addr == s.member {
			var added struct{ Result string }
			cli(t, bin, env, &added, "group", "add-member", "--tenant", s.tenantID, "--group", s.groupID, "--member", inv.InvitedUser.ID)
		}
	}
	return s
}

// upstreamMarker is in every answer of the app behind oauth2-proxy.
const upstreamMarker = "intranet: reached"

// upstream is the app behind oauth2-proxy; it records who reached it.
type upstream struct {
	srv    *httptest.Server
	mu     sync.Mutex
	hits   int
	email  string
	groups string
}

func startUpstream(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.mu.Lock()
		u.hits++
		u.email, u.groups = r.Header.Get("X-Forwarded-Email"), r.Header.Get("X-Forwarded-Groups")
		u.mu.Unlock()
		_, _ = io.WriteString(w, upstreamMarker)
	}))
	t.Cleanup(u.srv.Close)
	return u
}

func (u *upstream) count() int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.hits
}

func (u *upstream) last() (email, groups string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.email, u.groups
}

// browser is a cookie-jar HTTP client that follows redirects, as a
// browser does.
type browser struct{ c *http.Client }

func newBrowser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{c: &http.Client{Jar: jar, Timeout: time.Minute}}
}

// page is where the browser ended up.
type page struct {
	status int
	url    *url.URL
	body   string
}

func (b *browser) do(t *testing.T, req *http.Request) page {
	t.Helper()
	req.Header.Set("Accept-Language", "en")
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{status: resp.StatusCode, url: resp.Request.URL, body: string(raw)}
}

func (b *browser) get(t *testing.T, u string) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b.do(t, req)
}

var (
	formRe   = regexp.MustCompile(`(?s)<form method="post" action="([^"]*)">(.*?)</form>`)
	hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// submit posts the form of p that posts to action (a path on p's origin),
// with its hidden fields and the given ones, as the browser would.
func (b *browser) submit(t *testing.T, p page, action string, fields map[string]string) page {
	t.Helper()
	origin := p.url.Scheme + "://" + p.url.Host
	var form url.Values
	for _, m := range formRe.FindAllStringSubmatch(p.body, -1) {
		if html.UnescapeString(m[1]) == action {
			form = url.Values{}
			for _, h := range hiddenRe.FindAllStringSubmatch(m[2], -1) {
				form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
			}
		}
	}
	if form == nil {
		t.Fatalf("no form posting to %s on %s:\n%s", action, p.url, p.body)
	}
	for k, v := range fields {
		form.Set(k, v)
	}
	req, err := http.NewRequest(http.MethodPost, origin+action, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	return b.do(t, req)
}

// guest drives guestgate's sign-in pages.
type guest struct {
	mail     *mailbox
	ggURL    string
	tenantID string
}

// signIn opens start (behind oauth2-proxy), which sends the browser to
// guestgate; there the guest gives the address, presses Send code, types
// the mailed passcode and, the first time, accepts Review permissions. It
// returns where the browser ends up once guestgate sent it back.
func (g guest) signIn(t *testing.T, b *browser, start, addr string) page {
	t.Helper()
	tid := "/" + g.tenantID
	login := b.get(t, start)
	if login.status != http.StatusOK || !strings.HasPrefix(login.url.String(), g.ggURL+tid+"/login") {
		t.Fatalf("oauth2-proxy did not send the browser to guestgate's sign-in page: %d %s\n%s", login.status, login.url, login.body)
	}
	next := b.submit(t, login, tid+"/login/next", map[string]string{"email": addr})
	if !strings.Contains(next.body, `id="send-code"`) {
		t.Fatalf("after the address, want the Send code page: %d %s\n%s", next.status, next.url, next.body)
	}
	n := g.mail.count(addr)
	code := b.submit(t, next, tid+"/login/send", nil)
	if !strings.Contains(code.body, `id="code"`) {
		t.Fatalf("Send code: %d %s\n%s", code.status, code.url, code.body)
	}
	done := b.submit(t, code, tid+"/login/verify", map[string]string{"code": passcode(t, g.mail.waitNew(t, addr, n))})
	if done.url.Path == tid+"/consent" {
		done = b.submit(t, done, tid+"/consent/accept", nil)
	}
	return done
}

func randomHex(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
