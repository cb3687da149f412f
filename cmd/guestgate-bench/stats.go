package main

import (
	"sort"
	"sync"
	"time"
)

// steps of one sign-in, in order; each is timed separately.
var steps = []string{"authorize", "send_code", "mail", "verify_code", "token", "id_token", "total"}

// recorder collects step latencies and errors from every virtual guest.
type recorder struct {
	mu        sync.Mutex
	latencies map[string][]time.Duration
	errors    map[string]int
	completed int
}

func newRecorder() *recorder {
	return &recorder{latencies: map[string][]time.Duration{}, errors: map[string]int{}}
}

func (r *recorder) done(timings map[string]time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, v := range timings {
		r.latencies[k] = append(r.latencies[k], v)
	}
	r.completed++
}

func (r *recorder) fail(kind string) {
	r.mu.Lock()
	r.errors[kind]++
	r.mu.Unlock()
}

// Percentiles are step latencies in milliseconds.
type Percentiles struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
}

func (r *recorder) percentiles() map[string]Percentiles {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]Percentiles{}
	for k, ds := range r.latencies {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		out[k] = Percentiles{P50: ms(pct(ds, 0.50)), P95: ms(pct(ds, 0.95)), P99: ms(pct(ds, 0.99))}
	}
	return out
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(sorted) {
		i = len(sorted) - 1
	}
	return sorted[i]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
