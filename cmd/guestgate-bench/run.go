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

// Result is one concurrency level's figures. CPU is split by process:
// guestgate's own, PostgreSQL's (the sessions guestgate opened and the
// server's background processes, when PostgreSQL runs on this machine) and
// the load generator's (with the SMTP sink).
type Result struct {
	Engine           string                 `json:"engine"`
	DirectoryGuests  int                    `json:"directory_guests"`
	Concurrency      int                    `json:"concurrency"`
	DurationSeconds  float64                `json:"duration_s"`
	Completed        int                    `json:"completed"`
	SignInsPerSecond float64                `json:"sign_ins_per_s"`
	Steps            map[string]Percentiles `json:"steps"`
	Errors           map[string]int         `json:"errors"`
	PeakRSSMiB       float64                `json:"peak_rss_mib"` // guestgate's process
	GuestgateCPUms   float64                `json:"guestgate_cpu_ms_per_sign_in"`
	PostgresCPUms    *float64               `json:"postgres_cpu_ms_per_sign_in,omitempty"`
	// PostgresSessionCPUms is the part of PostgresCPUms spent by the
	// sessions guestgate opened, without the server's background
	// processes, which other databases of a shared server use too.
	PostgresSessionCPUms *float64 `json:"postgres_session_cpu_ms_per_sign_in,omitempty"`
	LoadgenCPUms         float64  `json:"loadgen_cpu_ms_per_sign_in"` // load generator and SMTP sink
	WriteTxPerSignIn     float64  `json:"write_tx_per_sign_in"`       // guestgate's count
	// PGCommitsPerSignIn is PostgreSQL's committed transactions in the
	// database per sign-in: read-only ones included, and every session's,
	// so other work on the same database counts too.
	PGCommitsPerSignIn *float64 `json:"pg_commits_per_sign_in,omitempty"`
	DatabaseBytes      int64    `json:"database_bytes"`
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

// pgStatsSettle is how long the benchmark waits, idle, before reading
// PostgreSQL's commit count: a session reports its counts at most once a
// second while busy, and once idle only after ten seconds
// (PGSTAT_IDLE_INTERVAL), so the count is complete only that long after
// a level.
const pgStatsSettle = 11 * time.Second

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
	gg, err := startChild(ctx, db.dsn, mailSink.URL(), childProfiles{cpu: o.cpuProfile, block: o.blockProfile, mutex: o.mutexProfile})
	if err != nil {
		return err
	}
	defer gg.close() // before the database is removed
	base := gg.base
	if o.usersQuery {
		resp, err := gg.call(ctx, request{Op: "seed_users", Directory: o.directory})
		if err != nil {
			return err
		}
		if _, err := gg.call(ctx, request{Op: "profile_start"}); err != nil {
			return err
		}
		qs, err := runUsersQuery(ctx, base, *resp.Fixture, o.directory, o.requests)
		if err != nil {
			return err
		}
		if _, err := gg.call(ctx, request{Op: "profile_stop"}); err != nil {
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
	resp, err := gg.call(ctx, request{Op: "seed", Pool: o.pool, Directory: o.directory})
	if err != nil {
		return err
	}
	f := *resp.Fixture
	verifierProvider, err := gooidc.NewProvider(ctx, base+"/"+f.TenantID+"/v2.0")
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	j := &journey{
		base: base, tenantID: f.TenantID, clientID: f.AppID, secret: f.Secret, redirectURI: f.RedirectURI,
		transport:   &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute},
		sink:        mailSink,
		verifier:    verifierProvider.Verifier(&gooidc.Config{ClientID: f.AppID}),
		mailTimeout: 30 * time.Second,
	}
	var next atomic.Int64
	take := func() (string, bool) {
		i := next.Add(1) - 1
		if int(i) >= f.Pool {
			return "", false
		}
		return poolAddress(int(i)), true
	}
	logf("warming up")
	runLevel(ctx, j, take, o.concurrency[0], 2*time.Second)

	rep := Report{When: time.Now().UTC(), Machine: machine()}
	var commits0 int64
	if db.commits != nil {
		if commits0, err = settledCommits(ctx, db); err != nil {
			return err
		}
	}
	if o.loadgenProfile != "" {
		pf, err := os.Create(o.loadgenProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); pf.Close() }()
	}
	if _, err := gg.call(ctx, request{Op: "profile_start"}); err != nil {
		return err
	}
	for _, c := range o.concurrency {
		g0, err := gg.counters(ctx, true)
		if err != nil {
			return err
		}
		pg0, err := db.postgresCPU(ctx, false)
		if err != nil {
			return err
		}
		pgs0, err := db.postgresCPU(ctx, true)
		if err != nil {
			return err
		}
		lg0 := cpuSeconds()
		start := time.Now()
		rec := runLevel(ctx, j, take, c, o.duration)
		elapsed := time.Since(start).Seconds()
		lg1 := cpuSeconds()
		pg1, err := db.postgresCPU(context.WithoutCancel(ctx), false)
		if err != nil {
			return err
		}
		pgs1, err := db.postgresCPU(context.WithoutCancel(ctx), true)
		if err != nil {
			return err
		}
		g1, err := gg.counters(context.WithoutCancel(ctx), false)
		if err != nil {
			return err
		}
		size, _ := db.size(ctx)
		r := Result{
			Engine: db.engine, DirectoryGuests: o.directory, Concurrency: c, DurationSeconds: elapsed,
			Completed: rec.completed, SignInsPerSecond: float64(rec.completed) / elapsed,
			Steps: rec.percentiles(), Errors: rec.errors, PeakRSSMiB: g1.PeakRSSMiB, DatabaseBytes: size,
		}
		n := float64(rec.completed)
		if n > 0 {
			r.GuestgateCPUms = 1000 * (g1.CPUSeconds - g0.CPUSeconds) / n
			r.LoadgenCPUms = 1000 * (lg1 - lg0) / n
			r.WriteTxPerSignIn = float64(g1.WriteTx-g0.WriteTx) / n
			if len(pg1) > 0 {
				v := 1000 * pg1.secondsSince(pg0) / n
				r.PostgresCPUms = &v
				vs := 1000 * pgs1.secondsSince(pgs0) / n
				r.PostgresSessionCPUms = &vs
			}
		}
		if db.commits != nil && ctx.Err() == nil {
			commits1, err := settledCommits(ctx, db)
			if err != nil {
				return err
			}
			if n > 0 {
				v := float64(commits1-commits0) / n
				r.PGCommitsPerSignIn = &v
			}
			commits0 = commits1
		}
		printResult(r)
		rep.Levels = append(rep.Levels, r)
		if ctx.Err() != nil {
			break
		}
	}
	if _, err := gg.call(context.WithoutCancel(ctx), request{Op: "profile_stop"}); err != nil {
		return err
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

// postgresCPU reads the CPU time of PostgreSQL's processes that serve
// guestgate (see database.serverPIDs; with sessionsOnly, its sessions
// alone); empty for SQLite, and when PostgreSQL runs on another machine.
func (db *database) postgresCPU(ctx context.Context, sessionsOnly bool) (processTicks, error) {
	if db.serverPIDs == nil {
		return nil, nil
	}
	pids, err := db.serverPIDs(ctx, sessionsOnly)
	if err != nil {
		return nil, fmt.Errorf("pg_stat_activity: %w", err)
	}
	return postgresTicks(pids), nil
}

// settledCommits waits pgStatsSettle, then reads PostgreSQL's commit count.
func settledCommits(ctx context.Context, db *database) (int64, error) {
	logf("waiting %s for PostgreSQL's statistics", pgStatsSettle)
	select {
	case <-time.After(pgStatsSettle):
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	n, err := db.commits(ctx)
	if err != nil {
		return 0, fmt.Errorf("pg_stat_database: %w", err)
	}
	return n, nil
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
	pg := ""
	if r.PostgresCPUms != nil {
		pg = fmt.Sprintf(", PostgreSQL %.2f (its sessions %.2f)", *r.PostgresCPUms, *r.PostgresSessionCPUms)
	}
	fmt.Printf("  CPU ms/sign-in: guestgate %.2f%s, load generator and SMTP sink %.2f\n", r.GuestgateCPUms, pg, r.LoadgenCPUms)
	commits := ""
	if r.PGCommitsPerSignIn != nil {
		commits = fmt.Sprintf(", %.2f PostgreSQL commits/sign-in (read-only ones too)", *r.PGCommitsPerSignIn)
	}
	fmt.Printf("  %.2f write tx/sign-in%s\n", r.WriteTxPerSignIn, commits)
	fmt.Printf("  guestgate peak RSS %.1f MiB, database %.1f MiB\n", r.PeakRSSMiB, float64(r.DatabaseBytes)/(1<<20))
	if len(r.Errors) == 0 {
		fmt.Println("  errors: none")
	}
	for k, n := range r.Errors {
		fmt.Printf("  error %q × %d\n", k, n)
	}
}
