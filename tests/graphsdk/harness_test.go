package graphsdk

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/microsoft/kiota-abstractions-go/authentication"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
)

// guestgate is a `guestgate serve` process with one tenant and one app.
type guestgate struct {
	URL      string // http://127.0.0.1:port
	TenantID string
	AppID    string
	Secret   string
	log      *lockedBuffer
}

// startGuestgate builds guestgate from the repository, creates a tenant
// (domain fabrikam.example) and an app holding permissions with the CLI,
// and starts `guestgate serve` on a SQLite file until the test ends.
func startGuestgate(t *testing.T, permissions ...string) *guestgate {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "guestgate")
	build := exec.Command("go", "build", "-o", bin, "./cmd/guestgate")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build guestgate: %v\n%s", err, out)
	}
	// No request of the test sends mail (invitations go out with
	// sendInvitationMessage false), but serve wants a relay: a closed port.
	env := append(os.Environ(), "GUESTGATE_DATABASE_URL="+filepath.Join(dir, "guestgate.db"),
		"GUESTGATE_SECRET=graph-sdk-test-secret-0123456789abcdef", "GUESTGATE_LOG_LEVEL=warn",
		"GUESTGATE_SMTP_URL=smtp://"+freeAddr(t)+"?tls=none", "GUESTGATE_MAIL_FROM=guestgate@fabrikam.example")
	g := &guestgate{log: &lockedBuffer{}}
	var tenant struct{ ID string }
	cli(t, bin, env, &tenant, "tenant", "create", "--name", "Fabrikam", "--domain", "fabrikam.example", "--output", "json")
	args := []string{"app", "create", "--tenant", tenant.ID, "--name", "Graph SDK", "--output", "json"}
	for _, p := range permissions {
		args = append(args, "--permission", p)
	}
	var app struct{ AppID, ClientSecret string }
	cli(t, bin, env, &app, args...)
	g.TenantID, g.AppID, g.Secret = tenant.ID, app.AppID, app.ClientSecret

	addr := freeAddr(t)
	g.URL = "http://" + addr
	serve := exec.Command(bin, "serve")
	serve.Env = append(env, "GUESTGATE_LISTEN="+addr, "GUESTGATE_PUBLIC_URL="+g.URL)
	serve.Stdout, serve.Stderr = g.log, g.log
	serve.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = serve.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = serve.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = serve.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("guestgate serve:\n%s", g.log.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(g.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return g
			}
		}
		select {
		case <-exited:
			t.Fatalf("guestgate serve exited:\n%s", g.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("guestgate serve did not become ready: %v\n%s", err, g.log.String())
		}
		time.Sleep(20 * time.Millisecond) // polling /readyz, the condition waited on
	}
}

// cli runs a guestgate command with --output json and decodes its output.
func cli(t *testing.T, bin string, env []string, into any, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("guestgate %v: %v\n%s", args, err, stderr.String())
	}
	if err := json.Unmarshal(out, into); err != nil {
		t.Fatalf("guestgate %v printed %q: %v", args, out, err)
	}
}

// appToken gets an app-only access token from the tenant's token endpoint
// by client credentials, with Graph's scope, as Azure's SDK credentials do.
func (g *guestgate) appToken(t *testing.T) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {g.AppID}, "client_secret": {g.Secret},
		"scope": {"https://graph.microsoft.com/.default"}}
	resp, err := http.PostForm(g.URL+"/"+g.TenantID+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		t.Fatalf("client credentials token: %d %v", resp.StatusCode, err)
	}
	if !strings.EqualFold(tok.TokenType, "Bearer") {
		t.Fatalf("token_type %q, want Bearer", tok.TokenType)
	}
	return tok.AccessToken
}

// graphClient is the SDK's client for guestgate's /v1.0, authenticated by
// a static bearer token (no azcore credential: guestgate is not Entra's
// login endpoint, and the token is already at hand).
func (g *guestgate) graphClient(t *testing.T, token string) *msgraphsdk.GraphServiceClient {
	t.Helper()
	u, err := url.Parse(g.URL)
	if err != nil {
		t.Fatal(err)
	}
	auth := authentication.NewBaseBearerTokenAuthenticationProvider(staticToken{token: token, hosts: []string{u.Hostname()}})
	adapter, err := msgraphsdk.NewGraphRequestAdapter(auth)
	if err != nil {
		t.Fatal(err)
	}
	adapter.SetBaseUrl(g.URL + "/v1.0")
	return msgraphsdk.NewGraphServiceClient(adapter)
}

// staticToken is a kiota AccessTokenProvider that hands out one token,
// only to guestgate's host.
type staticToken struct {
	token string
	hosts []string
}

func (s staticToken) GetAuthorizationToken(_ context.Context, u *url.URL, _ map[string]any) (string, error) {
	v, err := s.validator()
	if err != nil {
		return "", err
	}
	if !v.IsUrlHostValid(u) {
		return "", nil
	}
	return s.token, nil
}

func (s staticToken) GetAllowedHostsValidator() *authentication.AllowedHostsValidator {
	v, _ := s.validator() // hosts from url.Hostname are valid
	return v
}

func (s staticToken) validator() (*authentication.AllowedHostsValidator, error) {
	return authentication.NewAllowedHostsValidatorErrorCheck(s.hosts)
}

// freeAddr returns a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// lockedBuffer collects a process's two output streams.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
