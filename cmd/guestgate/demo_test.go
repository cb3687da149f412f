package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startDemo runs "guestgate demo" with args until the test ends and
// returns its output once the banner is printed.
func startDemo(t *testing.T, args ...string) *syncBuffer {
	t.Helper()
	root := newRootCommand()
	out := &syncBuffer{}
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs(append([]string{"demo"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "Press Ctrl+C") {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("demo stopped: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no banner:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return out
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// TestDemoOnAnotherPortLinksThatPort: "demo --listen" on a port other than
// 8080, without --public-url, prints links to that port, and the sample app
// reaches guestgate there (it answered 503 when the links said 8080).
func TestDemoOnAnotherPortLinksThatPort(t *testing.T) {
	t.Setenv("GUESTGATE_PUBLIC_URL", "")
	addr, appAddr := freeAddr(t), freeAddr(t)
	out := startDemo(t, "--listen", addr, "--demo-app-listen", appAddr).String()
	if !strings.Contains(out, "running at http://"+addr+"\n") || !strings.Contains(out, "http://"+addr+"/dev/mailbox") {
		t.Fatalf("the banner does not link %s:\n%s", addr, out)
	}
	if strings.Contains(out, ":8080") {
		t.Fatalf("the banner still links port 8080:\n%s", out)
	}
	for _, line := range strings.Split(out, "\n") {
		if i := strings.Index(line, "redeem link:"); i >= 0 && !strings.Contains(line, "http://"+addr+"/") {
			t.Fatalf("redeem link not on %s: %s", addr, line)
		}
	}
	resp, err := noRedirect.Get("http://" + appAddr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "http://"+addr+"/") {
		t.Fatalf("sample app: %d, Location %q; want a redirect to guestgate at %s", resp.StatusCode, loc, addr)
	}
}

// TestDemoRefusesPublicURLOffListen: a --public-url on another port than
// --listen would print dead links; the demo refuses and says why.
func TestDemoRefusesPublicURLOffListen(t *testing.T) {
	addr := freeAddr(t)
	out, err := run(t, "demo", "--listen", addr, "--public-url", "http://127.0.0.1:1", "--demo-app-listen", freeAddr(t))
	if err == nil || !strings.Contains(err.Error(), "--public-url") || !strings.Contains(err.Error(), "--listen") {
		t.Fatalf("want a refusal naming --public-url and --listen, got %v\n%s", err, out)
	}
}

// TestDemoAddressInUseNamesFlag: a port already taken names the flag that
// chooses another, for guestgate and for the sample app.
func TestDemoAddressInUseNamesFlag(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	busy := taken.Addr().String()
	for _, c := range []struct {
		flag string
		args []string
	}{
		{"--listen", []string{"--listen", busy, "--demo-app-listen", freeAddr(t)}},
		{"--demo-app-listen", []string{"--listen", freeAddr(t), "--demo-app-listen", busy}},
	} {
		out, err := run(t, append([]string{"demo"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), "already in use ("+c.flag+")") {
			t.Errorf("%v: want an error naming %s, got %v\n%s", c.args, c.flag, err, out)
		}
	}
}

// bannerMatch returns the first submatch of re in the banner, or fails.
func bannerMatch(t *testing.T, banner, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("banner lacks %s:\n%s", re, banner)
	}
	return m[1]
}

// TestDemoPrintsConsoleAdminAndInvitation: the demo's banner gives a way
// into the console (its URL and a Global Administrator's password, which
// signs in) and a curl invitation whose app id, secret and URLs work as
// printed.
func TestDemoPrintsConsoleAdminAndInvitation(t *testing.T) {
	t.Setenv("GUESTGATE_PUBLIC_URL", "")
	addr, appAddr := freeAddr(t), freeAddr(t)
	banner := startDemo(t, "--listen", addr, "--demo-app-listen", appAddr).String()
	public := "http://" + addr

	// The console, signed in with the printed password.
	console := bannerMatch(t, banner, `The admin console:\s+(\S+)`)
	if console != public+"/fabrikam.example/admin/" {
		t.Fatalf("console URL %q", console)
	}
	password := bannerMatch(t, banner, `with the password\s+(\S+)`)
	if len(password) < 16 || strings.Count(banner, password) != 1 {
		t.Fatalf("password %q: want a long one, printed once", password)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: noRedirect.CheckRedirect}
	signin := console + "signin"
	resp, err := c.Get(signin)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindStringSubmatch(string(body))
	if resp.StatusCode != http.StatusOK || csrf == nil {
		t.Fatalf("console sign-in page = %d\n%s", resp.StatusCode, body)
	}
	signIn := func(password string) *http.Response {
		form := url.Values{"csrf": {html.UnescapeString(csrf[1])}, "email": {demoAdmin}, "password": {password}}
		req, _ := http.NewRequest(http.MethodPost, signin, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", public)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := signIn(password + "x"); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("a wrong password signed in")
	}
	if resp := signIn(password); resp.StatusCode != http.StatusSeeOther || !strings.HasSuffix(resp.Header.Get("Location"), "/admin/") {
		t.Fatalf("console sign-in with the printed password = %d → %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// The curl invitation, with the values as printed.
	tokenURL := bannerMatch(t, banner, `TOKEN=\$\(curl -s (\S+)`)
	form := url.Values{
		"grant_type":    {bannerMatch(t, banner, `-d grant_type=(\S+)`)},
		"client_id":     {bannerMatch(t, banner, `-d client_id=(\S+)`)},
		"client_secret": {bannerMatch(t, banner, `-d client_secret='([^']+)'`)},
		"scope":         {bannerMatch(t, banner, `-d scope=(\S+)`)},
	}
	resp, err = http.PostForm(tokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("token by the printed client credentials = %d", resp.StatusCode)
	}
	inviteURL := bannerMatch(t, banner, `\n\s+curl -s (\S+/v1\.0/invitations)`)
	req, _ := http.NewRequest(http.MethodPost, inviteURL, strings.NewReader(bannerMatch(t, banner, `-d '(\{"invitedUserEmailAddress".*\})'`)))
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("the printed invitation = %d\n%s", resp.StatusCode, b)
	}
}
