package e2e

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The guestgate binary, built once per test run the way deploy/Containerfile
// builds it: CGO_ENABLED=0, -trimpath, a static executable.
var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
	binaryDir  string
)

// guestgateBinary builds (once) and returns the static guestgate binary.
func guestgateBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		binaryDir, binaryErr = os.MkdirTemp("", "guestgate-bin-")
		if binaryErr != nil {
			return
		}
		binaryPath = filepath.Join(binaryDir, "guestgate")
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

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryDir != "" {
		os.RemoveAll(binaryDir)
	}
	os.Exit(code)
}

// TestStaticBinary: the binary deploy/Containerfile copies into an empty
// (scratch) image is static, no interpreter or shared library, and runs
// there: --version and --help need nothing but itself.
func TestStaticBinary(t *testing.T) {
	bin := guestgateBinary(t)
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Fatal("the binary names a dynamic loader; a scratch image has none")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) != 0 {
		t.Fatalf("the binary needs shared libraries %v", libs)
	}
	// An empty environment and working directory, as in the image.
	for _, args := range [][]string{{"--version"}, {"--help"}, {"serve", "--help"}} {
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Dir = []string{}, t.TempDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("guestgate %v: %v\n%s", args, err, out)
		}
		if want := map[string]string{"--version": "guestgate", "--help": "Usage:", "serve": "GUESTGATE_SMTP_URL"}[args[0]]; !strings.Contains(string(out), want) {
			t.Fatalf("guestgate %v printed %q, want %q in it", args, out, want)
		}
	}
}

// process is a guestgate serve running as its own OS process.
type process struct {
	t   *testing.T
	cmd *exec.Cmd
	log *bytes.Buffer
	URL string
}

// serveProcess starts `guestgate serve` with env on addr and waits until
// it answers /readyz.
func serveProcess(t *testing.T, env []string, addr string) *process {
	t.Helper()
	return serveBehind(t, env, addr, "http://"+addr)
}

// serveBehind is serveProcess for one of several processes behind one
// public URL (a load balancer's): tokens one issues, another accepts.
func serveBehind(t *testing.T, env []string, addr, publicURL string) *process {
	t.Helper()
	cmd := exec.Command(guestgateBinary(t), "serve")
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, "GUESTGATE_LISTEN="+addr, "GUESTGATE_PUBLIC_URL="+publicURL)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &syncWriter{w: &log}, &syncWriter{w: &log}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{t: t, cmd: cmd, log: &log, URL: "http://" + addr}
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
			t.Fatalf("guestgate serve did not become ready: %v\n%s", err, p.logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *process) logs() string {
	bufMu.Lock()
	defer bufMu.Unlock()
	return p.log.String()
}

// kill ends the process with SIGKILL: no shutdown, nothing flushed.
func (p *process) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Kill(); err != nil {
		p.t.Fatal(err)
	}
	_ = p.cmd.Wait()
}

// stop ends the process with SIGTERM and waits for its graceful exit.
func (p *process) stop() {
	p.t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			p.t.Errorf("guestgate serve exited with %v\n%s", err, p.logs())
		}
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		p.t.Errorf("guestgate serve did not stop on SIGTERM\n%s", p.logs())
	}
}

// runCLI runs a one-shot guestgate command and returns its standard output.
func runCLI(t *testing.T, env []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, guestgateBinary(t), args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("guestgate %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
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

// syncWriter serializes writes from a process's two output streams.
type syncWriter struct{ w *bytes.Buffer }

var bufMu sync.Mutex // guards every process log buffer

func (s *syncWriter) Write(p []byte) (int, error) {
	bufMu.Lock()
	defer bufMu.Unlock()
	return s.w.Write(p)
}
