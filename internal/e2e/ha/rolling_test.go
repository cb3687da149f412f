package ha

import (
	"strings"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/e2e/e2etest"
	"github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/testenv"
)

// TestRollingRestart: two guestgate serve processes on one PostgreSQL,
// restarted one after the other (SIGTERM, wait for the exit, start the
// new one on the same address) under a burst of invitations with mail.
// No request fails: the stopping process drains (responses close their
// connections, so none is cut while a client sends on it), then stops
// accepting (its clients reach the other one, as through a load
// balancer) and answers every request it took; each logs one line when it stops; every acknowledged
// mail arrives, and none twice.
func TestRollingRestart(t *testing.T) {
	e2etest.GuestgateBinary(t)
	dsn := testenv.PostgresDSN(t)
	smtp := mailtest.Start(t)
	env := []string{
		"GUESTGATE_DATABASE_URL=" + dsn, "GUESTGATE_SMTP_URL=" + smtp.URL(),
		"GUESTGATE_MAIL_FROM=guestgate@guestgate.test", "GUESTGATE_SECRET=rolling-test-secret-0123456789abcdef01",
		"GUESTGATE_LOG_LEVEL=info", "GUESTGATE_GRAPH_WRITE_LIMIT=0",
	}
	addrs := []string{e2etest.FreeAddr(t), e2etest.FreeAddr(t)}
	public := "http://" + addrs[0] // the load balancer's URL, as every process sees it
	procs := []*e2etest.Process{e2etest.ServeBehind(t, env, addrs[0], public), e2etest.ServeBehind(t, env, addrs[1], public)}
	b := newBurst(adminClient(t, env, procs[0].URL), "rolling", procs[0].URL, procs[1].URL)
	const n = 400
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.run(n, 8)
	}()
	var stops []time.Duration
	for i := range procs {
		waitAcked(b, int64(60+150*i), done)
		start := time.Now()
		procs[i].Stop()
		stops = append(stops, time.Since(start))
		if got := strings.Count(procs[i].Logs(), "guestgate stopped"); got != 1 {
			t.Errorf("process %d logged %d stop lines, want 1:\n%s", i, got, procs[i].Logs())
		}
		procs[i] = e2etest.ServeBehind(t, env, addrs[i], public)
	}
	<-done
	b.check(t, n)
	f := b.waitMail(t, smtp, 30*time.Second)
	if f.duplicates != 0 {
		t.Errorf("%d mails sent twice", f.duplicates)
	}
	if f.max >= mail.DefaultLease {
		t.Errorf("a mail waited %v: it waited for the lease of a stopped process (%v) instead of being sent or released", f.max, mail.DefaultLease)
	}
	t.Logf("figures: rolling restart of 2 processes under %d invitations: %s; stops took %v; %d mails, %d duplicates, wait from acknowledgement to arrival p50 %v max %v",
		n, b.summary(), stops, f.received, f.duplicates, f.p50.Round(time.Millisecond), f.max.Round(time.Millisecond))
}
