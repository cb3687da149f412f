package oidc_test

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
)

// flow describes one sign-in by an app.
type flow struct {
	tenant      directory.Tenant
	app         oidc.App
	secret      string // confidential apps
	user        directory.User
	scopes      []string // default openid profile email
	redirectURI string   // default the app's first
	noPKCE      bool
	prompt      string
	loginHint   string
}

// signInResult is what the app ends up with.
type signInResult struct {
	config    *oauth2.Config
	token     *oauth2.Token
	idToken   string
	nonce     string
	state     string
	authReqID string
}

// browser follows no redirects: each hop is checked by the test.
var browser = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// get does one browser hop and returns the redirect target.
func get(t *testing.T, u string) (*http.Response, *url.URL) {
	t.Helper()
	resp, err := browser.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	return resp, loc
}

func (e *env) oauthConfig(f flow) *oauth2.Config {
	scopes := f.scopes
	if scopes == nil {
		scopes = []string{gooidc.ScopeOpenID, "profile", "email"}
	}
	redirect := f.redirectURI
	if redirect == "" {
		redirect = f.app.RedirectURIs[0]
	}
	base := e.publicURL + "/" + f.tenant.ID
	return &oauth2.Config{
		ClientID:     f.app.AppID,
		ClientSecret: f.secret,
		Endpoint: oauth2.Endpoint{
			AuthURL:  base + "/oauth2/v2.0/authorize",
			TokenURL: base + "/oauth2/v2.0/token",
		},
		RedirectURL: redirect,
		Scopes:      scopes,
	}
}

// authorize starts a sign-in as the app would and returns the request id
// the browser carries to the login page.
func (e *env) authorize(t *testing.T, f flow) (signInResult, string) {
	t.Helper()
	res := signInResult{config: e.oauthConfig(f), nonce: randomString(t), state: randomString(t)}
	verifier := oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{gooidc.Nonce(res.nonce)}
	if !f.noPKCE {
		opts = append(opts, oauth2.S256ChallengeOption(verifier))
	}
	if f.prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", f.prompt))
	}
	if f.loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", f.loginHint))
	}
	resp, loc := get(t, res.config.AuthCodeURL(res.state, opts...))
	if resp.StatusCode != http.StatusFound || loc == nil {
		t.Fatalf("authorize: status %d, want a redirect to the login page", resp.StatusCode)
	}
	loginPage := e.publicURL + "/" + f.tenant.ID + "/login"
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != loginPage {
		t.Fatalf("authorize redirected to %s, want %s", loc, loginPage)
	}
	res.authReqID = loc.Query().Get("authRequestID")
	return res, verifier
}

// login plays the login page: it signs the user in and returns the code.
func (e *env) login(t *testing.T, f flow, res signInResult) string {
	t.Helper()
	callback, err := e.p.CompleteAuthRequest(e.ctx, f.tenant.ID, res.authReqID, oidc.Login{
		UserID:    f.user.ID,
		AuthTime:  e.clock.Now(),
		AMR:       []string{"otp"},
		IdP:       "mail",
		SessionID: "session-1",
	})
	if err != nil {
		t.Fatalf("CompleteAuthRequest: %v", err)
	}
	resp, loc := get(t, callback)
	if resp.StatusCode != http.StatusFound || loc == nil {
		t.Fatalf("callback: status %d, want a redirect to the app", resp.StatusCode)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != res.config.RedirectURL {
		t.Fatalf("callback redirected to %s, want %s", got, res.config.RedirectURL)
	}
	if loc.Query().Get("state") != res.state {
		t.Fatalf("state %q, want %q", loc.Query().Get("state"), res.state)
	}
	code := loc.Query().Get("code")
	if code == "" {
		t.Fatalf("no code in %s", loc.RawQuery)
	}
	return code
}

// signIn runs a complete sign-in with PKCE and returns the tokens.
func (e *env) signIn(t *testing.T, f flow) signInResult {
	t.Helper()
	res, verifier := e.authorize(t, f)
	code := e.login(t, f, res)
	tok, err := res.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("code exchange: %v", err)
	}
	res.token = tok
	res.idToken, _ = tok.Extra("id_token").(string)
	return res
}

func randomString(t *testing.T) string {
	t.Helper()
	return strings.TrimRight(oauth2.GenerateVerifier()[:22], "=")
}

func TestAuthorizationCodeFlow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		gp := e.goProvider(e.a)
		for _, public := range []bool{true, false} {
			name := map[bool]string{true: "public client", false: "confidential client"}[public]
			t.Run(name, func(t *testing.T) {
				app, secret := e.createApp(e.a, public)
				f := flow{tenant: e.a, app: app, secret: secret, user: e.guestA,
					scopes: []string{gooidc.ScopeOpenID, "profile", "email", gooidc.ScopeOfflineAccess}}
				res := e.signIn(t, f)

				verifier := gp.Verifier(&gooidc.Config{ClientID: app.AppID})
				idt, err := verifier.Verify(e.ctx, res.idToken)
				if err != nil {
					t.Fatalf("go-oidc rejects the ID token: %v", err)
				}
				if idt.Nonce != res.nonce {
					t.Errorf("nonce %q, want %q", idt.Nonce, res.nonce)
				}
				if err := idt.VerifyAccessToken(res.token.AccessToken); err != nil {
					t.Errorf("at_hash: %v", err)
				}
				var c struct {
					Sub, Tid, Oid, Email, Name, Idp string
					EmailVerified                   bool     `json:"email_verified"`
					PreferredUsername               string   `json:"preferred_username"`
					AMR                             []string `json:"amr"`
					AuthTime                        int64    `json:"auth_time"`
				}
				if err := idt.Claims(&c); err != nil {
					t.Fatal(err)
				}
				if c.Tid != e.a.ID || c.Oid != e.guestA.ID || c.Email != e.guestA.Mail || !c.EmailVerified ||
					c.PreferredUsername != e.guestA.Mail || c.Idp != "mail" || !slices.Equal(c.AMR, []string{"otp"}) ||
					c.Name != e.guestA.DisplayName || c.AuthTime == 0 {
					t.Errorf("ID token claims %+v", c)
				}
				if c.Sub == "" || c.Sub == e.guestA.ID {
					t.Errorf("sub %q is not a pairwise subject", c.Sub)
				}

				// userinfo, as go-oidc calls it.
				ui, err := gp.UserInfo(e.ctx, oauth2.StaticTokenSource(res.token))
				if err != nil {
					t.Fatalf("userinfo: %v", err)
				}
				var uc map[string]any
				if err := ui.Claims(&uc); err != nil {
					t.Fatal(err)
				}
				if ui.Subject != c.Sub || ui.Email != e.guestA.Mail || !ui.EmailVerified || uc["oid"] != e.guestA.ID || uc["idp"] != "mail" {
					t.Errorf("userinfo %+v %v", ui, uc)
				}

				// Refresh (offline_access): a new ID token for the same user; the used
				// refresh token is spent.
				if res.token.RefreshToken == "" {
					t.Fatal("no refresh token for offline_access")
				}
				old := res.token.RefreshToken
				next, err := res.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: old}).Token()
				if err != nil {
					t.Fatalf("refresh: %v", err)
				}
				if next.RefreshToken == "" || next.RefreshToken == old {
					t.Error("refresh did not rotate the refresh token")
				}
				rid, _ := next.Extra("id_token").(string)
				ridt, err := verifier.Verify(e.ctx, rid)
				if err != nil || ridt.Subject != c.Sub {
					t.Fatalf("refreshed ID token: %v (sub %v)", err, ridt)
				}
				_, err = res.config.TokenSource(e.ctx, &oauth2.Token{RefreshToken: old}).Token()
				if code := oauthErrorCode(t, err); code != "invalid_grant" {
					t.Errorf("reused refresh token: %q, want invalid_grant", code)
				}
			})
		}

		t.Run("pairwise sub differs between apps", func(t *testing.T) {
			a1, _ := e.createApp(e.a, true)
			a2, _ := e.createApp(e.a, true)
			s1 := jwtClaims(t, e.signIn(t, flow{tenant: e.a, app: a1, user: e.guestA}).idToken)["sub"]
			s2 := jwtClaims(t, e.signIn(t, flow{tenant: e.a, app: a2, user: e.guestA}).idToken)["sub"]
			s1again := jwtClaims(t, e.signIn(t, flow{tenant: e.a, app: a1, user: e.guestA}).idToken)["sub"]
			if s1 == s2 || s1 != s1again {
				t.Errorf("subs %v %v %v: want stable per app, different across apps", s1, s2, s1again)
			}
		})

		t.Run("login page sees the request", func(t *testing.T) {
			app, _ := e.createApp(e.a, true)
			f := flow{tenant: e.a, app: app, user: e.guestA, prompt: "login", loginHint: e.guestA.Mail}
			res, _ := e.authorize(t, f)
			info, err := e.p.AuthRequest(e.ctx, e.a.ID, res.authReqID)
			if err != nil {
				t.Fatalf("AuthRequest: %v", err)
			}
			if info.ClientID != app.AppID || info.AppName != app.DisplayName || info.LoginHint != e.guestA.Mail ||
				!info.ForceLogin() || info.PromptNone() || info.RedirectURI != app.RedirectURIs[0] ||
				!slices.Contains(info.Scopes, "openid") {
				t.Errorf("AuthRequest = %+v", info)
			}
			if _, err := e.p.AuthRequest(e.ctx, e.b.ID, res.authReqID); !errors.Is(err, oidc.ErrAuthRequestNotFound) {
				t.Errorf("tenant B sees tenant A's auth request: %v", err)
			}
			// prompt=login: a sign-in from before the request does not do.
			_, err = e.p.CompleteAuthRequest(e.ctx, e.a.ID, res.authReqID, oidc.Login{UserID: e.guestA.ID, AuthTime: e.clock.Now().Add(-time.Hour)})
			if !errors.Is(err, oidc.ErrLoginTooOld) {
				t.Errorf("prompt=login with an old sign-in: %v, want ErrLoginTooOld", err)
			}
			e.login(t, f, res)
			// Pages of a completed request still open it (nothing is read
			// for them); its completion is once.
			if _, err := e.p.CompleteAuthRequest(e.ctx, e.a.ID, res.authReqID, oidc.Login{UserID: e.guestA.ID, AuthTime: e.clock.Now()}); !errors.Is(err, oidc.ErrAuthRequestDone) {
				t.Errorf("completed request completed again: %v, want ErrAuthRequestDone", err)
			}
		})

		t.Run("prompt=none without a session", func(t *testing.T) {
			app, _ := e.createApp(e.a, true)
			res, _ := e.authorize(t, flow{tenant: e.a, app: app, prompt: "none"})
			info, err := e.p.AuthRequest(e.ctx, e.a.ID, res.authReqID)
			if err != nil || !info.PromptNone() {
				t.Fatalf("AuthRequest = %+v, %v", info, err)
			}
			u, err := e.p.FailAuthRequest(e.ctx, e.a.ID, res.authReqID, oidc.FailLoginRequired, "")
			if err != nil {
				t.Fatalf("FailAuthRequest: %v", err)
			}
			loc, _ := url.Parse(u)
			if !strings.HasPrefix(u, app.RedirectURIs[0]+"?") || loc.Query().Get("error") != "login_required" ||
				loc.Query().Get("state") != res.state {
				t.Errorf("FailAuthRequest URL %s", u)
			}
		})
	})
}

func TestAuthorizationCodeFailures(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		pub, _ := e.createApp(e.a, true)
		conf, secret := e.createApp(e.a, false)

		t.Run("public client without PKCE", func(t *testing.T) {
			f := flow{tenant: e.a, app: pub, noPKCE: true}
			cfg := e.oauthConfig(f)
			resp, loc := get(t, cfg.AuthCodeURL("st4te"))
			if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("error") != "invalid_request" ||
				loc.Query().Get("state") != "st4te" || !strings.HasPrefix(loc.String(), pub.RedirectURIs[0]) {
				t.Fatalf("authorize without PKCE: status %d, location %v", resp.StatusCode, loc)
			}
		})

		t.Run("plain PKCE refused", func(t *testing.T) {
			cfg := e.oauthConfig(flow{tenant: e.a, app: conf})
			u := cfg.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", oauth2.GenerateVerifier()),
				oauth2.SetAuthURLParam("code_challenge_method", "plain"))
			_, loc := get(t, u)
			if loc == nil || loc.Query().Get("error") != "invalid_request" {
				t.Fatalf("plain PKCE: location %v", loc)
			}
		})

		t.Run("wrong code_verifier", func(t *testing.T) {
			f := flow{tenant: e.a, app: pub, user: e.guestA}
			res, verifier := e.authorize(t, f)
			code := e.login(t, f, res)
			_, err := res.config.Exchange(e.ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier()))
			if c := oauthErrorCode(t, err); c != "invalid_grant" {
				t.Fatalf("wrong verifier: %q, want invalid_grant", c)
			}
			_, err = res.config.Exchange(e.ctx, code)
			if c := oauthErrorCode(t, err); c != "invalid_request" {
				t.Fatalf("missing verifier: %q, want invalid_request", c)
			}
			// A client's mistake does not burn the code.
			if _, err := res.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier)); err != nil {
				t.Fatalf("the right verifier after the wrong ones: %v", err)
			}
		})

		t.Run("confidential client must send the verifier it committed to", func(t *testing.T) {
			f := flow{tenant: e.a, app: conf, secret: secret, user: e.guestA}
			res, _ := e.authorize(t, f)
			code := e.login(t, f, res)
			_, err := res.config.Exchange(e.ctx, code)
			if c := oauthErrorCode(t, err); c != "invalid_request" {
				t.Fatalf("no verifier: %q, want invalid_request", c)
			}
		})

		t.Run("confidential client without PKCE and with a wrong secret", func(t *testing.T) {
			f := flow{tenant: e.a, app: conf, secret: secret, user: e.guestA, noPKCE: true}
			res, _ := e.authorize(t, f)
			code := e.login(t, f, res)
			bad := *res.config
			bad.ClientSecret = "wrong"
			if _, err := bad.Exchange(e.ctx, code); oauthErrorCode(t, err) != "invalid_client" {
				t.Fatalf("wrong secret: %v", err)
			}
			if _, err := res.config.Exchange(e.ctx, code); err != nil {
				t.Fatalf("confidential client without PKCE: %v", err)
			}
		})

		t.Run("redirect_uri must match exactly", func(t *testing.T) {
			for _, uri := range []string{
				"http://127.0.0.1:9/cb/", "http://127.0.0.1:10/cb", "https://app.example/signin-oidc?x=1",
				"https://evil.example/cb",
			} {
				cfg := e.oauthConfig(flow{tenant: e.a, app: pub, redirectURI: uri})
				resp, loc := get(t, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
				if resp.StatusCode != http.StatusBadRequest || loc != nil {
					t.Errorf("redirect_uri %s: status %d, location %v; want 400 without redirect", uri, resp.StatusCode, loc)
				}
			}
		})

		t.Run("code used twice", func(t *testing.T) {
			f := flow{tenant: e.a, app: pub, user: e.guestA}
			res, verifier := e.authorize(t, f)
			code := e.login(t, f, res)
			if _, err := res.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier)); err != nil {
				t.Fatalf("first exchange: %v", err)
			}
			_, err := res.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
			if c := oauthErrorCode(t, err); c != "invalid_grant" {
				t.Fatalf("second exchange: %q, want invalid_grant", c)
			}
		})

		t.Run("code exchanged concurrently", func(t *testing.T) {
			f := flow{tenant: e.a, app: pub, user: e.guestA}
			res, verifier := e.authorize(t, f)
			code := e.login(t, f, res)
			const n = 10
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				ok      int
				granted []string
			)
			start := make(chan struct{})
			for range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, err := res.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
					mu.Lock()
					defer mu.Unlock()
					if err == nil {
						ok++
						return
					}
					granted = append(granted, oauthErrorCodeOf(err))
				}()
			}
			close(start)
			wg.Wait()
			if ok != 1 {
				t.Fatalf("%d of %d concurrent exchanges succeeded, want exactly 1 (others: %v)", ok, n, granted)
			}
			for _, c := range granted {
				if c != "invalid_grant" {
					t.Errorf("losing exchange answered %q, want invalid_grant", c)
				}
			}
		})

		t.Run("code of tenant A at tenant B", func(t *testing.T) {
			f := flow{tenant: e.a, app: pub, user: e.guestA}
			res, verifier := e.authorize(t, f)
			code := e.login(t, f, res)
			cfgB := *res.config
			cfgB.Endpoint.TokenURL = e.publicURL + "/" + e.b.ID + "/oauth2/v2.0/token"
			if _, err := cfgB.Exchange(e.ctx, code, oauth2.VerifierOption(verifier)); err == nil {
				t.Fatal("tenant B redeemed tenant A's code")
			}
		})

		t.Run("app of another tenant is unknown", func(t *testing.T) {
			cfg := e.oauthConfig(flow{tenant: e.b, app: pub})
			resp, loc := get(t, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			if resp.StatusCode != http.StatusBadRequest || loc != nil {
				t.Fatalf("tenant A's app at tenant B: status %d, location %v; want 400 without redirect", resp.StatusCode, loc)
			}
		})

		t.Run("callback before sign-in", func(t *testing.T) {
			res, _ := e.authorize(t, flow{tenant: e.a, app: pub})
			cb := e.publicURL + "/" + e.a.ID + "/oauth2/v2.0/authorize/callback?id=" + url.QueryEscape(res.authReqID)
			_, loc := get(t, cb)
			if loc == nil || loc.Query().Get("error") != "interaction_required" || loc.Query().Get("code") != "" {
				t.Fatalf("callback before sign-in: location %v", loc)
			}
		})

		t.Run("sign-in completes once", func(t *testing.T) {
			f := flow{tenant: e.a, app: pub, user: e.guestA}
			res, _ := e.authorize(t, f)
			e.login(t, f, res)
			_, err := e.p.CompleteAuthRequest(e.ctx, e.a.ID, res.authReqID, oidc.Login{UserID: e.guestA.ID, AuthTime: e.clock.Now()})
			if !errors.Is(err, oidc.ErrAuthRequestDone) {
				t.Fatalf("second CompleteAuthRequest: %v, want ErrAuthRequestDone", err)
			}
			_, err = e.p.CompleteAuthRequest(e.ctx, e.a.ID, "no-such-request", oidc.Login{UserID: e.guestA.ID, AuthTime: e.clock.Now()})
			if !errors.Is(err, oidc.ErrAuthRequestNotFound) {
				t.Fatalf("CompleteAuthRequest of an unknown request: %v, want ErrAuthRequestNotFound", err)
			}
		})

		t.Run("user of another tenant cannot complete", func(t *testing.T) {
			res, _ := e.authorize(t, flow{tenant: e.a, app: pub})
			_, err := e.p.CompleteAuthRequest(e.ctx, e.a.ID, res.authReqID, oidc.Login{UserID: e.guestB.ID, AuthTime: e.clock.Now()})
			if err == nil {
				t.Fatal("a user of tenant B completed a sign-in at tenant A")
			}
		})

		t.Run("expired code", func(t *testing.T) {
			f := flow{tenant: e.a, app: pub, user: e.guestA}
			res, verifier := e.authorize(t, f)
			code := e.login(t, f, res)
			e.clock.Advance(11 * time.Minute)
			defer e.clock.Advance(-11 * time.Minute)
			_, err := res.config.Exchange(e.ctx, code, oauth2.VerifierOption(verifier))
			if c := oauthErrorCode(t, err); c != "invalid_grant" {
				t.Fatalf("code after 11 minutes: %q, want invalid_grant", c)
			}
		})
	})
}

// TestSignInWrites pins the write transactions a sign-in costs at the
// provider: record the sign-in (which stores the request; the pending one
// lived in the browser), redeem the code (with its refresh token).
func TestSignInWrites(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		f := flow{tenant: e.a, app: app, user: e.guestA, scopes: []string{"openid", "offline_access"}}
		before := e.db.WriteTxCount()
		res := e.signIn(t, f)
		if res.token.RefreshToken == "" {
			t.Fatal("no refresh token")
		}
		if n := e.db.WriteTxCount() - before; n != 2 {
			t.Errorf("a sign-in took %d write transactions, want 2", n)
		}
	})
}

func oauthErrorCodeOf(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return err.Error()
}

// TestCompletedRequestIsFinal (issue 20, finding 11; docs/security.md: a
// sign-in request completes once): the pending handle the browser still
// holds cannot complete again after its code was exchanged, nor after the
// code expired unredeemed and the cleanup ran, for as long as the handle
// opens; the callback of a redeemed request issues no code.
func TestCompletedRequestIsFinal(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		app, _ := e.createApp(e.a, true)
		again := func(handle string) error {
			_, err := e.p.CompleteAuthRequest(e.ctx, e.a.ID, handle, oidc.Login{UserID: e.guestA.ID, AuthTime: e.clock.Now(), AMR: []string{"otp"}, IdP: "mail"})
			return err
		}

		t.Run("F11_after_the_code_exchange", func(t *testing.T) {
			res := e.signIn(t, flow{tenant: e.a, app: app, user: e.guestA})
			if err := again(res.authReqID); !errors.Is(err, oidc.ErrAuthRequestDone) {
				t.Fatalf("completing the exchanged request again = %v, want ErrAuthRequestDone", err)
			}
			e.clock.Advance(20 * time.Minute)
			defer e.clock.Advance(-20 * time.Minute)
			if err := e.p.Cleanup(e.ctx); err != nil {
				t.Fatal(err)
			}
			if err := again(res.authReqID); !errors.Is(err, oidc.ErrAuthRequestDone) {
				t.Fatalf("completing it again after the cleanup = %v, want ErrAuthRequestDone", err)
			}
		})

		t.Run("F11_code_expired_unredeemed", func(t *testing.T) {
			f := flow{tenant: e.a, app: app, user: e.guestA}
			res, _ := e.authorize(t, f)
			e.login(t, f, res)
			e.clock.Advance(30 * time.Minute)
			defer e.clock.Advance(-30 * time.Minute)
			if err := e.p.Cleanup(e.ctx); err != nil {
				t.Fatal(err)
			}
			if err := again(res.authReqID); !errors.Is(err, oidc.ErrAuthRequestDone) {
				t.Fatalf("completing the request again after its code expired = %v, want ErrAuthRequestDone", err)
			}
		})

		t.Run("F11_callback_of_a_redeemed_request", func(t *testing.T) {
			f := flow{tenant: e.a, app: app, user: e.guestA}
			res, verifier := e.authorize(t, f)
			callback, err := e.p.CompleteAuthRequest(e.ctx, e.a.ID, res.authReqID, oidc.Login{UserID: e.guestA.ID, AuthTime: e.clock.Now(), AMR: []string{"otp"}, IdP: "mail"})
			if err != nil {
				t.Fatal(err)
			}
			_, loc := get(t, callback)
			if _, err := res.config.Exchange(e.ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier)); err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if _, loc := get(t, callback); loc != nil && loc.Query().Get("code") != "" {
				t.Fatalf("the callback of a redeemed request issued another code: %s", loc)
			}
		})

		t.Run("handle_expired", func(t *testing.T) {
			res := e.signIn(t, flow{tenant: e.a, app: app, user: e.guestA})
			e.clock.Advance(2 * time.Hour)
			defer e.clock.Advance(-2 * time.Hour)
			if err := e.p.Cleanup(e.ctx); err != nil {
				t.Fatal(err)
			}
			if err := again(res.authReqID); !errors.Is(err, oidc.ErrAuthRequestNotFound) {
				t.Fatalf("completing an expired handle = %v, want ErrAuthRequestNotFound", err)
			}
		})
	})
}
