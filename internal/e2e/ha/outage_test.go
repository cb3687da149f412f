package ha

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/server"
	"github.com/guestgate/guestgate/internal/testenv"
)

// tcpProxy forwards connections to a target until cut: then it closes
// every connection and refuses new ones, as a database that went down.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go p.serve()
	return p
}

func (p *tcpProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

// cut closes every open connection and refuses new ones until restore.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *tcpProxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// TestDatabaseDownAnswers503 (security review item 8): while PostgreSQL
// cannot be reached, the admin API answers 503 with Retry-After in
// Graph's envelope, pages answer 503, /readyz fails; once it is back, the
// same requests succeed without a restart.
func TestDatabaseDownAnswers503(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	in := e2etest.Start(t, e2etest.StartOptions{DSN: u.String()})
	tn, admin := in.TenantWithAdmin("Fabrikam", "fabrikam.example", "User.Read.All", "User.Invite.All")
	b := e2etest.NewBrowser(t)
	login := b.Get(in.URL + "/" + tn.ID + "/login")
	if status, _, raw := e2etest.GraphCall(t, admin, http.MethodGet, in.URL+"/v1.0/users", nil); status != http.StatusOK {
		t.Fatalf("users before the outage = %d %s", status, raw)
	}

	proxy.cut()
	status, h, raw := e2etest.GraphCall(t, admin, http.MethodGet, in.URL+"/v1.0/users", nil)
	if status != http.StatusServiceUnavailable || h.Get("Retry-After") == "" || !strings.Contains(string(raw), `"code":"serviceNotAvailable"`) {
		t.Fatalf("users while the database is down = %d, Retry-After %q, %s; want 503 in the envelope", status, h.Get("Retry-After"), raw)
	}
	next := b.Submit(in.URL, login, "/"+tn.ID+"/login/next", map[string]string{"email": "teri@gmail.example"})
	if next.Status != http.StatusServiceUnavailable || next.Header.Get("Retry-After") == "" || !strings.Contains(next.Body, "briefly unavailable") {
		t.Fatalf("sign-in page while the database is down = %d:\n%s", next.Status, next.Body)
	}
	// A tenant that must be looked up: the same page, not plain text.
	if p := e2etest.NewBrowser(t).Get(in.URL + "/contoso-outage.example/login"); p.Status != http.StatusServiceUnavailable ||
		p.Header.Get("Retry-After") == "" || !strings.Contains(p.Body, "briefly unavailable") {
		t.Fatalf("a tenant's page while the database is down = %d %s:\n%s", p.Status, p.Header.Get("Content-Type"), p.Body)
	}
	if p := e2etest.NewBrowser(t).Get(in.URL + "/readyz"); p.Status != http.StatusServiceUnavailable {
		t.Fatalf("/readyz while the database is down = %d", p.Status)
	}

	proxy.restore()
	deadline := time.Now().Add(20 * time.Second)
	for {
		status, _, raw = e2etest.GraphCall(t, admin, http.MethodGet, in.URL+"/v1.0/users", nil)
		if status == http.StatusOK {
			break
		}
		if status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("users after the database is back = %d %s", status, raw)
		}
		time.Sleep(50 * time.Millisecond) // poll the condition: the pool reconnects on demand
	}
}

// TestSlowRequestIsCutOff (security review item 8): a client that trickles
// its request body is disconnected at the read timeout, not held forever.
func TestSlowRequestIsCutOff(t *testing.T) {
	in := e2etest.Start(t, e2etest.StartOptions{DSN: testenv.SQLiteDSN(t), Configure: func(c *server.Config) {
		c.HTTP.ReadTimeout = 500 * time.Millisecond
	}})
	c, err := net.Dial("tcp", strings.TrimPrefix(in.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	begin := time.Now()
	if _, err := io.WriteString(c, "POST /v1.0/invitations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"); err != nil {
		t.Fatal(err)
	}
	closed := make(chan time.Duration, 1)
	go func() {
		_, _ = io.Copy(io.Discard, bufio.NewReader(c))
		closed <- time.Since(begin)
	}()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case took := <-closed:
			if took > 5*time.Second {
				t.Fatalf("the slow request was cut off after %s", took)
			}
			return
		case <-tick.C:
			// One byte a tick: far slower than any real client.
			if _, err := c.Write([]byte(" ")); err != nil && !errors.Is(err, net.ErrClosed) {
				took := time.Since(begin)
				if took > 5*time.Second {
					t.Fatalf("the slow request was cut off after %s", took)
				}
				return
			}
			if time.Since(begin) > 10*time.Second {
				t.Fatal("a request trickling its body was never cut off")
			}
		}
	}
}
