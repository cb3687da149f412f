package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// Result is one concurrency level's figures. CPU is split by process:
// guestgate's own, PostgreSQL's (the sessions guestgate opened and the
// server's background processes, when PostgreSQL runs on this machine) and
// the load generator's (with the SMTP sink).
type Result struct {
	// Product is what was measured: "guestgate", or a peer ("kratos").
	Product string `json:"product"`
	// Pair numbers the interleaved pair of a -compare run (from 1).
	Pair            int    `json:"pair,omitempty"`
	Engine          string `json:"engine"`
	IDTokenAlg      string `json:"id_token_alg,omitempty"`
	DirectoryGuests int    `json:"directory_guests"`
	// Groups and GuestGroups are -groups and -guest-groups.
	Groups           int                    `json:"groups,omitempty"`
	GuestGroups      int                    `json:"guest_groups,omitempty"`
	Concurrency      int                    `json:"concurrency"`
	DurationSeconds  float64                `json:"duration_s"`
	Completed        int                    `json:"completed"`
	SignInsPerSecond float64                `json:"sign_ins_per_s"`
	Steps            map[string]Percentiles `json:"steps"`
	Errors           map[string]int         `json:"errors"`
	PeakRSSMiB       float64                `json:"peak_rss_mib"` // the service's process (a peer's: since it started)
	// ServerCPUms is the service's process's CPU per sign-in (guestgate's
	// or the peer's); GuestgateCPUms repeats guestgate's.
	ServerCPUms    float64  `json:"server_cpu_ms_per_sign_in"`
	GuestgateCPUms float64  `json:"guestgate_cpu_ms_per_sign_in,omitempty"`
	PostgresCPUms  *float64 `json:"postgres_cpu_ms_per_sign_in,omitempty"`
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
	// LoadAverage is the machine's 1-minute load average at the level's end.
	LoadAverage float64 `json:"load_average_1m"`
}

// Report is everything one run measured.
type Report struct {
	When   time.Time `json:"when"`
	Levels []Result  `json:"levels"`
	Bulk   *Bulk     `json:"bulk_invitations,omitempty"`
	// UsersQuery holds the -users-query timings.
	UsersQuery []UsersQuery `json:"users_query,omitempty"`
	Machine    string       `json:"machine"`
	// Peer and PeerVersion name the peer of a -peer-kratos or -compare run.
	Peer        string `json:"peer,omitempty"`
	PeerVersion string `json:"peer_version,omitempty"`
	// Pairs is how many interleaved pairs a -compare run measured per level.
	Pairs int `json:"pairs,omitempty"`
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
	if o.usersQuery {
		resp, err := gg.call(ctx, request{Op: "seed_users", Directory: o.directory})
		if err != nil {
			return err
		}
		if _, err := gg.call(ctx, request{Op: "profile_start"}); err != nil {
			return err
		}
		qs, err := runUsersQuery(ctx, gg.base, *resp.Fixture, o.directory, o.requests)
		if err != nil {
			return err
		}
		if _, err := gg.call(ctx, request{Op: "profile_stop"}); err != nil {
			return err
		}
		return writeReport(o, Report{When: time.Now().UTC(), Machine: machine(), UsersQuery: qs})
	}
	sys, f, err := guestgateSystem(ctx, o, db, gg, mailSink, 1)
	if err != nil {
		return err
	}
	logf("warming up")
	runLevel(ctx, sys.signIn, sys.addrs, o.concurrency[0], 2*time.Second)

	rep := Report{When: time.Now().UTC(), Machine: machine()}
	if db.commits != nil {
		if sys.commits0, err = settledCommits(ctx, db); err != nil {
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
		r, err := measure(ctx, sys, c, o.duration)
		if err != nil {
			return err
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
		b, err := bulkInvitations(ctx, gg.base, f, mailSink, o.bulk)
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

// guestgateSystem seeds guestgate's bench tenant, app and guest pool and
// returns guestgate as a system to measure, with what was seeded. The pool
// lasts rounds runs through every level.
func guestgateSystem(ctx context.Context, o options, db *database, gg *guestgateProcess, mailSink *sink, rounds int) (*system, fixture, error) {
	if o.pool == 0 {
		// Each address may get one code a minute: enough addresses for
		// 1 000 sign-ins/s through every level, so none is reused in a run.
		o.pool = int(1000*o.duration.Seconds())*len(o.concurrency)*rounds + 2000
	}
	logf("seeding %s: %d pool guests, %d padding guests", db.engine, o.pool, o.directory)
	resp, err := gg.call(ctx, request{Op: "seed", Pool: o.pool, Directory: o.directory, Groups: o.groups, GuestGroups: o.guestGroups, IDTokenAlg: o.idTokenAlg})
	if err != nil {
		return nil, fixture{}, err
	}
	f := *resp.Fixture
	verifierProvider, err := gooidc.NewProvider(ctx, gg.base+"/"+f.TenantID+"/v2.0")
	if err != nil {
		return nil, f, fmt.Errorf("discovery: %w", err)
	}
	j := &journey{
		base: gg.base, tenantID: f.TenantID, clientID: f.AppID, secret: f.Secret, redirectURI: f.RedirectURI,
		transport:   &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute},
		sink:        mailSink,
		verifier:    verifierProvider.Verifier(&gooidc.Config{ClientID: f.AppID, SupportedSigningAlgs: []string{o.idTokenAlg}}),
		mailTimeout: 30 * time.Second,
		wantGroups:  o.guestGroups,
	}
	return &system{
		product: productGuestgate, engine: db.engine, directory: o.directory, groups: groupsShape{n: o.groups, perGuest: o.guestGroups}, idTokenAlg: o.idTokenAlg,
		signIn: j.signIn, addrs: &rotation{pool: f.Pool, addr: poolAddress},
		counters: gg.counters, db: db,
	}, f, nil
}

// algNote names the ID token's algorithm when it is not the default.
func algNote(alg string) string {
	if alg == "" || alg == "RS256" {
		return ""
	}
	return " (" + alg + ")"
}

func printResult(r Result) {
	fmt.Printf("\n%s on %s%s, %d directory guests, %d virtual guests: %.0f sign-ins/s (%d in %.1fs)\n",
		r.Product, r.Engine, algNote(r.IDTokenAlg), r.DirectoryGuests, r.Concurrency, r.SignInsPerSecond, r.Completed, r.DurationSeconds)
	fmt.Printf("  %-12s %9s %9s %9s\n", "step", "p50 ms", "p95 ms", "p99 ms")
	for _, s := range stepsOf(r.Product) {
		p := r.Steps[s]
		fmt.Printf("  %-12s %9.2f %9.2f %9.2f\n", s, p.P50, p.P95, p.P99)
	}
	pg := ""
	if r.PostgresCPUms != nil {
		pg = fmt.Sprintf(", PostgreSQL %.2f (its sessions %.2f)", *r.PostgresCPUms, *r.PostgresSessionCPUms)
	}
	fmt.Printf("  CPU ms/sign-in: %s %.2f%s, load generator and SMTP sink %.2f; load average %.2f\n", r.Product, r.ServerCPUms, pg, r.LoadgenCPUms, r.LoadAverage)
	commits := ""
	if r.PGCommitsPerSignIn != nil {
		commits = fmt.Sprintf(", %.2f PostgreSQL commits/sign-in (read-only ones too)", *r.PGCommitsPerSignIn)
	}
	if r.Product == productKratos {
		fmt.Printf("  %s\n", strings.TrimPrefix(commits, ", "))
	} else {
		fmt.Printf("  %.2f write tx/sign-in%s\n", r.WriteTxPerSignIn, commits)
	}
	fmt.Printf("  %s peak RSS %.1f MiB, database %.1f MiB\n", r.Product, r.PeakRSSMiB, float64(r.DatabaseBytes)/(1<<20))
	if len(r.Errors) == 0 {
		fmt.Println("  errors: none")
	}
	for k, n := range r.Errors {
		fmt.Printf("  error %q × %d\n", k, n)
	}
}
