package httpx

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestDrain: before the drain, responses keep their connections and
// /healthz is 200; while draining, every response says Connection: close
// and /healthz and /readyz are 503; Run returns once requests stop coming
// (probes of /readyz are not requests that keep it going), or at its bound
// while they keep coming.
func TestDrain(t *testing.T) {
	var d Drain
	srv := httptest.NewServer(d.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })))
	defer srv.Close()
	get := func(path string) *http.Response {
		t.Helper()
		res, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}
	if res := get("/healthz"); res.StatusCode != http.StatusOK || res.Close {
		t.Fatalf("before the drain: /healthz %d, close %v", res.StatusCode, res.Close)
	}

	// Requests keep coming: Run waits for its bound.
	get("/")
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case <-stop:
				return
			default:
				get("/")
			}
		}
	}()
	start := time.Now()
	d.Run(context.Background(), 100*time.Millisecond, 400*time.Millisecond)
	if took := time.Since(start); took < 400*time.Millisecond {
		t.Errorf("Run returned after %v while requests kept coming, want its 400ms bound", took)
	}
	close(stop)
	if res := get("/"); !res.Close {
		t.Errorf("a response while draining keeps its connection")
	}
	for _, probe := range []string{"/healthz", "/readyz"} {
		if res := get(probe); res.StatusCode != http.StatusServiceUnavailable || !res.Close {
			t.Errorf("while draining: %s %d, close %v; want 503 and close", probe, res.StatusCode, res.Close)
		}
	}

	// Requests stop and only a load balancer's probes keep coming: Run
	// returns after the quiet period, well before its bound.
	probing := make(chan struct{})
	go func() {
		for {
			select {
			case <-probing:
				return
			default:
				// The probe's answer is checked above; here it only has to come.
				if res, err := srv.Client().Get(srv.URL + "/readyz"); err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
			}
		}
	}()
	start = time.Now()
	d.Run(context.Background(), 50*time.Millisecond, 5*time.Second)
	close(probing)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("Run took %v with only probes coming, want about its 50ms quiet period", took)
	}
}
