package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// Result is one concurrency level's figures.
type Result struct {
	Engine              string                 `json:"engine"`
	DirectoryGuests     int                    `json:"directory_guests"`
	Concurrency         int                    `json:"concurrency"`
	DurationSeconds     float64                `json:"duration_s"`
	Completed           int                    `json:"completed"`
	SignInsPerSecond    float64                `json:"sign_ins_per_s"`
	Steps               map[string]Percentiles `json:"steps"`
	Errors              map[string]int         `json:"errors"`
	PeakRSSMiB          float64                `json:"peak_rss_mib"`
	CPUSecondsPerSignIn float64                `json:"cpu_s_per_sign_in"`
	WriteTxPerSignIn    float64                `json:"write_tx_per_sign_in"`
	DatabaseBytes       int64                  `json:"database_bytes"`
}

// Report is everything one run measured.
type Report struct {
	When   time.Time `json:"when"`
	Levels []Result  `json:"levels"`
	Bulk   *Bulk     `json:"bulk_invitations,omitempty"`
	// UsersQuery holds the -users-query timings.
	UsersQuery []UsersQuery `json:"users_query,omitempty"`
	Machine    string       `json:"machine"`
}

func run(ctx context.Context, o options) error {
	db, err := newDatabase(ctx, o.engine, o.keep)
	if err != nil {
		return err
	}
	defer db.cleanup()
	mailSink, err := startSink("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer mailSink.Close()
	srv, base, stopServer, err := startGuestgate(ctx, db.dsn, mailSink.URL())
	if err != nil {
		return err
	}
	defer stopServer()
	if o.usersQuery {
		qs, err := runUsersQuery(ctx, srv, base, o.directory, o.requests)
		if err != nil {
			return err
		}
		return writeReport(o, Report{When: time.Now().UTC(), Machine: machine(), UsersQuery: qs})
	}
	if o.pool == 0 {
		// Each address may get one code a minute: enough addresses for
		// 1 000 sign-ins/s through every level, so none is reused in a run.
		o.pool = int(1000*o.duration.Seconds())*len(o.concurrency) + 2000
	}
	logf("seeding %s: %d pool guests, %d padding guests", db.engine, o.pool, o.directory)
	f, err := seed(ctx, srv, o.pool, o.directory, logf)
	if err != nil {
		return err
	}
	verifierProvider, err := gooidc.NewProvider(ctx, base+"/"+f.tenant.ID+"/v2.0")
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	j := &journey{
		base: base, tenantID: f.tenant.ID, clientID: f.appID, secret: f.secret, redirectURI: f.redirectURI,
		transport:   &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute},
		sink:        mailSink,
		verifier:    verifierProvider.Verifier(&gooidc.Config{ClientID: f.appID}),
		mailTimeout: 30 * time.Second,
	}
	var next atomic.Int64
	take := func() (string, bool) {
		i := next.Add(1) - 1
		if int(i) >= len(f.pool) {
			return "", false
		}
		return f.pool[i], true
	}
	logf("warming up")
	runLevel(ctx, j, take, o.concurrency[0], 2*time.Second)

	rep := Report{When: time.Now().UTC(), Machine: machine()}
	if o.cpuProfile != "" {
		pf, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); pf.Close() }()
	}
	for _, c := range o.concurrency {
		resetPeakRSS()
		cpu0, tx0 := cpuSeconds(), srv.DB().WriteTxCount()
		start := time.Now()
		rec := runLevel(ctx, j, take, c, o.duration)
		elapsed := time.Since(start).Seconds()
		size, _ := db.size(ctx)
		r := Result{
			Engine: db.engine, DirectoryGuests: o.directory, Concurrency: c, DurationSeconds: elapsed,
			Completed: rec.completed, SignInsPerSecond: float64(rec.completed) / elapsed,
			Steps: rec.percentiles(), Errors: rec.errors, PeakRSSMiB: peakRSSMiB(), DatabaseBytes: size,
		}
		if rec.completed > 0 {
			r.CPUSecondsPerSignIn = (cpuSeconds() - cpu0) / float64(rec.completed)
			r.WriteTxPerSignIn = float64(srv.DB().WriteTxCount()-tx0) / float64(rec.completed)
		}
		printResult(r)
		rep.Levels = append(rep.Levels, r)
		if ctx.Err() != nil {
			break
		}
	}
	if o.bulk > 0 {
		b, err := bulkInvitations(ctx, base, f, mailSink, o.bulk)
		if err != nil {
			return err
		}
		printBulk(b)
		rep.Bulk = &b
	}
	return writeReport(o, rep)
}

// writeReport writes rep as JSON to -json, if given.
func writeReport(o options, rep Report) error {
	if o.jsonPath == "" {
		return nil
	}
	out, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(o.jsonPath, append(out, '\n'), 0o644); err != nil {
		return err
	}
	logf("wrote %s", o.jsonPath)
	return nil
}

// runLevel runs c virtual guests doing sign-ins back to back for d.
func runLevel(ctx context.Context, j *journey, take func() (string, bool), c int, d time.Duration) *recorder {
	rec := newRecorder()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var wg sync.WaitGroup
	for i := 0; i < c; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				addr, ok := take()
				if !ok {
					rec.fail("pool exhausted (raise -pool)")
					return
				}
				t, err := j.signIn(ctx, addr)
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

func printResult(r Result) {
	fmt.Printf("\n%s, %d directory guests, %d virtual guests: %.0f sign-ins/s (%d in %.1fs)\n",
		r.Engine, r.DirectoryGuests, r.Concurrency, r.SignInsPerSecond, r.Completed, r.DurationSeconds)
	fmt.Printf("  %-12s %9s %9s %9s\n", "step", "p50 ms", "p95 ms", "p99 ms")
	for _, s := range steps {
		p := r.Steps[s]
		fmt.Printf("  %-12s %9.2f %9.2f %9.2f\n", s, p.P50, p.P95, p.P99)
	}
	fmt.Printf("  peak RSS %.1f MiB, CPU %.2f ms/sign-in (whole process: guestgate, load and SMTP sink), %.2f write tx/sign-in, database %.1f MiB\n",
		r.PeakRSSMiB, r.CPUSecondsPerSignIn*1000, r.WriteTxPerSignIn, float64(r.DatabaseBytes)/(1<<20))
	if len(r.Errors) == 0 {
		fmt.Println("  errors: none")
	}
	for k, n := range r.Errors {
		fmt.Printf("  error %q × %d\n", k, n)
	}
}
