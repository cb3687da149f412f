package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunDrainsForTheConfiguredTime: told to stop while requests keep
// coming, a serving process keeps answering them (each response closing
// its connection, /readyz 503) up to HTTP.Drain, here well past the 1 s
// default; once they stop it stops within its quiet period.
func TestRunDrainsForTheConfiguredTime(t *testing.T) {
	ln := listen(t)
	s := openTest(t, Options{Listener: ln}, func(c *Config) { c.HTTP.Drain = 30 * time.Second })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	base := "http://" + ln.Addr().String()
	get := func(path string) (*http.Response, error) {
		resp, err := http.Get(base + path)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		return resp, err
	}

	// Four clients send from before the stop (a drain that finds no
	// request in its quiet period ends at once) until 1.5 s after it.
	var (
		stoppedAt atomic.Int64 // Unix nanoseconds; 0 before the stop
		answered  atomic.Int64
		mu        sync.Mutex
		failure   error
		wg        sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for {
				at := stoppedAt.Load()
				if at != 0 && time.Since(time.Unix(0, at)) > 1500*time.Millisecond {
					return
				}
				resp, err := get("/no-such-page")
				if err == nil && at != 0 && !resp.Close {
					err = fmt.Errorf("a response while draining keeps its connection")
				}
				if err != nil {
					mu.Lock()
					failure = fmt.Errorf("%v after the stop, within a 30 s drain still fed requests: %w", time.Since(time.Unix(0, at)).Round(time.Millisecond), err)
					mu.Unlock()
					return
				}
				answered.Add(1)
			}
		})
	}
	for answered.Load() < 8 {
		time.Sleep(time.Millisecond)
	}
	stoppedAt.Store(time.Now().UnixNano())
	cancel()
	wg.Wait()
	if failure != nil {
		t.Fatal(failure)
	}
	if resp, err := get("/readyz"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("/readyz while draining: %v, %v; want 503", resp, err)
	}

	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return once requests stopped coming")
	}
}
