package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// peerOptions configure the peer a -peer-kratos or -compare run drives.
type peerOptions struct {
	compare  string // "" (the peer alone) or "kratos" (interleaved with guestgate)
	public   string // Kratos's public API
	admin    string // Kratos's admin API
	pid      int    // Kratos's process (0: the one listening on public's port)
	db       string // Kratos's PostgreSQL database, for its CPU and commits
	smtp     string // where the SMTP sink Kratos's courier mails to listens
	pool     int    // identities seeded in Kratos
	pairs    int    // interleaved pairs per level
	markdown string // where to write the -compare table
}

// runPeer drives Kratos alone (-peer-kratos) or, with -compare kratos,
// guestgate and Kratos in interleaved pairs: per pair and level each runs
// for -duration, the order alternating from pair to pair (guestgate first
// in odd pairs), so both see the same machine. guestgate runs on the
// PostgreSQL of -engine as it does alone.
func runPeer(ctx context.Context, o options) error {
	p := o.peer
	if p.compare != "" && p.compare != productKratos {
		return fmt.Errorf("-compare %q: the peer it knows is kratos", p.compare)
	}
	if p.public == "" {
		return errors.New("-compare kratos needs -peer-kratos (Kratos's public URL)")
	}
	k, version, closeK, err := kratosSystem(ctx, p)
	if err != nil {
		return err
	}
	defer closeK()
	systems := []*system{k}
	pairs := 1
	if p.compare != "" {
		if !sqlstore.IsPostgresURL(o.engine) {
			return errors.New("-compare kratos: run guestgate on the same PostgreSQL (-engine postgres://…)")
		}
		pairs = max(p.pairs, 1)
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
		gg, err := startChild(ctx, db.dsn, mailSink.URL(), childProfiles{})
		if err != nil {
			return err
		}
		defer gg.close() // before the database is removed
		g, _, err := guestgateSystem(ctx, o, db, gg, mailSink, pairs)
		if err != nil {
			return err
		}
		systems = []*system{g, k}
	}
	if err := warmUp(ctx, systems, o.concurrency[0]); err != nil {
		return err
	}
	rep := Report{When: time.Now().UTC(), Machine: machine(), Peer: "Ory Kratos", PeerVersion: version}
	if p.compare != "" {
		rep.Pairs = pairs
	}
	for pair := 1; pair <= pairs && ctx.Err() == nil; pair++ {
		for _, c := range o.concurrency {
			for _, s := range pairOrder(systems, pair) {
				r, err := measure(ctx, s, c, o.duration)
				if err != nil {
					return err
				}
				if p.compare != "" {
					r.Pair = pair
				}
				printResult(r)
				rep.Levels = append(rep.Levels, r)
				if ctx.Err() != nil {
					break
				}
			}
		}
	}
	if p.compare != "" {
		table := compareTable(o.concurrency, rep.Levels)
		fmt.Printf("\n%s", table)
		if p.markdown != "" {
			if err := os.WriteFile(p.markdown, []byte(table), 0o644); err != nil {
				return err
			}
			logf("wrote %s", p.markdown)
		}
	}
	return writeReport(o, rep)
}

// pairOrder is the order the systems run in within a pair: as given in odd
// pairs, reversed in even ones.
func pairOrder(systems []*system, pair int) []*system {
	out := slices.Clone(systems)
	if pair%2 == 0 {
		slices.Reverse(out)
	}
	return out
}

// warmUp signs in for 2 s on each system, then waits once for PostgreSQL's
// statistics so each level's commits count from a settled start.
func warmUp(ctx context.Context, systems []*system, c int) error {
	logf("warming up")
	for _, s := range systems {
		runLevel(ctx, s.signIn, s.addrs, c, 2*time.Second)
	}
	settle := false
	for _, s := range systems {
		settle = settle || s.db.commits != nil
	}
	if !settle {
		return nil
	}
	logf("waiting %s for PostgreSQL's statistics", pgStatsSettle)
	select {
	case <-time.After(pgStatsSettle):
	case <-ctx.Done():
		return ctx.Err()
	}
	for _, s := range systems {
		if s.db.commits == nil {
			continue
		}
		n, err := s.db.commits(ctx)
		if err != nil {
			return fmt.Errorf("pg_stat_database: %w", err)
		}
		s.commits0 = n
	}
	return nil
}

// kratosSystem connects to a running Kratos: its version, its process (for
// its CPU), its database, an SMTP sink where its courier mails and the pool
// of identities, seeded through its admin API.
func kratosSystem(ctx context.Context, p peerOptions) (*system, string, func(), error) {
	client := &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512, IdleConnTimeout: time.Minute}}
	public, admin := strings.TrimRight(p.public, "/"), strings.TrimRight(p.admin, "/")
	version, err := kratosVersion(ctx, client, admin)
	if err != nil {
		return nil, "", nil, err
	}
	pid := p.pid
	if pid == 0 {
		if pid, err = pidOfURL(public); err != nil {
			return nil, "", nil, fmt.Errorf("kratos process (give -peer-kratos-pid): %w", err)
		}
	}
	if _, err := processCPUSeconds(pid); err != nil {
		return nil, "", nil, fmt.Errorf("kratos process %d: %w", pid, err)
	}
	db, err := openPeerDatabase(ctx, p.db)
	if err != nil {
		return nil, "", nil, err
	}
	mailSink, err := startSinkReading(p.smtp, kratosCodeIn)
	if err != nil {
		db.cleanup()
		return nil, "", nil, fmt.Errorf("SMTP sink for Kratos's courier: %w", err)
	}
	closeAll := func() { mailSink.Close(); db.cleanup() }
	logf("Kratos %s, process %d: seeding %d identities", version, pid, p.pool)
	if err := seedKratos(ctx, client, admin, p.pool); err != nil {
		closeAll()
		return nil, "", nil, err
	}
	j := &kratosJourney{public: public, client: client, sink: mailSink, mailTimeout: 30 * time.Second}
	status := "/proc/" + strconv.Itoa(pid) + "/status"
	return &system{
		product: productKratos, engine: db.engine, signIn: j.signIn,
		addrs: newAddressQueue(p.pool, kratosAddress),
		counters: func(context.Context, bool) (counters, error) {
			cpu, err := processCPUSeconds(pid)
			if err != nil {
				return counters{}, fmt.Errorf("kratos process: %w", err)
			}
			return counters{CPUSeconds: cpu, PeakRSSMiB: peakRSSOf(status)}, nil
		},
		db: db,
	}, version, closeAll, nil
}

// pidOfURL finds the process listening on the port of a loopback URL.
func pidOfURL(raw string) (int, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return 0, err
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		return 0, fmt.Errorf("%q: no port", raw)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return 0, fmt.Errorf("%q: not on this machine's loopback", raw)
	}
	return pidListeningOn(n)
}
