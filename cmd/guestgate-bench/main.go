// Command guestgate-bench measures complete guest sign-ins over HTTP.
//
// It runs guestgate in a process of its own on a fresh SQLite file or a
// fresh schema of a PostgreSQL database, and in this process a real SMTP
// server that captures the passcode mails and N concurrent virtual guests.
// Each virtual guest does the whole journey a browser and an app do: OpenID
// Connect authorize → sign-in page → Send code → the code from the mail →
// verify → token exchange → ID token verification. The send and attempt
// limits keep their defaults, so guests rotate through a pool of seeded
// addresses.
//
// guestgate's process is this program started again with a hidden -serve
// argument. It opens guestgate as the server command does, seeds the
// directory (it owns the store) and answers the load generator over its
// stdin and stdout, one JSON line each way: the seeded tenant, app and guest
// pool, and before and after each level its CPU time, write transactions and
// peak RSS. It stops when its stdin ends, and on Linux the kernel kills it
// if the load generator dies. So guestgate's CPU time per sign-in is its
// own, apart from the load generator's and the SMTP sink's. With
// PostgreSQL on this machine, the CPU time of the sessions guestgate opened
// (found by their application_name) and of the server's background
// processes is read from /proc, and the database's commit count from
// pg_stat_database (every session's, read-only transactions included; read
// after an idle wait, as sessions report their counts late).
//
//	go run ./cmd/guestgate-bench -engine sqlite -concurrency 1,8,32 -duration 10s
//	go run ./cmd/guestgate-bench -engine postgres://postgres@127.0.0.1:5432/postgres -directory 1000000
//	go run ./cmd/guestgate-bench -engine postgres://postgres@127.0.0.1:5432/postgres -users-query -directory 1000000
//	go run ./cmd/guestgate-bench -engine sqlite -concurrency 8 -cpuprofile guestgate.prof -loadgen-cpuprofile loadgen.prof
//	go run ./cmd/guestgate-bench -engine sqlite -id-token-alg ES256
//
// With -peer-kratos it drives a running Ory Kratos instead: its API login
// flow with the one-time code method, the code read from the mail its
// courier sends to an SMTP sink of this program (-peer-smtp-listen); its
// CPU is read from /proc of its process and its PostgreSQL's as for
// guestgate, from the sessions on its own database (-peer-kratos-db). With
// -compare kratos guestgate and Kratos run in interleaved pairs per level,
// and a Markdown table compares them.
//
//	go run ./cmd/guestgate-bench -engine postgres://postgres@127.0.0.1:5432/postgres -compare kratos \
//		-peer-kratos http://127.0.0.1:4433 -peer-kratos-db postgres://postgres@127.0.0.1:5432/kratos_peer \
//		-pairs 3 -duration 20s -concurrency 1,8,32 -json compare.json -markdown compare.md
//
//	go run ./cmd/guestgate-bench -engine postgres://postgres@127.0.0.1:5432/postgres -concurrency 32 -blockprofile block.prof -mutexprofile mutex.prof
//
// With -users-query it instead seeds -directory users in one tenant and
// times the first page of admin API user queries (p50/p99).
//
// It prints, and writes as JSON, per concurrency level: sign-ins per
// second, p50/p95/p99 of each step, errors by kind, CPU milliseconds per
// sign-in of guestgate, of PostgreSQL and of the load generator with the
// SMTP sink, guestgate's peak RSS, its write transactions per sign-in,
// PostgreSQL's commits per sign-in (read-only transactions included) and the
// database size.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	engine         string
	duration       time.Duration
	concurrency    []int
	directory      int
	groups         int
	guestGroups    int
	pool           int
	bulk           int
	jsonPath       string
	keep           bool
	cpuProfile     string
	blockProfile   string
	mutexProfile   string
	loadgenProfile string
	usersQuery     bool
	requests       int
	peer           peerOptions
	idTokenAlg     string
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == serveArg {
		if err := serve(); err != nil {
			fmt.Fprintln(os.Stderr, "guestgate-bench -serve:", err)
			os.Exit(1)
		}
		return
	}
	var o options
	var levels string
	flag.StringVar(&o.engine, "engine", "sqlite", `"sqlite" or a postgres:// URL (a fresh schema is created in it and dropped after)`)
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per concurrency level")
	flag.StringVar(&levels, "concurrency", "1,8,32", "virtual guests, comma-separated levels")
	flag.IntVar(&o.directory, "directory", 0, "padding guests pre-seeded in the directory (e.g. 0, 100000, 1000000)")
	flag.IntVar(&o.groups, "groups", 0, "security groups in the bench tenant (100 padding users each); the -directory padding users then live in the bench tenant itself")
	flag.IntVar(&o.guestGroups, "guest-groups", 0, "with -groups: each pool guest is in this many groups, and the app requires assignment (through one of them) and asks for the groups claim")
	flag.IntVar(&o.pool, "pool", 0, "guest addresses virtual guests rotate through (default: enough that none is reused within a run)")
	flag.IntVar(&o.bulk, "bulk-invitations", 0, "also time this many invitations through the API and their mails through the outbox")
	flag.StringVar(&o.jsonPath, "json", "", "write the results as JSON to this file")
	flag.BoolVar(&o.keep, "keep-db", false, "keep the database afterwards")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of guestgate during the measured levels to this file (go tool pprof)")
	flag.StringVar(&o.blockProfile, "blockprofile", "", "write a block profile of guestgate (where its goroutines waited: locks, channels, the connection pool) during the measured levels to this file")
	flag.StringVar(&o.mutexProfile, "mutexprofile", "", "write a mutex contention profile of guestgate during the measured levels to this file")
	flag.StringVar(&o.loadgenProfile, "loadgen-cpuprofile", "", "write a CPU profile of the load generator and SMTP sink during the measured levels to this file")
	flag.BoolVar(&o.usersQuery, "users-query", false, "instead of sign-ins: seed -directory users in one tenant and time the first page of GET /v1.0/users?$filter=… (startsWith(mail,'a'), userType eq 'Guest', …)")
	flag.IntVar(&o.requests, "requests", 200, "with -users-query: timed requests per query")
	flag.StringVar(&o.peer.compare, "compare", "", `"kratos": measure guestgate and Ory Kratos in interleaved pairs per level (needs -peer-kratos and a postgres:// -engine)`)
	flag.StringVar(&o.peer.public, "peer-kratos", "", "Ory Kratos's public API URL: drive its API login flow with the one-time code method (alone, or with -compare kratos)")
	flag.StringVar(&o.peer.admin, "peer-kratos-admin", "http://127.0.0.1:4434", "Ory Kratos's admin API URL (identities are seeded through it)")
	flag.IntVar(&o.peer.pid, "peer-kratos-pid", 0, "Ory Kratos's process id, for its CPU time (default: the process listening on -peer-kratos's port)")
	flag.StringVar(&o.peer.db, "peer-kratos-db", "", "postgres:// URL of Ory Kratos's own database, for its PostgreSQL CPU and commits (plain URL, without Kratos's pool parameters)")
	flag.StringVar(&o.peer.smtp, "peer-smtp-listen", "127.0.0.1:2526", "address of the SMTP sink Ory Kratos's courier mails to")
	flag.IntVar(&o.peer.pool, "peer-pool", 1024, "Ory Kratos identities virtual guests take turns with (none is used by two guests at once)")
	flag.IntVar(&o.peer.pairs, "pairs", 3, "with -compare: interleaved pairs per level")
	flag.StringVar(&o.peer.markdown, "markdown", "", "with -compare: write the table as Markdown to this file")
	flag.StringVar(&o.idTokenAlg, "id-token-alg", "RS256", `how the bench app's ID tokens are signed: "RS256" or "ES256" (its id_token_signed_response_alg)`)
	flag.Parse()
	if o.idTokenAlg != "RS256" && o.idTokenAlg != "ES256" {
		fmt.Fprintf(os.Stderr, "guestgate-bench: -id-token-alg %q: want RS256 or ES256\n", o.idTokenAlg)
		os.Exit(2)
	}
	for _, s := range strings.Split(levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "guestgate-bench: -concurrency %q: want positive numbers\n", levels)
			os.Exit(2)
		}
		o.concurrency = append(o.concurrency, n)
	}
	// Interrupted or terminated, it stops guestgate and removes the database.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	runner := run
	if o.peer.compare != "" || o.peer.public != "" {
		runner = runPeer
	}
	if err := runner(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "guestgate-bench:", err)
		os.Exit(1)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}
