package ha

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/testenv"
)

// The high-availability harness: etcd, a two-node Patroni cluster in
// synchronous mode and PgBouncer in transaction pooling mode, all on
// loopback ports of their own (never the PostgreSQL on 5432 the other
// tests use), from the Debian packages etcd-server, patroni and
// pgbouncer. Everything runs in a temporary directory and is stopped
// when the test ends, even when it fails: each daemon in a process group
// of its own, each postmaster (which Patroni starts in a session of its
// own) by the pid in its data directory.

// Patroni's timing: a leader key of haTTL seconds, a loop every
// haLoopWait, and a primary whose postmaster dies fails over at once
// (primary_start_timeout 0) when a synchronous standby exists.
const (
	haTTL          = 10
	haLoopWait     = 1
	haRetryTimeout = 3
)

// haCluster is a running etcd, Patroni pair and PgBouncer.
type haCluster struct {
	t     *testing.T
	dir   string
	nodes [2]*haNode
	// bouncer is PgBouncer's port; it points at the primary at start.
	bouncer int
	procs   []*exec.Cmd
	cred    *syscall.Credential
}

type haNode struct {
	name     string
	pg, rest int
	dataDir  string
}

// haTools finds the programs the harness runs: without them it skips,
// and fails under CI=true (.ci/run installs them).
func haTools(t *testing.T) (etcd, patroni, pgbouncer, pgBin string) {
	t.Helper()
	var missing []string
	look := func(name string, extra ...string) string {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		for _, p := range extra {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		missing = append(missing, name)
		return ""
	}
	etcd = look("etcd")
	patroni = look("patroni")
	pgbouncer = look("pgbouncer", "/usr/sbin/pgbouncer")
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	sort.Strings(bins)
	if len(bins) == 0 {
		missing = append(missing, "postgres")
	} else {
		pgBin = filepath.Dir(bins[len(bins)-1])
	}
	if len(missing) > 0 {
		testenv.Unavailable(t, fmt.Sprintf("the high-availability cluster (%v not installed; apt-get install etcd-server patroni python3-etcd pgbouncer, as .ci/run does)", missing))
	}
	return etcd, patroni, pgbouncer, pgBin
}

// freePort returns a loopback port free right now.
func freePort(t *testing.T) int {
	t.Helper()
	_, p, _ := strings.Cut(e2etest.FreeAddr(t), ":")
	n, _ := strconv.Atoi(p)
	return n
}

// startHA starts etcd, two Patroni nodes and PgBouncer, and waits until
// the cluster has a primary and a synchronous standby.
func startHA(t *testing.T) *haCluster {
	t.Helper()
	etcdBin, patroniBin, bouncerBin, pgBin := haTools(t)
	c := &haCluster{t: t}
	dir, err := os.MkdirTemp("", "guestgate-ha-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	t.Cleanup(c.stop)
	// PostgreSQL and PgBouncer refuse to run as root: run them as the
	// postgres user, who must reach the directory.
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs a postgres user for PostgreSQL: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}

	etcdClient, etcdPeer := freePort(t), freePort(t)
	c.start("etcd", nil, etcdBin, "--name", "ha", "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdClient),
		"--advertise-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdClient),
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPeer),
		"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPeer),
		"--initial-cluster", fmt.Sprintf("ha=http://127.0.0.1:%d", etcdPeer))
	c.waitHTTP(fmt.Sprintf("http://127.0.0.1:%d/health", etcdClient), 30*time.Second)

	for i := range c.nodes {
		n := &haNode{name: fmt.Sprintf("node%d", i+1), pg: freePort(t), rest: freePort(t)}
		n.dataDir = filepath.Join(dir, n.name)
		c.nodes[i] = n
		conf := filepath.Join(dir, n.name+".yml")
		c.writeFile(conf, patroniConfig(n, dir, pgBin, etcdClient))
		c.start(n.name, c.cred, patroniBin, conf)
		if i == 0 {
			// The first node bootstraps the cluster; the second then
			// copies it rather than racing it.
			c.waitHTTP(fmt.Sprintf("http://127.0.0.1:%d/primary", n.rest), 90*time.Second)
		}
	}
	c.waitHTTP(fmt.Sprintf("http://127.0.0.1:%d/sync", c.nodes[1].rest), 90*time.Second)

	c.bouncer = freePort(t)
	ini := filepath.Join(dir, "pgbouncer.ini")
	c.writeFile(filepath.Join(dir, "userlist.txt"), `"postgres" ""`+"\n")
	c.writeFile(ini, bouncerConfig(dir, c.bouncer, c.nodes[0].pg))
	c.start("pgbouncer", c.cred, bouncerBin, ini)
	return c
}

// patroniConfig is one node's configuration: synchronous mode, fast
// failover, trust authentication on loopback only.
func patroniConfig(n *haNode, dir, pgBin string, etcd int) string {
	return fmt.Sprintf(`scope: guestgate-ha
name: %[1]s
restapi:
  listen: 127.0.0.1:%[2]d
  connect_address: 127.0.0.1:%[2]d
etcd3:
  hosts: 127.0.0.1:%[3]d
bootstrap:
  dcs:
    ttl: %[7]d
    loop_wait: %[8]d
    retry_timeout: %[9]d
    maximum_lag_on_failover: 1048576
    primary_start_timeout: 0
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 5
        max_replication_slots: 5
        max_connections: 100
  initdb:
  - encoding: UTF8
  - locale: C
  pg_hba:
  - local all all trust
  - host replication all 127.0.0.1/32 trust
  - host all all 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:%[4]d
  connect_address: 127.0.0.1:%[4]d
  data_dir: %[5]s
  bin_dir: %[6]s
  pgpass: %[10]s/%[1]s.pgpass
  authentication:
    superuser: {username: postgres, password: postgres}
    replication: {username: postgres, password: postgres}
    rewind: {username: postgres, password: postgres}
  parameters:
    unix_socket_directories: %[10]s
    fsync: "on"
log:
  level: WARNING
`, n.name, n.rest, etcd, n.pg, n.dataDir, pgBin, haTTL, haLoopWait, haRetryTimeout, dir)
}

// bouncerConfig is PgBouncer in transaction pooling mode in front of the
// PostgreSQL on port pg, as an operator would run it.
func bouncerConfig(dir string, port, pg int) string {
	return fmt.Sprintf(`[databases]
* = host=127.0.0.1 port=%[3]d
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = %[2]d
unix_socket_dir = %[1]s
auth_type = trust
auth_file = %[1]s/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
server_reset_query =
`, dir, port, pg)
}

func (c *haCluster) writeFile(path, body string) {
	c.t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		c.t.Fatal(err)
	}
}

// start runs a daemon in a process group of its own, its output in
// dir/name.log.
func (c *haCluster) start(name string, cred *syscall.Credential, bin string, args ...string) {
	c.t.Helper()
	logf, err := os.Create(filepath.Join(c.dir, name+".log"))
	if err != nil {
		c.t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = c.dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "HOME="+c.dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: cred}
	if err := cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", name, err)
	}
	logf.Close()
	c.procs = append(c.procs, cmd)
}

// waitHTTP waits until u answers 200.
func (c *haCluster) waitHTTP(u string, timeout time.Duration) {
	c.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s did not answer 200 within %v (%v)\n%s", u, timeout, err, c.logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// logs returns the daemons' logs, for a failure message.
func (c *haCluster) logs() string {
	var b strings.Builder
	files, _ := filepath.Glob(filepath.Join(c.dir, "*.log"))
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		if len(raw) > 4000 {
			raw = raw[len(raw)-4000:]
		}
		fmt.Fprintf(&b, "--- %s\n%s\n", filepath.Base(f), raw)
	}
	return b.String()
}

// primary returns the node Patroni names leader now, or nil.
func (c *haCluster) primary() *haNode {
	for _, n := range c.nodes {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/primary", n.rest))
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			return n
		}
	}
	return nil
}

// postmaster returns the pid of n's postmaster (0 if it is not running).
func (n *haNode) postmaster() int {
	raw, err := os.ReadFile(filepath.Join(n.dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	first, _, _ := strings.Cut(string(raw), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(first))
	return pid
}

// multiHostURL is the URL an operator gives guestgate for the cluster:
// both nodes, the one that accepts writes chosen at connect.
func (c *haCluster) multiHostURL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d,127.0.0.1:%d/%s?sslmode=disable&target_session_attrs=read-write",
		c.nodes[0].pg, c.nodes[1].pg, db)
}

// bouncerURL is a plain URL through PgBouncer.
func (c *haCluster) bouncerURL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.bouncer, db)
}

// createDatabase creates db on the primary.
func (c *haCluster) createDatabase(db string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.multiHostURL("postgres"))
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
		c.t.Fatal(err)
	}
}

// writeCount is the sum of the admin API write limit's counters in db.
func (c *haCluster) writeCount(db string) int64 {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.multiHostURL(db))
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int64
	if err := conn.QueryRow(ctx, `SELECT COALESCE(SUM(count), 0) FROM rate_limits WHERE key LIKE 'graph-write|%'`).Scan(&n); err != nil {
		c.t.Fatal(err)
	}
	return n
}

// stop ends everything the harness started: each postmaster at once
// (SIGQUIT: immediate shutdown), then each daemon's process group, and
// removes the directory.
func (c *haCluster) stop() {
	for _, p := range c.procs {
		_ = syscall.Kill(-p.Process.Pid, syscall.SIGKILL)
	}
	for _, n := range c.nodes {
		if n == nil {
			continue
		}
		if pid := n.postmaster(); pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGQUIT)
		}
	}
	for _, p := range c.procs {
		_ = p.Wait()
	}
	for _, n := range c.nodes {
		if n == nil {
			continue
		}
		// Wait for the postmaster to go before removing its files.
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			pid := n.postmaster()
			if pid == 0 || syscall.Kill(pid, 0) != nil {
				break
			}
		}
		if pid := n.postmaster(); pid > 0 {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	_ = os.RemoveAll(c.dir)
}
