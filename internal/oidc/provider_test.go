package oidc_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/assignment"
	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/oidc"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// env is one engine's database, two tenants with a guest each, and the
// provider behind a test router that does what guestgate's router does:
// resolve /{tenant} (id or verified domain), strip it, put the tenant in
// the context.
type env struct {
	t         *testing.T
	ctx       context.Context
	db        *sqlstore.DB
	clock     *clock.Fake
	key       [32]byte
	oldKeys   [][32]byte // earlier secrets' keys, newest first
	p         *oidc.Provider
	srv       *httptest.Server
	publicURL string
	a, b      directory.Tenant
	guestA    directory.User
	guestB    directory.User
	sessions  *fakeSessions
	access    *fakeAccess
	assign    *fakeAssignments
	dir       *countingDirectory
}

// countingDirectory is the store's directory, counting the reads of a
// user by id.
type countingDirectory struct {
	directory.Store
	mu       sync.Mutex
	getUsers int
}

func (d *countingDirectory) GetUser(ctx context.Context, tenantID, id string) (directory.User, error) {
	d.mu.Lock()
	d.getUsers++
	d.mu.Unlock()
	return d.Store.GetUser(ctx, tenantID, id)
}

// userReads returns how many times a user was read by id.
func (d *countingDirectory) userReads() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.getUsers
}

// forEachEngine runs fn on SQLite and on PostgreSQL.
func forEachEngine(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, eng := range testenv.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			fn(t, newEnv(t, eng.DSN(t)))
		})
	}
}

func newEnv(t *testing.T, dsn string) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	e := &env{t: t, ctx: ctx, db: db, clock: clock.NewFake(time.Now()), sessions: &fakeSessions{}, access: &fakeAccess{},
		assign: &fakeAssignments{}, dir: &countingDirectory{Store: db}}
	if _, err := rand.Read(e.key[:]); err != nil {
		t.Fatal(err)
	}
	e.a = e.createTenant("fabrikam")
	e.b = e.createTenant("contoso")
	e.guestA = e.createGuest(e.a, "Teri.Ng@gmail.example")
	e.guestB = e.createGuest(e.b, "sam@outlook.example")

	e.srv = httptest.NewServer(http.HandlerFunc(e.route))
	t.Cleanup(e.srv.Close)
	e.publicURL = e.srv.URL
	e.p = e.newProvider()
	return e
}

// newProvider starts a provider on env's database, as another process would.
func (e *env) newProvider() *oidc.Provider {
	e.t.Helper()
	p, err := oidc.NewProvider(oidc.Config{
		PublicURL:     e.publicURL,
		Insecure:      true,
		CryptoKey:     e.key,
		OldCryptoKeys: e.oldKeys,
	}, oidc.Deps{
		Apps:         e.db,
		Keys:         e.db,
		AuthRequests: e.db,
		Directory:    e.dir,
		Salts:        e.db,
		Tx:           e.db,
		Clock:        e.clock,
		Sessions:     e.sessions,
		Access:       e.access,
		Assignments:  e.assign,
	})
	if err != nil {
		e.t.Fatalf("NewProvider: %v", err)
	}
	return p
}

// route plays guestgate's router.
func (e *env) route(w http.ResponseWriter, r *http.Request) {
	seg, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	t, err := e.db.GetTenant(r.Context(), seg)
	if err != nil {
		t, err = e.db.GetTenantByDomain(r.Context(), seg)
	}
	if err != nil {
		http.NotFound(w, r)
		return
	}
	r2 := r.Clone(oidc.WithTenant(r.Context(), t))
	r2.URL.Path, r2.URL.RawPath = "/"+rest, ""
	e.p.Handler().ServeHTTP(w, r2)
}

func (e *env) createTenant(name string) directory.Tenant {
	e.t.Helper()
	t := directory.Tenant{
		ID:            uuid.NewString(),
		DisplayName:   name,
		InitialDomain: name + ".guestgate.local",
		Domains:       []string{name + ".guestgate.local", name + ".example"},
		Cloud:         directory.CloudPublic,
		Managed:       true,
		CreatedAt:     e.clock.Now(),
	}
	if err := e.db.CreateTenant(e.ctx, t); err != nil {
		e.t.Fatalf("create tenant: %v", err)
	}
	return t
}

func (e *env) createGuest(t directory.Tenant, mail string) directory.User {
	e.t.Helper()
	u := directory.User{
		TenantID:                   t.ID,
		ID:                         uuid.NewString(),
		UserType:                   directory.UserTypeGuest,
		DisplayName:                "Guest " + mail,
		Mail:                       mail,
		UserPrincipalName:          directory.GuestUserPrincipalName(mail, t.InitialDomain),
		CreationType:               "Invitation",
		AccountEnabled:             true,
		ExternalUserState:          directory.StateAccepted,
		ExternalUserStateChangedAt: e.clock.Now(),
		IdP:                        directory.IdPMail,
		IdPIssuer:                  "mail",
		CreatedAt:                  e.clock.Now(),
	}
	if err := e.db.CreateUser(e.ctx, u); err != nil {
		e.t.Fatalf("create user: %v", err)
	}
	return u
}

// createApp registers an app in tenant t.
func (e *env) createApp(t directory.Tenant, public bool, perms ...string) (oidc.App, string) {
	e.t.Helper()
	a, secret, err := e.p.CreateApp(e.ctx, t.ID, "Woodgrove Portal", perms,
		[]string{"http://127.0.0.1:9/cb", "https://app.example/signin-oidc"},
		[]string{"https://app.example/signed-out"}, public)
	if err != nil {
		e.t.Fatalf("CreateApp: %v", err)
	}
	if public != (secret == "") {
		e.t.Fatalf("CreateApp(public=%v) returned a secret: %v", public, secret != "")
	}
	return a, secret
}

func (e *env) issuer(t directory.Tenant) string { return e.publicURL + "/" + t.ID + "/v2.0" }

// goProvider runs go-oidc's discovery for a tenant.
func (e *env) goProvider(t directory.Tenant) *gooidc.Provider {
	e.t.Helper()
	gp, err := gooidc.NewProvider(e.ctx, e.issuer(t))
	if err != nil {
		e.t.Fatalf("go-oidc discovery of %s: %v", e.issuer(t), err)
	}
	return gp
}

// jwtClaims decodes a JWT's payload without checking it (the checks are
// the subject of the tests).
func jwtClaims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("decode JWT payload: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("JWT payload: %v", err)
	}
	return m
}

// jwtHeader decodes a JWT's header.
func jwtHeader(t *testing.T, raw string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err != nil {
		t.Fatalf("decode JWT header: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("JWT header: %v", err)
	}
	return m
}

// fakeSessions records logouts and clears a cookie, as the web package would.
type fakeSessions struct {
	mu    sync.Mutex
	ended []string
}

func (f *fakeSessions) endedTenants() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.ended...)
}

func (f *fakeSessions) EndBrowserSession(w http.ResponseWriter, _ *http.Request, tenantID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ended = append(f.ended, tenantID)
	http.SetCookie(w, &http.Cookie{Name: "gg_session", Value: "", MaxAge: -1, Path: "/"})
	return nil
}

// fakeAccess refuses the users it was told to, as the sign-in service
// refuses a passcode guest once passcodes are off, and the users it was
// told to refuse at one app, as it refuses a user no longer assigned to
// an app that requires assignment.
type fakeAccess struct {
	mu      sync.Mutex
	refused map[string]bool // by user id, or user id "|" app id
	handed  []assignment.Access
}

// handedAccess returns the accesses the provider handed to the check.
func (f *fakeAccess) handedAccess() []assignment.Access {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.handed)
}

func (f *fakeAccess) refuse(userID string, refused bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refused == nil {
		f.refused = map[string]bool{}
	}
	f.refused[userID] = refused
}

// refuseAt refuses (or allows again) the user at one app only.
func (f *fakeAccess) refuseAt(userID, appID string, refused bool) {
	f.refuse(userID+"|"+appID, refused)
}

func (f *fakeAccess) Allowed(_ context.Context, _ directory.Tenant, u directory.User, appID string, access assignment.Access) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handed = append(f.handed, access)
	if f.refused[u.ID] {
		return fmt.Errorf("%w: %w", oidc.ErrAccessEnded, &oidc.Refusal{Code: 50020, Err: errors.New("passcodes are turned off")})
	}
	if f.refused[u.ID+"|"+appID] || !access.Allowed() {
		return fmt.Errorf("%w: %w", oidc.ErrAccessEnded, &oidc.Refusal{Code: 50105, Err: errors.New("the user is not assigned to the app")})
	}
	return nil
}

func getJSON(t *testing.T, url string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestDiscovery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *env) {
		base := e.publicURL + "/" + e.a.ID
		want := map[string]string{
			"issuer":                 base + "/v2.0",
			"authorization_endpoint": base + "/oauth2/v2.0/authorize",
			"token_endpoint":         base + "/oauth2/v2.0/token",
			"jwks_uri":               base + "/discovery/v2.0/keys",
			"userinfo_endpoint":      base + "/openid/userinfo",
			"end_session_endpoint":   base + "/oauth2/v2.0/logout",
		}
		// By tenant id and by verified domain: the issuer always names the tenant id.
		for _, seg := range []string{e.a.ID, "fabrikam.example"} {
			code, doc := getJSON(t, e.publicURL+"/"+seg+"/v2.0/.well-known/openid-configuration")
			if code != http.StatusOK {
				t.Fatalf("discovery via %s: status %d", seg, code)
			}
			for k, v := range want {
				if doc[k] != v {
					t.Errorf("discovery via %s: %s = %v, want %s", seg, k, doc[k], v)
				}
			}
			for _, k := range []string{"introspection_endpoint", "revocation_endpoint", "device_authorization_endpoint"} {
				if _, ok := doc[k]; ok {
					t.Errorf("discovery advertises %s, which is not served", k)
				}
			}
			assertList(t, doc, "code_challenge_methods_supported", "S256")
			assertList(t, doc, "id_token_signing_alg_values_supported", "RS256", "ES256")
			assertList(t, doc, "grant_types_supported", "authorization_code", "refresh_token", "client_credentials")
			assertList(t, doc, "response_types_supported", "code")
			assertList(t, doc, "token_endpoint_auth_methods_supported", "client_secret_basic", "client_secret_post", "none")
		}
		// go-oidc accepts the issuer (it checks that discovery names it exactly).
		gp := e.goProvider(e.a)
		if gp.Endpoint().TokenURL != want["token_endpoint"] {
			t.Errorf("go-oidc token URL %q", gp.Endpoint().TokenURL)
		}
		// The JWKS has the signing keys: an RSA key and a P-256 key.
		code, jwks := getJSON(t, base+"/discovery/v2.0/keys")
		if keys, _ := jwks["keys"].([]any); code != http.StatusOK || len(keys) != 2 {
			t.Fatalf("JWKS: status %d, keys %v", code, jwks["keys"])
		}
		// Paths other than the provider's are not served below the tenant.
		if code, _ := getJSON(t, base+"/healthz"); code != http.StatusNotFound {
			t.Errorf("GET /{tenant}/healthz: status %d, want 404", code)
		}
	})
}

func assertList(t *testing.T, doc map[string]any, key string, want ...string) {
	t.Helper()
	got, _ := doc[key].([]any)
	if len(got) != len(want) {
		t.Errorf("%s = %v, want %v", key, got, want)
		return
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s = %v, want %v", key, got, want)
			return
		}
	}
}

func TestNewProviderValidatesConfig(t *testing.T) {
	var key [32]byte
	key[0] = 1
	cases := []struct {
		name string
		cfg  oidc.Config
	}{
		{"http without Insecure", oidc.Config{PublicURL: "http://127.0.0.1:8080", CryptoKey: key}},
		{"relative URL", oidc.Config{PublicURL: "/login", CryptoKey: key, Insecure: true}},
		{"no crypto key", oidc.Config{PublicURL: "https://login.example"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.cfg.Validate(); err == nil {
				t.Fatalf("Validate(%+v) = nil, want an error", c.cfg)
			}
		})
	}
	ok := oidc.Config{PublicURL: "https://login.example", CryptoKey: key}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(https) = %v", err)
	}
}
