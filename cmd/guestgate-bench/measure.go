package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Products the benchmark signs in to.
const (
	productGuestgate = "guestgate"
	productKratos    = "kratos"
)

// system is a sign-in service the benchmark drives and measures:
// guestgate, or a peer.
type system struct {
	product   string
	engine    string
	directory int
	groups    groupsShape
	// idTokenAlg is how guestgate signs the bench app's ID tokens.
	idTokenAlg string
	signIn     func(ctx context.Context, addr string) (map[string]time.Duration, error)
	addrs      addressSource
	// counters reads the service process's counters; with resetPeak its
	// peak-RSS mark starts again where the process allows it.
	counters func(ctx context.Context, resetPeak bool) (counters, error)
	db       *database
	commits0 int64 // PostgreSQL's commit count after the last level, when db.commits is set
}

// stepsOf lists a product's steps in the order a sign-in takes them.
func stepsOf(product string) []string {
	if product == productKratos {
		return kratosSteps
	}
	return steps
}

// addressSource hands virtual guests the addresses they sign in with.
type addressSource interface {
	take() (string, bool)
	release(addr string)
}

// rotation hands out pool addresses in turn, each once: guestgate's limits
// allow an address only so many codes a minute.
type rotation struct {
	next atomic.Int64
	pool int
	addr func(int) string
}

func (r *rotation) take() (string, bool) {
	i := r.next.Add(1) - 1
	if int(i) >= r.pool {
		return "", false
	}
	return r.addr(int(i)), true
}

func (r *rotation) release(string) {}

// addressQueue hands out a fixed pool's addresses first in, first out, an
// address again only once released: concurrent guests never share one, and
// an address comes back only after the rest of the pool.
type addressQueue chan string

func newAddressQueue(n int, addr func(int) string) addressQueue {
	q := make(addressQueue, n)
	for i := 0; i < n; i++ {
		q <- addr(i)
	}
	return q
}

func (q addressQueue) take() (string, bool) {
	select {
	case a := <-q:
		return a, true
	default:
		return "", false
	}
}

func (q addressQueue) release(addr string) { q <- addr }

// measure runs c virtual guests on s for d and returns the level's figures;
// with PostgreSQL's commit count it waits for the statistics to settle
// afterwards.
func measure(ctx context.Context, s *system, c int, d time.Duration) (Result, error) {
	g0, err := s.counters(ctx, true)
	if err != nil {
		return Result{}, err
	}
	pg0, err := s.db.postgresCPU(ctx, false)
	if err != nil {
		return Result{}, err
	}
	pgs0, err := s.db.postgresCPU(ctx, true)
	if err != nil {
		return Result{}, err
	}
	lg0 := cpuSeconds()
	start := time.Now()
	rec := runLevel(ctx, s.signIn, s.addrs, c, d)
	elapsed := time.Since(start).Seconds()
	lg1 := cpuSeconds()
	load := loadAverage()
	ctx0 := context.WithoutCancel(ctx)
	pg1, err := s.db.postgresCPU(ctx0, false)
	if err != nil {
		return Result{}, err
	}
	pgs1, err := s.db.postgresCPU(ctx0, true)
	if err != nil {
		return Result{}, err
	}
	g1, err := s.counters(ctx0, false)
	if err != nil {
		return Result{}, err
	}
	size, _ := s.db.size(ctx0)
	r := Result{
		Product: s.product, Engine: s.engine, IDTokenAlg: s.idTokenAlg, DirectoryGuests: s.directory, Groups: s.groups.n, GuestGroups: s.groups.perGuest, Concurrency: c, DurationSeconds: elapsed,
		Completed: rec.completed, SignInsPerSecond: float64(rec.completed) / elapsed,
		Steps: rec.percentiles(), Errors: rec.errors, PeakRSSMiB: g1.PeakRSSMiB, DatabaseBytes: size, LoadAverage: load,
	}
	n := float64(rec.completed)
	if n > 0 {
		r.ServerCPUms = 1000 * (g1.CPUSeconds - g0.CPUSeconds) / n
		if s.product == productGuestgate {
			r.GuestgateCPUms = r.ServerCPUms
		}
		r.LoadgenCPUms = 1000 * (lg1 - lg0) / n
		r.WriteTxPerSignIn = float64(g1.WriteTx-g0.WriteTx) / n
		if len(pg1) > 0 {
			v := 1000 * pg1.secondsSince(pg0) / n
			r.PostgresCPUms = &v
			vs := 1000 * pgs1.secondsSince(pgs0) / n
			r.PostgresSessionCPUms = &vs
		}
	}
	if s.db.commits != nil && ctx.Err() == nil {
		commits1, err := settledCommits(ctx, s.db)
		if err != nil {
			return Result{}, err
		}
		if n > 0 {
			v := float64(commits1-s.commits0) / n
			r.PGCommitsPerSignIn = &v
		}
		s.commits0 = commits1
	}
	return r, nil
}

// runLevel runs c virtual guests doing sign-ins back to back for d.
func runLevel(ctx context.Context, signIn func(context.Context, string) (map[string]time.Duration, error), addrs addressSource, c int, d time.Duration) *recorder {
	rec := newRecorder()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < c; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				addr, ok := addrs.take()
				if !ok {
					rec.fail("pool exhausted (raise -pool)")
					return
				}
				t, err := signIn(ctx, addr)
				addrs.release(addr)
				switch {
				case err == nil:
					rec.done(t)
				case ctx.Err() != nil:
					return // cut off by the end of the level: neither success nor error
				default:
					rec.fail(err.Error())
				}
			}
		}()
	}
	wg.Wait()
	return rec
}
