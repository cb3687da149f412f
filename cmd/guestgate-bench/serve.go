package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"

	"github.com/guestgate/guestgate/internal/server"
)

// serveArg, as the only argument, makes the program guestgate's process:
// the load generator starts itself again with it (see startChild).
const serveArg = "-serve"

// request is one line the load generator writes to guestgate's process.
type request struct {
	Op string `json:"op"` // "open", "seed", "seed_users", "counters", "profile_start", "profile_stop"
	// open
	DSN        string `json:"dsn,omitempty"`
	SMTPURL    string `json:"smtp_url,omitempty"`
	CPUProfile string `json:"cpu_profile,omitempty"`
	// BlockProfile and MutexProfile, if set, are where guestgate writes
	// where its goroutines waited (channels, locks, the pool) and which
	// mutexes were contended, between profile_start and profile_stop.
	BlockProfile string `json:"block_profile,omitempty"`
	MutexProfile string `json:"mutex_profile,omitempty"`
	// seed: pool guests and padding guests; seed_users: users in one tenant
	Pool      int `json:"pool,omitempty"`
	Directory int `json:"directory,omitempty"`
	// seed: groups in the bench tenant and per pool guest (-groups, -guest-groups)
	Groups      int `json:"groups,omitempty"`
	GuestGroups int `json:"guest_groups,omitempty"`
	// seed: the app's id_token_signed_response_alg
	IDTokenAlg string `json:"id_token_alg,omitempty"`
	// counters: reset the peak-RSS mark after reading
	ResetPeak bool `json:"reset_peak,omitempty"`
}

// response is guestgate's process's answer to a request, one line.
type response struct {
	Error    string    `json:"error,omitempty"`
	Base     string    `json:"base,omitempty"` // open: guestgate's URL
	Fixture  *fixture  `json:"fixture,omitempty"`
	Counters *counters `json:"counters,omitempty"`
}

// counters are guestgate's process's running totals.
type counters struct {
	CPUSeconds float64 `json:"cpu_s"`        // user + system since it started
	WriteTx    int64   `json:"write_tx"`     // write transactions committed
	PeakRSSMiB float64 `json:"peak_rss_mib"` // since the last reset
}

// serve is guestgate's process: it answers the load generator's requests
// on stdin, one JSON line each, on stdout, and stops guestgate when stdin
// ends (the load generator finished, or died).
func serve() error {
	// The load generator decides when guestgate stops (it closes stdin):
	// an interrupt from the terminal, or a termination sent to the
	// process group, reaches both processes.
	signal.Ignore(os.Interrupt, syscall.SIGTERM)
	replies := json.NewEncoder(os.Stdout)
	os.Stdout = os.Stderr // nothing else may write to the replies
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reqs := make(chan request)
	go func() {
		defer cancel() // stdin ended: abandon whatever runs (seeding) and stop
		defer close(reqs)
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			var r request
			if err := json.Unmarshal(in.Bytes(), &r); err != nil {
				fmt.Fprintln(os.Stderr, "guestgate-bench -serve: bad request:", err)
				return
			}
			reqs <- r
		}
	}()
	var g served
	defer g.close()
	for r := range reqs {
		resp, err := g.handle(ctx, r)
		if err != nil {
			resp = response{Error: err.Error()}
		}
		if err := replies.Encode(resp); err != nil {
			return err
		}
	}
	return nil
}

// served is the guestgate this process runs.
type served struct {
	srv        *server.Server
	dsn        string
	base       string
	stop       func()
	cpuProfile string
	profile    *os.File
	// blockProfile and mutexProfile are written at profile_stop.
	blockProfile, mutexProfile string
	waits                      bool // block and mutex sampling is on
}

func (g *served) handle(ctx context.Context, r request) (response, error) {
	if r.Op != "open" && g.srv == nil {
		return response{}, errors.New("guestgate is not open")
	}
	switch r.Op {
	case "open":
		if g.srv != nil {
			return response{}, errors.New("guestgate is open already")
		}
		srv, base, stop, err := startGuestgate(ctx, r.DSN, r.SMTPURL)
		if err != nil {
			return response{}, err
		}
		g.srv, g.dsn, g.base, g.stop, g.cpuProfile = srv, r.DSN, base, stop, r.CPUProfile
		g.blockProfile, g.mutexProfile = r.BlockProfile, r.MutexProfile
		return response{Base: base}, nil
	case "seed":
		f, err := seed(ctx, g.srv, g.dsn, r.Pool, r.Directory, groupsShape{n: r.Groups, perGuest: r.GuestGroups}, r.IDTokenAlg, logf)
		return response{Fixture: &f}, err
	case "seed_users":
		f, err := seedUsersQuery(ctx, g.srv, g.dsn, r.Directory)
		return response{Fixture: &f}, err
	case "counters":
		c := counters{CPUSeconds: cpuSeconds(), WriteTx: g.srv.DB().WriteTxCount(), PeakRSSMiB: peakRSSMiB()}
		if r.ResetPeak {
			resetPeakRSS()
		}
		return response{Counters: &c}, nil
	case "profile_start":
		g.startWaits()
		if g.cpuProfile == "" || g.profile != nil {
			return response{}, nil
		}
		f, err := os.Create(g.cpuProfile)
		if err != nil {
			return response{}, err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return response{}, err
		}
		g.profile = f
		return response{}, nil
	case "profile_stop":
		g.stopProfile()
		return response{}, g.stopWaits()
	}
	return response{}, fmt.Errorf("unknown request %q", r.Op)
}

func (g *served) stopProfile() {
	if g.profile != nil {
		pprof.StopCPUProfile()
		g.profile.Close()
		g.profile = nil
	}
}

func (g *served) close() {
	g.stopProfile()
	if g.stop != nil {
		g.stop()
	}
}

// blockRate samples one blocking event per this many nanoseconds blocked;
// mutexFraction one contended mutex in this many.
const (
	blockRate     = 10_000
	mutexFraction = 5
)

// startWaits turns block and mutex sampling on, if a profile is wanted.
func (g *served) startWaits() {
	if g.waits || g.blockProfile == "" && g.mutexProfile == "" {
		return
	}
	g.waits = true
	if g.blockProfile != "" {
		runtime.SetBlockProfileRate(blockRate)
	}
	if g.mutexProfile != "" {
		runtime.SetMutexProfileFraction(mutexFraction)
	}
}

// stopWaits writes the block and mutex profiles and turns sampling off.
func (g *served) stopWaits() error {
	if !g.waits {
		return nil
	}
	g.waits = false
	runtime.SetBlockProfileRate(0)
	runtime.SetMutexProfileFraction(0)
	for _, w := range []struct{ name, path string }{{"block", g.blockProfile}, {"mutex", g.mutexProfile}} {
		if w.path == "" {
			continue
		}
		if err := writeProfile(w.name, w.path); err != nil {
			return err
		}
	}
	return nil
}

func writeProfile(name, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("%s profile: %w", name, err)
	}
	return f.Close()
}
