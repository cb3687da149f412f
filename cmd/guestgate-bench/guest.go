package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// journey is what every virtual guest needs to sign in to the bench app.
type journey struct {
	base, tenantID   string
	clientID, secret string
	redirectURI      string
	transport        http.RoundTripper
	sink             *sink
	verifier         *gooidc.IDTokenVerifier
	mailTimeout      time.Duration
	// wantGroups: the app requires assignment through a group and asks
	// for the groups claim (-guest-groups), so the ID token must carry
	// that many groups and the app role.
	wantGroups int
}

// stepError says which step failed and how, for "errors by kind".
type stepError struct{ step, kind string }

func (e *stepError) Error() string { return e.step + ": " + e.kind }

func failAt(step, format string, args ...any) error {
	return &stepError{step: step, kind: fmt.Sprintf(format, args...)}
}

// signIn runs one complete sign-in for addr as a fresh browser would:
// authorize → sign-in page → address → Send code → enter-code page → code
// from the mail → verify → callback → token exchange → ID token
// verification.
func (j *journey) signIn(ctx context.Context, addr string) (map[string]time.Duration, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Transport: forwardedFor{j.transport, clientAddress(addr)}, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t := map[string]time.Duration{}
	begin := time.Now()
	state, nonce, pkce := random(), random(), oauth2.GenerateVerifier()
	tid := "/" + j.tenantID

	mark := time.Now()
	q := url.Values{"client_id": {j.clientID}, "redirect_uri": {j.redirectURI}, "response_type": {"code"},
		"scope": {"openid email profile"}, "state": {state}, "nonce": {nonce},
		"code_challenge": {oauth2.S256ChallengeFromVerifier(pkce)}, "code_challenge_method": {"S256"}, "login_hint": {addr}}
	loc, _, err := j.get(ctx, c, j.base+tid+"/oauth2/v2.0/authorize?"+q.Encode(), http.StatusFound, http.StatusSeeOther)
	if err != nil {
		return nil, failAt("authorize", "%v", err)
	}
	_, page, err := j.get(ctx, c, j.abs(loc), http.StatusOK)
	if err != nil {
		return nil, failAt("authorize", "sign-in page: %v", err)
	}
	reqID := hidden(page, "authRequestID")
	t["authorize"] = time.Since(mark)

	mark = time.Now()
	form := url.Values{"csrf": {hidden(page, "csrf")}, "authRequestID": {reqID}, "email": {addr}}
	if _, _, err = j.post(ctx, c, j.base+tid+"/login/next", form, http.StatusOK); err != nil {
		return nil, failAt("send_code", "address: %v", err)
	}
	codeCh := j.sink.expect(addr)
	defer j.sink.forget(addr)
	if loc, _, err = j.post(ctx, c, j.base+tid+"/login/send", form, http.StatusSeeOther); err != nil {
		return nil, failAt("send_code", "%v", err)
	}
	_, page, err = j.get(ctx, c, j.abs(loc), http.StatusOK) // post/redirect/get: the enter-code page
	if err != nil {
		return nil, failAt("send_code", "enter-code page: %v", err)
	}
	sent := time.Now()
	t["send_code"] = sent.Sub(mark)

	var code string
	select {
	case code = <-codeCh:
	case <-time.After(j.mailTimeout):
		return nil, failAt("mail", "no passcode mail within %s", j.mailTimeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	t["mail"] = time.Since(sent)

	mark = time.Now()
	form = url.Values{"csrf": {hidden(page, "csrf")}, "authRequestID": {hidden(page, "authRequestID")}, "email": {hidden(page, "email")}, "code": {code}}
	loc, _, err = j.post(ctx, c, j.base+tid+"/login/verify", form, http.StatusSeeOther)
	if err != nil {
		return nil, failAt("verify_code", "%v", err)
	}
	if loc, _, err = j.get(ctx, c, j.abs(loc), http.StatusFound, http.StatusSeeOther); err != nil {
		return nil, failAt("verify_code", "callback: %v", err)
	}
	back, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(loc, j.redirectURI) || back.Query().Get("state") != state {
		return nil, failAt("verify_code", "bad redirect to the app")
	}
	t["verify_code"] = time.Since(mark)

	mark = time.Now()
	raw, err := j.exchange(ctx, c, back.Query().Get("code"), pkce)
	if err != nil {
		return nil, failAt("token", "%v", err)
	}
	t["token"] = time.Since(mark)

	mark = time.Now()
	idt, err := j.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != nonce {
		return nil, failAt("id_token", "verify: %v", err)
	}
	if err := j.checkClaims(idt); err != nil {
		return nil, failAt("id_token", "%v", err)
	}
	t["id_token"] = time.Since(mark)
	t["total"] = time.Since(begin)
	return t, nil
}

// checkClaims checks the groups and roles claims when -guest-groups asked
// for them: a sign-in that skipped the assignment read would show here.
func (j *journey) checkClaims(idt *gooidc.IDToken) error {
	if j.wantGroups == 0 {
		return nil
	}
	var c struct {
		Groups []string `json:"groups"`
		Roles  []string `json:"roles"`
	}
	if err := idt.Claims(&c); err != nil {
		return err
	}
	if len(c.Groups) != j.wantGroups || !slices.Contains(c.Roles, benchRole) {
		return fmt.Errorf("claims: %d groups, roles %v", len(c.Groups), c.Roles)
	}
	return nil
}

// clientAddress is the address the guest signs in from: one of 10.0.0.0/8
// chosen by the guest's address, so each sign-in of a run (none reuses an
// address) comes from a client of its own, as people of many partners do.
func clientAddress(addr string) string {
	h := fnv.New32a()
	h.Write([]byte(addr))
	n := h.Sum32()
	return fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
}

// forwardedFor names the client in X-Forwarded-For, as the reverse proxy
// guestgate trusts does.
type forwardedFor struct {
	next   http.RoundTripper
	client string
}

func (f forwardedFor) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Forwarded-For", f.client)
	return f.next.RoundTrip(req)
}

func (j *journey) abs(loc string) string {
	if strings.HasPrefix(loc, "/") {
		return j.base + loc
	}
	return loc
}

func (j *journey) get(ctx context.Context, c *http.Client, u string, want ...int) (string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", "", err
	}
	return do(c, req, want)
}

func (j *journey) post(ctx context.Context, c *http.Client, u string, form url.Values, want ...int) (string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return "", "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", j.base)
	return do(c, req, want)
}

func do(c *http.Client, req *http.Request, want []int) (string, string, error) {
	resp, err := c.Do(req)
	if err != nil {
		return "", "", errors.New("transport error")
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, w := range want {
		if resp.StatusCode == w {
			return resp.Header.Get("Location"), string(body), nil
		}
	}
	return "", "", fmt.Errorf("HTTP %d", resp.StatusCode)
}

// exchange redeems the code at the token endpoint (client_secret_basic).
func (j *journey) exchange(ctx context.Context, c *http.Client, code, pkce string) (string, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {j.redirectURI}, "code_verifier": {pkce}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.base+"/"+j.tenantID+"/oauth2/v2.0/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(j.clientID), url.QueryEscape(j.secret))
	_, body, err := do(c, req, []int{http.StatusOK})
	if err != nil {
		return "", err
	}
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := json.Unmarshal([]byte(body), &tok); err != nil || tok.IDToken == "" {
		return "", errors.New("no id_token")
	}
	return tok.IDToken, nil
}

var hiddenRe = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// hidden returns the value of a hidden form field.
func hidden(page, name string) string {
	for _, m := range hiddenRe.FindAllStringSubmatch(page, -1) {
		if m[1] == name {
			return html.UnescapeString(m[2])
		}
	}
	return ""
}

func random() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
