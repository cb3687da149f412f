package ha

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
)

// haInvitations is the burst of each high-availability test.
const haInvitations = 300

// TestHighAvailability runs guestgate on a two-node Patroni cluster in
// synchronous mode (etcd, loopback, startHA): first through PgBouncer in
// transaction pooling mode, then on the multi-host URL while the
// primary's postmaster is killed mid-burst. The figures are printed.
func TestHighAvailability(t *testing.T) {
	e2etest.GuestgateBinary(t)
	begin := time.Now()
	c := startHA(t)
	t.Logf("figures: Patroni cluster up in %v: primary %s, synchronous standby %s", time.Since(begin).Round(time.Millisecond), c.primary().name, c.nodes[1].name)
	t.Run("PgBouncer", func(t *testing.T) { testPgBouncer(t, c) })
	t.Run("Failover", func(t *testing.T) { testFailover(t, c) })
	t.Logf("whole run %v", time.Since(begin).Round(time.Second))
}

// haEnv is the environment of guestgate processes on the database url.
func haEnv(smtp *mailtest.Server, url string, extra ...string) []string {
	return append([]string{
		"GUESTGATE_DATABASE_URL=" + url, "GUESTGATE_SMTP_URL=" + smtp.URL(),
		"GUESTGATE_MAIL_FROM=guestgate@guestgate.test", "GUESTGATE_SECRET=ha-test-secret-0123456789abcdef0123456",
		"GUESTGATE_LOG_LEVEL=warn",
	}, extra...)
}

// testPgBouncer: the URL an operator writes for PgBouncer in transaction
// mode, with GUESTGATE_DATABASE_POOLER=pgbouncer and a direct LISTEN URL.
// migrate runs through it; two processes take the burst without a 500;
// mail queued by another process (the CLI) is sent at once, not after
// the outbox's fallback poll.
func testPgBouncer(t *testing.T, c *haCluster) {
	c.createDatabase("guestgate_bouncer")
	smtp := mailtest.Start(t)
	env := haEnv(smtp, c.bouncerURL("guestgate_bouncer"),
		"GUESTGATE_DATABASE_POOLER=pgbouncer", "GUESTGATE_DATABASE_LISTEN_URL="+c.multiHostURL("guestgate_bouncer"))
	e2etest.RunCLI(t, env, "migrate")
	// Without the setting, serve refuses to start and says what to set.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	plain := exec.CommandContext(ctx, e2etest.GuestgateBinary(t), "serve")
	plain.Env = append(append(os.Environ(), haEnv(smtp, c.bouncerURL("guestgate_bouncer"))...), "GUESTGATE_LISTEN="+e2etest.FreeAddr(t))
	if out, err := plain.CombinedOutput(); err == nil || !strings.Contains(string(out), "GUESTGATE_DATABASE_POOLER=pgbouncer") {
		t.Errorf("serve through PgBouncer without the pooler setting: %v\n%s", err, out)
	}
	addrs := []string{e2etest.FreeAddr(t), e2etest.FreeAddr(t)}
	public := "http://" + addrs[0]
	procs := []*e2etest.Process{e2etest.ServeBehind(t, env, addrs[0], public), e2etest.ServeBehind(t, env, addrs[1], public)}
	b := newBurst(adminClient(t, env, public), "bouncer", public, procs[1].URL)
	b.run(haInvitations, 8)
	b.check(t, haInvitations)
	f := b.waitMail(t, smtp, 30*time.Second)
	if f.duplicates != 0 {
		t.Errorf("%d mails sent twice", f.duplicates)
	}
	for s := range b.statuses {
		if s != http.StatusCreated {
			t.Errorf("through PgBouncer with no failure, an answer %d: %v", s, b.statuses)
		}
	}

	// Mail another process queues: guestgate invite (the CLI) commits it
	// and exits; a serve process, woken by NOTIFY on its direct LISTEN
	// connection, sends it.
	sent := time.Now()
	e2etest.RunCLI(t, env, "invite", "--tenant", "fabrikam.example", "--email", "cli@gmail.example",
		"--redirect-url", "https://apps.fabrikam.example/", "--send-message")
	m := smtp.WaitFor(t, mailtest.To("cli@gmail.example"))
	wake := m.At.Sub(sent)
	if wake > 3*time.Second {
		t.Errorf("mail queued by the CLI arrived %v later: the senders were not woken (the fallback poll is 5 s)", wake)
	}
	for _, p := range procs {
		if strings.Contains(p.Logs(), "42P05") || strings.Contains(p.Logs(), "26000") {
			t.Errorf("a prepared statement collided behind PgBouncer:\n%s", p.Logs())
		}
	}
	t.Logf("figures: PgBouncer (transaction mode): %s; %d mails, %d duplicates, wait p50 %v max %v; mail queued by the CLI sent after %v (command included)",
		b.summary(), f.received, f.duplicates, f.p50.Round(time.Millisecond), f.max.Round(time.Millisecond), wake.Round(time.Millisecond))
}

// testFailover: two processes on the multi-host URL
// (target_session_attrs=read-write); the primary's postmaster is killed
// with SIGKILL mid-burst. No acknowledged invitation or mail is lost,
// the API answers only 201 or 503 with Retry-After, and both processes
// serve afterwards without a restart.
func testFailover(t *testing.T, c *haCluster) {
	c.createDatabase("guestgate_failover")
	smtp := mailtest.Start(t)
	env := haEnv(smtp, c.multiHostURL("guestgate_failover"))
	addrs := []string{e2etest.FreeAddr(t), e2etest.FreeAddr(t)}
	public := "http://" + addrs[0]
	procs := []*e2etest.Process{e2etest.ServeBehind(t, env, addrs[0], public), e2etest.ServeBehind(t, env, addrs[1], public)}
	b := newBurst(adminClient(t, env, public), "failover", public, procs[1].URL)
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.run(haInvitations, 8)
	}()
	waitAcked(b, haInvitations/3, done)
	old := c.primary()
	if old == nil {
		t.Fatalf("no primary before the kill\n%s", c.logs())
	}
	pid := old.postmaster()
	if pid == 0 {
		t.Fatalf("no postmaster.pid in %s", old.dataDir)
	}
	ackedAtKill := b.ackedN.Load()
	killed := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The promotion: the other node answers /primary.
	var promoted time.Duration
	for promoted == 0 && time.Since(killed) < 60*time.Second {
		if p := c.primary(); p != nil && p != old {
			promoted = time.Since(killed)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if promoted == 0 {
		t.Fatalf("no node was promoted within 60 s\n%s", c.logs())
	}
	<-done
	b.check(t, haInvitations)
	f := b.waitMail(t, smtp, 60*time.Second)
	for i, p := range procs {
		if _, err := invite(b.client, p.URL, fmt.Sprintf("after%d@gmail.example", i), false); err != nil {
			t.Errorf("process %d after the failover: %v\n%s", i, err, p.Logs())
		}
	}
	// The write limit (on by default) counted every write that was done:
	// a write whose count could not be stored was refused with a 503.
	counted := c.writeCount("guestgate_failover")
	if done := int64(haInvitations + len(procs)); counted < done {
		t.Errorf("the write limit counted %d writes, %d were done: a count was lost in the failover", counted, done)
	}
	t.Logf("figures: failover: postmaster of %s killed after %d acknowledged; standby promoted in %v; unavailability window (first to last answer not 201) %v; %s; %d mails, 0 lost, %d duplicates, wait p50 %v max %v; write limit counted %d writes (%d done, the rest answered 503)",
		old.name, ackedAtKill, promoted.Round(time.Millisecond), b.window().Round(time.Millisecond), b.summary(),
		f.received, f.duplicates, f.p50.Round(time.Millisecond), f.max.Round(time.Millisecond), counted, haInvitations+len(procs))
}
