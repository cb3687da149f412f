package relyingparty

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildGuestgate builds guestgate from the repository into dir.
func buildGuestgate(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "guestgate")
	build := exec.Command("go", "build", "-o", bin, "./cmd/guestgate")
	build.Dir = filepath.Join("..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build guestgate: %v\n%s", err, out)
	}
	return bin
}

// buildOAuth2Proxy builds oauth2-proxy, unmodified, at the version this
// module's go.mod names (from the module cache or the Go module proxy).
func buildOAuth2Proxy(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "oauth2-proxy")
	build := exec.Command("go", "build", "-o", bin, "github.com/oauth2-proxy/oauth2-proxy/v7")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build oauth2-proxy: %v\n%s", err, out)
	}
	return bin
}

// cli runs a guestgate command with --output json and decodes its output.
func cli(t *testing.T, bin string, env []string, into any, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(args, "--output", "json")...)
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

// startProcess runs bin until the test ends and waits until GET ready
// answers 200; the process's output is logged if the test fails.
func startProcess(t *testing.T, name, bin string, env, args []string, ready string) {
	t.Helper()
	log := &lockedBuffer{}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s:\n%s", name, log.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("%s exited:\n%s", name, log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not become ready: %v\n%s", name, err, log.String())
		}
		time.Sleep(20 * time.Millisecond) // polling the readiness URL, the condition waited on
	}
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

// environ is the process environment with extra variables.
func environ(extra ...string) []string { return append(os.Environ(), extra...) }
