package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// syncBuffer is a bytes.Buffer safe for a command writing while a test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestAdminCommandsPrintNoLogLines: admin commands answer with their
// output only — no start-up log lines (migrations, routes) — unless
// --log-level asks for them.
func TestAdminCommandsPrintNoLogLines(t *testing.T) {
	db := "--database-url=" + filepath.Join(t.TempDir(), "quiet.db")
	for _, args := range [][]string{
		{"tenant", "create", db, "--name", "Fabrikam", "--domain", "fabrikam.example"},
		{"tenant", "list", db},
		{"user", "list", db, "--tenant", "fabrikam.example"},
		{"branding", "show", db, "--tenant", "fabrikam.example"},
	} {
		out, err := run(t, args...)
		if err != nil || strings.Contains(out, `"level"`) {
			t.Fatalf("%v printed log lines or failed: %v\n%s", args, err, out)
		}
	}
	// tenant list builds nothing that logs (no provider, no routes): on a
	// new database, the migrations it applies are its start-up lines, at
	// debug level (serve's info lines are its start and stop lines).
	fresh := "--database-url=" + filepath.Join(t.TempDir(), "fresh.db")
	out, err := run(t, "tenant", "list", fresh, "--log-level", "debug")
	if err != nil || !strings.Contains(out, `"level":"DEBUG"`) {
		t.Fatalf("tenant list --log-level debug: want its log lines: %v\n%s", err, out)
	}
}

// TestServeSMTPCheckStrict: serve checks the SMTP server at start (EHLO,
// STARTTLS as configured, AUTH); with --smtp-check=strict a wrong password
// stops it with the reason, before it serves. The URL, password included,
// comes from the file GUESTGATE_SMTP_URL_FILE names (never a flag value).
func TestServeSMTPCheckStrict(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.WithAuth("relay", "right"))
	bad := strings.Replace(smtp.URL(), "relay:right@", "relay:wrong@", 1)
	t.Setenv("GUESTGATE_SECRET", strings.Repeat("s", 40))
	t.Setenv("GUESTGATE_SMTP_URL_FILE", privateFile(t, bad+"\n", 0o600))
	db := "--database-url=" + filepath.Join(t.TempDir(), "serve.db")
	done := make(chan error, 1)
	var out string
	go func() {
		var err error
		out, err = run(t, "serve", db, "--listen", freeAddr(t), "--mail-from", "noreply@fabrikam.example", "--smtp-check", "strict")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "SMTP check failed") {
			t.Fatalf("serve with a wrong SMTP password and --smtp-check=strict = %v\n%s", err, out)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on a failed strict SMTP check")
	}
}

// TestServeRefusesSMTPWithoutStartTLS: tls=starttls (the default) against a
// server that offers no STARTTLS is a configuration error, not a temporary
// one: serve refuses to start under the default check and says what to set.
func TestServeRefusesSMTPWithoutStartTLS(t *testing.T) {
	smtp := mailtest.Start(t) // plain SMTP, no STARTTLS
	t.Setenv("GUESTGATE_SECRET", strings.Repeat("s", 40))
	t.Setenv("GUESTGATE_SMTP_URL", strings.Replace(smtp.URL(), "tls=none", "tls=starttls", 1))
	done := make(chan error, 1)
	go func() {
		_, err := run(t, "serve", "--database-url="+filepath.Join(t.TempDir(), "serve.db"), "--listen", freeAddr(t),
			"--mail-from", "noreply@fabrikam.example")
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "configuration error") || !strings.Contains(err.Error(), "tls=implicit") {
			t.Fatalf("serve against a server without STARTTLS = %v; want a configuration error naming tls=", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop on an SMTP server without STARTTLS")
	}
}

// TestServeSMTPCheckWarns: without strict, a failed check is one clear
// warning and serve goes on serving.
func TestServeSMTPCheckWarns(t *testing.T) {
	smtp := mailtest.Start(t, mailtest.WithAuth("relay", "right"))
	bad := strings.Replace(smtp.URL(), "relay:right@", "relay:wrong@", 1)
	t.Setenv("GUESTGATE_SECRET", strings.Repeat("s", 40))
	t.Setenv("GUESTGATE_SMTP_URL", bad)
	addr := freeAddr(t)
	root := newRootCommand()
	var out syncBuffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"serve", "--database-url=" + filepath.Join(t.TempDir(), "serve.db"), "--listen", addr,
		"--mail-from", "noreply@fabrikam.example"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	defer func() { cancel(); <-done }()
	waitHTTP(t, "http://"+addr+"/healthz", done)
	if !strings.Contains(out.String(), "SMTP check failed") || !strings.Contains(out.String(), "outbox") {
		t.Fatalf("serve's log lacks the SMTP warning:\n%s", out.String())
	}
}

// waitHTTP waits until u answers 200, failing if the command ends first.
func waitHTTP(t *testing.T, u string, done chan error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("the command ended: %v", err)
		default:
		}
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered", u)
}

// TestDemoBannerAfterPortsBound: the demo prints its banner only when both
// ports answer, and keeps request logs out of the terminal.
func TestDemoBannerAfterPortsBound(t *testing.T) {
	addr, appAddr := freeAddr(t), freeAddr(t)
	root := newRootCommand()
	var out syncBuffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"demo", "--listen", addr, "--public-url", "http://" + addr, "--demo-app-listen", appAddr})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(out.String(), "guestgate demo is running") {
		if time.Now().After(deadline) {
			t.Fatalf("no banner:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The moment the banner shows, both ports accept connections.
	for _, a := range []string{addr, appAddr} {
		c, err := net.DialTimeout("tcp", a, time.Second)
		if err != nil {
			t.Fatalf("banner printed but %s refuses connections: %v", a, err)
		}
		c.Close()
	}
	waitHTTP(t, "http://"+addr+"/healthz", done)
	resp, err := http.Get("http://" + addr + "/dev/mailbox")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	time.Sleep(100 * time.Millisecond)
	if s := out.String(); strings.Contains(s, `"level"`) {
		t.Fatalf("the demo printed log lines:\n%s", s)
	}
}
