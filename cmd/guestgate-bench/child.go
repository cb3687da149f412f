package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// guestgateProcess is guestgate running in a process of its own (this
// program started again with serveArg), so that its CPU time and memory are
// measured apart from the load generator's and the SMTP sink's.
type guestgateProcess struct {
	base    string // guestgate's URL
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	replies chan response // closed when the process's stdout ends
	closing chan struct{} // closed by close
	exited  chan struct{} // closed when the process has exited
	waitErr error         // valid once exited is closed

	mu sync.Mutex // one request at a time
}

// startChild starts guestgate's process and opens guestgate in it on dsn,
// mailing through smtpURL; the profiles named in prof are what it writes
// between profile_start and profile_stop.
func startChild(ctx context.Context, dsn, smtpURL string, prof childProfiles) (*guestgateProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, serveArg)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = childAttr() // killed with this process where the system allows
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start guestgate's process: %w", err)
	}
	g := &guestgateProcess{cmd: cmd, stdin: stdin, replies: make(chan response), closing: make(chan struct{}), exited: make(chan struct{})}
	go func() {
		dec := json.NewDecoder(stdout)
		for {
			var r response
			if err := dec.Decode(&r); err != nil {
				break
			}
			select {
			case g.replies <- r:
			case <-g.closing: // nobody waits for it any more
			}
		}
		close(g.replies)
		_, _ = io.Copy(io.Discard, stdout)
		g.waitErr = cmd.Wait()
		close(g.exited)
	}()
	resp, err := g.call(ctx, request{Op: "open", DSN: dsn, SMTPURL: smtpURL,
		CPUProfile: prof.cpu, BlockProfile: prof.block, MutexProfile: prof.mutex})
	if err != nil {
		g.close()
		return nil, err
	}
	g.base = resp.Base
	return g, nil
}

// childProfiles names the files guestgate's process writes its profiles
// to ("": none).
type childProfiles struct{ cpu, block, mutex string }

// call sends r and waits for the answer.
func (g *guestgateProcess) call(ctx context.Context, r request) (response, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	line, _ := json.Marshal(r)
	if _, err := g.stdin.Write(append(line, '\n')); err != nil {
		return response{}, fmt.Errorf("guestgate's process: %s: %w", r.Op, err)
	}
	select {
	case resp, ok := <-g.replies:
		if !ok {
			return response{}, fmt.Errorf("guestgate's process ended during %s", r.Op)
		}
		if resp.Error != "" {
			return response{}, fmt.Errorf("guestgate's process: %s: %s", r.Op, resp.Error)
		}
		return resp, nil
	case <-ctx.Done():
		return response{}, ctx.Err()
	case <-g.closing:
		return response{}, errors.New("guestgate's process is stopping")
	}
}

// counters reads guestgate's counters; with resetPeak, its peak-RSS mark
// starts again afterwards.
func (g *guestgateProcess) counters(ctx context.Context, resetPeak bool) (counters, error) {
	resp, err := g.call(ctx, request{Op: "counters", ResetPeak: resetPeak})
	if err != nil {
		return counters{}, err
	}
	if resp.Counters == nil {
		return counters{}, errors.New("guestgate's process: no counters")
	}
	return *resp.Counters, nil
}

// close ends guestgate's stdin, which stops guestgate, and waits for the
// process to exit (killing it if it takes too long).
func (g *guestgateProcess) close() {
	close(g.closing)
	g.stdin.Close()
	select {
	case <-g.exited:
	case <-time.After(30 * time.Second):
		_ = g.cmd.Process.Kill()
		<-g.exited
	}
	if g.waitErr != nil {
		logf("guestgate's process: %v", g.waitErr)
	}
}
