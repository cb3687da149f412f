package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/guestgate/guestgate/internal/testenv"
)

// openTest opens a serving process on a fresh SQLite file, with the dev
// mailbox instead of SMTP, after change (if any) edits its configuration.
func openTest(t *testing.T, opts Options, change func(*Config)) *Server {
	t.Helper()
	cfg := Defaults()
	cfg.DatabaseURL = testenv.SQLiteDSN(t)
	cfg.PublicURL = "http://127.0.0.1:8080"
	cfg.DevMailbox = true
	cfg.Secret = strings.Repeat("s", 40)
	if change != nil {
		change(&cfg)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := Open(context.Background(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// get answers a GET of path from h.
func get(h http.Handler, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// TestMetricsListener (security round 2, finding 13): by default the
// public listener serves /metrics; with a metrics listener of its own,
// only that listener serves it (and nothing else), and the public one
// answers 404.
func TestMetricsListener(t *testing.T) {
	t.Run("default_on_the_public_listener", func(t *testing.T) {
		s := openTest(t, Options{}, nil)
		if w := get(s.Handler(), "/metrics"); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "guestgate_outbox_depth") {
			t.Fatalf("public /metrics = %d\n%s", w.Code, w.Body.String())
		}
	})
	t.Run("validate_refuses_the_public_address", func(t *testing.T) {
		cfg := Defaults()
		cfg.Secret, cfg.SMTPURL = strings.Repeat("s", 32), "smtp://relay.example.com:587"
		cfg.MetricsListen = cfg.Listen
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "GUESTGATE_METRICS_LISTEN") {
			t.Fatalf("Validate with the metrics address = the public one: %v", err)
		}
	})
	t.Run("apart_from_the_public_listener", func(t *testing.T) {
		public, metricsLn := listen(t), listen(t)
		s := openTest(t, Options{Listener: public, MetricsListener: metricsLn}, nil)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		defer func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
		}()
		// Both listeners are bound already: the requests wait in their
		// backlogs until Run serves them.
		fetch := func(base, path string) (int, string) {
			t.Helper()
			resp, err := http.Get("http://" + base + path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
		if code, body := fetch(metricsLn.Addr().String(), "/metrics"); code != http.StatusOK || !strings.Contains(body, "guestgate_outbox_depth") {
			t.Fatalf("/metrics on the metrics listener = %d\n%s", code, body)
		}
		if code, body := fetch(public.Addr().String(), "/metrics"); code != http.StatusNotFound || strings.Contains(body, "guestgate_") {
			t.Fatalf("/metrics on the public listener = %d\n%s; want 404", code, body)
		}
		if code, _ := fetch(public.Addr().String(), "/healthz"); code != http.StatusOK {
			t.Fatalf("/healthz on the public listener = %d", code)
		}
		if code, _ := fetch(metricsLn.Addr().String(), "/healthz"); code != http.StatusNotFound {
			t.Fatalf("/healthz on the metrics listener = %d, want 404: it serves /metrics only", code)
		}
	})
}
