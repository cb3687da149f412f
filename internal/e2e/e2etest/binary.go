package e2etest

import (
	"bytes"
	"context"
	"fmt"
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

// The guestgate binary, built once per test process the way
// deploy/Containerfile builds it: CGO_ENABLED=0, -trimpath, a static
// executable.
var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
	binaryDir  string
)

// GuestgateBinary builds (once per test process) and returns the static
// guestgate binary. Several test packages build it, at the same time
// under go test ./...; the builds take turns on a lock file, so that the
// first compiles and the others find every package in the go build cache
// and only link.
func GuestgateBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "guestgate-bin-")
		if binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "guestgate")
		unlock, err := lockBuild()
		if err != nil {
			binaryErr = err
			return
		}
		defer unlock()
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", binaryPath, "github.com/guestgate/guestgate/cmd/guestgate")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

// lockBuild takes an exclusive lock shared by every test process of this
// machine building the binary; unlock releases it (the kernel does, too,
// when the process dies).
func lockBuild() (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(os.TempDir(), "guestgate-e2e-build.lock"), os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("build lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("build lock: %w", err)
	}
	return func() { f.Close() }, nil
}

// Main runs a test package's tests (its TestMain calls it) and removes
// the binary GuestgateBinary built, if any; it returns the exit code.
func Main(m *testing.M) int {
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	return code
}

// Process is a guestgate serve running as its own OS process.
type Process struct {
	T   *testing.T
	cmd *exec.Cmd
	log *bytes.Buffer
	URL string
}

// ServeProcess starts `guestgate serve` with env on addr and waits until
// it answers /readyz.
func ServeProcess(t *testing.T, env []string, addr string) *Process {
	t.Helper()
	return ServeBehind(t, env, addr, "http://"+addr)
}

// ServeBehind is ServeProcess for one of several processes behind one
// public URL (a load balancer's): tokens one issues, another accepts.
func ServeBehind(t *testing.T, env []string, addr, publicURL string) *Process {
	t.Helper()
	cmd := exec.Command(GuestgateBinary(t), "serve")
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, "GUESTGATE_LISTEN="+addr, "GUESTGATE_PUBLIC_URL="+publicURL)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &SyncWriter{W: &log}, &SyncWriter{W: &log}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &Process{T: t, cmd: cmd, log: &log, URL: "http://" + addr}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) || p.cmd.ProcessState != nil {
			t.Fatalf("guestgate serve did not become ready: %v\n%s", err, p.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Logs returns what the process wrote to its standard output and error so far.
func (p *Process) Logs() string {
	BufMu.Lock()
	defer BufMu.Unlock()
	return p.log.String()
}

// Kill ends the process with SIGKILL: no shutdown, nothing flushed.
func (p *Process) Kill() {
	p.T.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		p.T.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// Stop ends the process with SIGTERM and waits for its graceful exit.
func (p *Process) Stop() {
	p.T.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.T.Errorf("guestgate serve exited with %v\n%s", err, p.Logs())
		}
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		p.T.Errorf("guestgate serve did not stop on SIGTERM\n%s", p.Logs())
	}
}

// RunCLI runs a one-shot guestgate command and returns its standard output.
func RunCLI(t *testing.T, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, GuestgateBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("guestgate %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// FreeAddr returns a loopback address with a port free right now.
func FreeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// SyncWriter serializes writes from a process's two output streams.
type SyncWriter struct{ W *bytes.Buffer }

// BufMu guards every process log buffer (each SyncWriter's).
var BufMu sync.Mutex

// Write appends p to the buffer under BufMu.
func (s *SyncWriter) Write(p []byte) (int, error) {
	BufMu.Lock()
	defer BufMu.Unlock()
	return s.W.Write(p)
}
