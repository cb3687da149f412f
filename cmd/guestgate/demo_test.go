package main

import (
	"context"
	"net"
	"net/http"
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
