package httpx

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"
)

// Drain is the step between "told to stop" and http.Server.Shutdown.
//
// Shutdown closes idle keep-alive connections at once, and a client that
// sends a request on one of them at that moment gets a cut connection
// (EOF) for a request the server never read: a POST is not retried, so a
// rolling deploy fails requests. While draining, every response carries
// "Connection: close", so the server closes each busy connection right
// after a response, which clients expect, and /healthz and /readyz answer
// 503 so a load balancer stops sending; Shutdown then finds only connections no
// one used during the drain.
type Drain struct {
	on   atomic.Bool
	last atomic.Int64 // when the latest request started (Unix nanoseconds)
}

// Wrap marks h's responses once the drain has started.
func (d *Drain) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		probe := r.URL.Path == "/healthz" || r.URL.Path == "/readyz"
		if !probe {
			// A load balancer's probes are not traffic: checking often,
			// as it should, must not keep the drain from ending.
			d.last.Store(time.Now().UnixNano())
		}
		if d.on.Load() {
			w.Header().Set("Connection", "close")
			if probe {
				http.Error(w, "stopping", http.StatusServiceUnavailable)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// Run starts the drain and returns once no request but /healthz and
// /readyz has started for quiet, after at most max, or when ctx ends.
func (d *Drain) Run(ctx context.Context, quiet, max time.Duration) {
	d.on.Store(true)
	deadline := time.NewTimer(max)
	defer deadline.Stop()
	tick := time.NewTicker(quiet / 4)
	defer tick.Stop()
	for time.Since(time.Unix(0, d.last.Load())) < quiet {
		select {
		case <-ctx.Done():
			return
		case <-deadline.C:
			return
		case <-tick.C:
		}
	}
}
