package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/guestgate/guestgate/internal/httpx"
	"github.com/guestgate/guestgate/internal/server"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
)

// database is the store the benchmark runs on: a fresh SQLite file, or a
// fresh schema in the given PostgreSQL database, removed afterwards.
type database struct {
	dsn     string
	engine  string
	cleanup func()
	size    func(ctx context.Context) (int64, error)
	// commits is PostgreSQL's count of committed transactions in the
	// database (pg_stat_database.xact_commit: every session's, read-only
	// ones too); nil for SQLite.
	commits func(ctx context.Context) (int64, error)
	// serverPIDs are the process ids of the PostgreSQL sessions guestgate
	// opened (they carry the benchmark's application_name) and of the
	// server's background processes (WAL writer, checkpointer, autovacuum,
	// …): the processes whose CPU time is guestgate's load on PostgreSQL.
	// Other sessions, the benchmark's own included, are left out; with
	// sessionsOnly, the background processes too (on a server shared with
	// other work, their CPU is not all guestgate's). Nil for SQLite.
	serverPIDs func(ctx context.Context, sessionsOnly bool) ([]int, error)
}

func newDatabase(ctx context.Context, engine string, keep bool) (*database, error) {
	if !sqlstore.IsPostgresURL(engine) {
		dir, err := os.MkdirTemp("", "guestgate-bench-")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, "bench.db")
		return &database{dsn: path, engine: "sqlite", cleanup: func() {
			if !keep {
				os.RemoveAll(dir)
			}
		}, size: func(context.Context) (int64, error) {
			var total int64
			for _, p := range []string{path, path + "-wal"} {
				if st, err := os.Stat(p); err == nil {
					total += st.Size()
				}
			}
			return total, nil
		}}, nil
	}
	admin, err := sql.Open("pgx", engine)
	if err != nil {
		return nil, err
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	schema := "bench_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return nil, fmt.Errorf("create schema: %w", err)
	}
	u, err := url.Parse(engine)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", "guestgate-"+schema)
	u.RawQuery = q.Encode()
	return &database{dsn: u.String(), engine: "postgres", cleanup: func() {
		if !keep {
			_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		}
		admin.Close()
	}, size: func(ctx context.Context) (int64, error) {
		var n sql.NullInt64
		err := admin.QueryRowContext(ctx, `SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c
			JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`, schema).Scan(&n)
		return n.Int64, err
	}, commits: func(ctx context.Context) (int64, error) {
		var n int64
		err := admin.QueryRowContext(ctx, `SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()`).Scan(&n)
		return n, err
	}, serverPIDs: func(ctx context.Context, sessionsOnly bool) ([]int, error) {
		rows, err := admin.QueryContext(ctx, `SELECT pid FROM pg_stat_activity
			WHERE application_name = $1 OR (NOT $2 AND backend_type <> 'client backend')`, "guestgate-"+schema, sessionsOnly)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var pids []int
		for rows.Next() {
			var pid int
			if err := rows.Scan(&pid); err != nil {
				return nil, err
			}
			pids = append(pids, pid)
		}
		return pids, rows.Err()
	}}, nil
}

// startGuestgate runs guestgate in this process on loopback, sending mail
// to the sink; this process is guestgate's (see serve).
func startGuestgate(ctx context.Context, dsn string, sinkURL string) (*server.Server, string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	cfg := server.Defaults()
	cfg.DatabaseURL = dsn
	cfg.PublicURL = "http://" + ln.Addr().String()
	cfg.Listen = ln.Addr().String()
	cfg.SMTPURL = sinkURL
	cfg.MailFrom = "guestgate@bench.example"
	cfg.Secret = random() + random()
	// The abuse limits run at their defaults: their counting is part of
	// what is measured. The load generator stands for the reverse proxy in
	// front of guestgate (trusted, as in a deployment behind one) and names
	// each sign-in's client in X-Forwarded-For: a partner's person signing
	// in from their own address (guest.go, clientAddress). A crowd behind
	// one NAT address is sized by ratelimit.TestSimulateCrowd instead.
	proxies, err := httpx.ParseTrustedProxies("127.0.0.1")
	if err != nil {
		return nil, "", nil, err
	}
	cfg.TrustedProxies = proxies
	// Graph's write limit would meet -bulk-invitations (it measures
	// capacity, not the throttle).
	cfg.Abuse.GraphWrites.PerTenant.Limit = 1 << 30 // per app per tenant; it has no per-client part
	cfg.Queries.ReadLimit.Limit = 1 << 30           // -users-query times one reader, not the read limit
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	if os.Getenv("GUESTGATE_BENCH_LOG") != "" {
		log = slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	slog.SetDefault(log)
	srv, err := server.Open(ctx, cfg, server.Options{Logger: log, Listener: ln})
	if err != nil {
		return nil, "", nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Run(runCtx); err != nil {
			fmt.Fprintln(os.Stderr, "guestgate:", err)
		}
	}()
	stop := func() { cancel(); <-done; srv.Close() }
	return srv, cfg.PublicURL, stop, nil
}
