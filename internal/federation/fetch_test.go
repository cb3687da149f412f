package federation

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/egress"
)

// partnerOP is a partner's OpenID provider on a test server: discovery
// (answering status with body when status is not 200), a token endpoint
// that returns an ID token signed with a key it never publishes, and keys
// and a token endpoint at the addresses the test names.
type partnerOP struct {
	*httptest.Server
	hits              atomic.Int32
	mu                sync.Mutex
	status            int
	body              string
	tokenURL, jwksURL string
}

func startPartnerOP(t *testing.T, tls bool) *partnerOP {
	t.Helper()
	op := &partnerOP{status: http.StatusOK}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		op.hits.Add(1)
		op.mu.Lock()
		status, body, tok, jwks := op.status, op.body, op.tokenURL, op.jwksURL
		op.mu.Unlock()
		if status != http.StatusOK {
			http.Error(w, body, status)
			return
		}
		if tok == "" {
			tok = op.URL + "/token"
		}
		if jwks == "" {
			jwks = op.URL + "/keys"
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": op.URL, "authorization_endpoint": op.URL + "/authorize",
			"token_endpoint": tok, "jwks_uri": jwks, "id_token_signing_alg_values_supported": []string{"RS256"}})
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		enc := func(v any) string { b, _ := json.Marshal(v); return base64.RawURLEncoding.EncodeToString(b) }
		idt := enc(map[string]string{"alg": "RS256", "kid": "unpublished"}) + "." +
			enc(map[string]any{"iss": op.URL, "aud": "client", "sub": "s", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()}) + "." +
			base64.RawURLEncoding.EncodeToString([]byte("not a signature"))
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": "a", "token_type": "Bearer", "id_token": idt})
	})
	if tls {
		op.Server = httptest.NewTLSServer(mux)
	} else {
		op.Server = httptest.NewServer(mux)
	}
	t.Cleanup(op.Close)
	return op
}

func (op *partnerOP) set(f func(op *partnerOP)) {
	op.mu.Lock()
	defer op.mu.Unlock()
	f(op)
}

// internalService counts connections: a test shows a refused fetch never
// connected to it.
func internalService(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"internal-only":"root:x:0:0"}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			hits.Add(1)
		}
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &hits
}

// logBuffer is a log the test reads.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func testService(t *testing.T, eg egress.Options, clk clock.Clock) (*Service, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	s, err := NewService(Config{PublicURL: "https://login.example", Key: bytes.Repeat([]byte("k"), 32), Egress: eg},
		Deps{Clock: clk, Log: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s, logs
}

func oidcFederation(s *Service, issuer string) Federation {
	f := Federation{TenantID: "t1", ID: "f1", Kind: KindOIDC, DisplayName: "Partner", Issuer: issuer, Domains: []string{"partner.example"},
		Settings: Settings{ClientID: "client"}}
	f.Settings.SealedSecret = s.secrets.seal(f.TenantID, f.ID, "client-secret")
	return f
}

func authURL(t *testing.T, s *Service, f Federation) (string, error) {
	t.Helper()
	p, err := s.Provider(f)
	if err != nil {
		t.Fatal(err)
	}
	return p.AuthURL(context.Background(), NewState("ana@partner.example"), "relay")
}

func wantUnreachable(t *testing.T, rule string, err error, leaks ...string) *PartnerError {
	t.Helper()
	var pe *PartnerError
	if !errors.As(err, &pe) || pe.Problem != ProblemUnreachable {
		t.Fatalf("%s: %v, want the partner unreachable", rule, err)
	}
	for _, l := range leaks {
		if strings.Contains(pe.Error(), l) {
			t.Fatalf("%s: the sign-in log's detail %q shows %q", rule, pe.Detail, l)
		}
	}
	return pe
}

// TestDiscoveryCached (issue 20, finding 4): sign-ins at a federated
// domain do not each fetch the partner's discovery document; a document
// is kept for DiscoveryTTL, a failure for DiscoveryFailureTTL. A failure
// tells the sign-in log which step failed, never the answer; the
// deployment's log has the cause.
func TestDiscoveryCached(t *testing.T) {
	op := startPartnerOP(t, false)
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s, logs := testService(t, egress.Options{AllowHTTP: true, Allow: mustAllow(t, "127.0.0.0/8")}, clk)
	f := oidcFederation(s, op.URL)

	for i := 0; i < 5; i++ {
		if u, err := authURL(t, s, f); err != nil || !strings.HasPrefix(u, op.URL+"/authorize?") {
			t.Fatalf("AuthURL = %q %v", u, err)
		}
	}
	if n := op.hits.Load(); n != 1 {
		t.Fatalf("F4_discovery_cached: 5 sign-ins fetched discovery %d times, want once", n)
	}
	clk.Advance(DiscoveryTTL)
	op.set(func(op *partnerOP) {
		op.status, op.body = http.StatusInternalServerError, "internal-only: db password hunter2"
	})
	_, err := authURL(t, s, f)
	pe := wantUnreachable(t, "F4_failure_generic", err, "internal-only", "hunter2", "500")
	if !strings.Contains(pe.Detail, "OpenID Connect discovery at "+op.URL) {
		t.Fatalf("the sign-in log should name the step: %q", pe.Detail)
	}
	if n := op.hits.Load(); n != 2 {
		t.Fatalf("after DiscoveryTTL discovery should be fetched again: %d fetches", n)
	}
	if !strings.Contains(logs.String(), "500 Internal Server Error") {
		t.Fatalf("the deployment's log should keep the cause:\n%s", logs)
	}
	for i := 0; i < 5; i++ {
		_, err = authURL(t, s, f)
		wantUnreachable(t, "F4_failure_cached", err)
	}
	if n := op.hits.Load(); n != 2 {
		t.Fatalf("F4_failure_cached: failed discovery fetched again %d times within DiscoveryFailureTTL", n-2)
	}
	op.set(func(op *partnerOP) { op.status = http.StatusOK })
	clk.Advance(DiscoveryFailureTTL)
	if _, err := authURL(t, s, f); err != nil || op.hits.Load() != 3 {
		t.Fatalf("after DiscoveryFailureTTL discovery is tried again: %v, %d fetches", err, op.hits.Load())
	}
}

func mustAllow(t *testing.T, s string) egress.AllowList {
	t.Helper()
	a, err := egress.ParseAllowList(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestFetchesRefuseInternalAddresses (issue 20, finding 4): with the
// production default, discovery at a loopback issuer is refused before
// any connection; with the partner allow-listed, its discovery document
// cannot send the token request or the key fetch to an internal address.
// No step tells the sign-in log the address's kind or the answer.
func TestFetchesRefuseInternalAddresses(t *testing.T) {
	op := startPartnerOP(t, true)
	roots := op.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	clk := clock.NewFake(time.Now())

	prod, logs := testService(t, egress.Options{RootCAs: roots}, clk)
	_, err := authURL(t, prod, oidcFederation(prod, op.URL))
	wantUnreachable(t, "F4_loopback_issuer_refused", err, "loopback", "refused", "allow")
	if op.hits.Load() != 0 || !strings.Contains(logs.String(), "loopback") {
		t.Fatalf("the refused discovery reached the server (%d) or the log lacks the cause:\n%s", op.hits.Load(), logs)
	}

	internal, internalHits := internalService(t)
	u, _ := url.Parse(op.URL)
	s, logs := testService(t, egress.Options{RootCAs: roots, Allow: mustAllow(t, u.Host)}, clk)
	f := oidcFederation(s, op.URL)
	finish := func() error {
		p, err := s.Provider(f)
		if err != nil {
			t.Fatal(err)
		}
		st := NewState("ana@partner.example")
		r := httptest.NewRequest(http.MethodGet, "/callback?code=c&state=relay", nil)
		_, err = p.Finish(context.Background(), st, r)
		return err
	}
	op.set(func(op *partnerOP) { op.tokenURL = internal.URL + "/token" })
	wantUnreachable(t, "F4_token_endpoint_internal_refused", finish(), "internal-only", "loopback")

	clk.Advance(DiscoveryTTL)
	op.set(func(op *partnerOP) { op.tokenURL, op.jwksURL = "", internal.URL+"/keys" })
	wantUnreachable(t, "F4_keys_internal_refused", finish(), "internal-only", "loopback")
	if internalHits.Load() != 0 {
		t.Fatalf("the internal service was reached %d times", internalHits.Load())
	}
	if !strings.Contains(logs.String(), "code exchange failed") || !strings.Contains(logs.String(), "signing keys could not be fetched") {
		t.Fatalf("the deployment's log should keep both causes:\n%s", logs)
	}
}

// TestMetadataFetch (issue 20, finding 4): a SAML metadata URL is https
// (plain http only with the development switch), fetched through the
// egress client, and a failure is ErrMetadataUnavailable without cause:
// no port, no status, no byte of the answer.
func TestMetadataFetch(t *testing.T) {
	internal, hits := internalService(t)
	roots := internal.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs
	clk := clock.NewFake(time.Now())
	read := func(s *Service, u string) error {
		f := Federation{TenantID: "t1", Kind: KindSAML, Settings: Settings{MetadataURL: u}}
		return s.readMetadata(context.Background(), &f, "")
	}
	prod, logs := testService(t, egress.Options{RootCAs: roots}, clk)
	err := read(prod, internal.URL+"/metadata")
	if err != ErrMetadataUnavailable || hits.Load() != 0 || !strings.Contains(logs.String(), "loopback") {
		t.Fatalf("F4_metadata_loopback_refused: %v, %d hits, log:\n%s", err, hits.Load(), logs)
	}
	var ve *ValidationError
	if err := read(prod, "http://idp.partner.example/metadata"); !errors.As(err, &ve) || ve.Property != "metadataUrl" {
		t.Fatalf("F4_metadata_plain_http_refused: %v", err)
	}

	u, _ := url.Parse(internal.URL)
	allowed, logs := testService(t, egress.Options{RootCAs: roots, Allow: mustAllow(t, u.Host)}, clk)
	if err := read(allowed, internal.URL+"/metadata"); err != ErrMetadataUnavailable || !strings.Contains(logs.String(), "not SAML metadata") {
		t.Fatalf("F4_metadata_not_saml_generic: %v, log:\n%s", err, logs)
	}
	if strings.Contains(ErrMetadataUnavailable.Error(), "internal-only") {
		t.Fatal("the error shows the answer")
	}

	// A partner allow-listed (as a public one is allowed) cannot redirect
	// the fetch to an internal address, nor answer without bound.
	var redirectTo string
	front := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big" {
			_, _ = w.Write(bytes.Repeat([]byte("<x/>"), egress.DefaultMaxBytes/4+1))
			return
		}
		http.Redirect(w, r, redirectTo, http.StatusFound)
	}))
	t.Cleanup(front.Close)
	fu, _ := url.Parse(front.URL)
	partner, logs := testService(t, egress.Options{RootCAs: roots, Allow: mustAllow(t, fu.Host)}, clk)
	redirectTo = internal.URL + "/metadata"
	before := hits.Load()
	if err := read(partner, front.URL+"/metadata"); err != ErrMetadataUnavailable || hits.Load() != before || !strings.Contains(logs.String(), "loopback") {
		t.Fatalf("F4_metadata_redirect_to_internal_refused: %v, %d hits, log:\n%s", err, hits.Load(), logs)
	}
	if err := read(partner, front.URL+"/big"); err != ErrMetadataUnavailable || !strings.Contains(logs.String(), "larger than the limit") {
		t.Fatalf("F4_metadata_oversized_refused: %v, log:\n%s", err, logs)
	}
}
