package mail_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	guestmail "github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/testenv"
)

// Leases, release and retention of the dispatcher, on each engine.
func TestDispatcherLeases(t *testing.T) {
	for _, eng := range testenv.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Run("handed_off_burst_slower_than_the_lease_is_sent_once", func(t *testing.T) { testHeartbeat(t, eng) })
			t.Run("stop_releases_mail_not_started", func(t *testing.T) { testReleaseAtStop(t, eng) })
			t.Run("purge_follows_the_clock", func(t *testing.T) { testPurgeByClock(t, eng) })
		})
	}
}

// gatedSender sends through inner after the gate lets it (a closed gate
// never blocks); it counts the messages it was asked to send.
type gatedSender struct {
	inner guestmail.Sender
	gate  func(m guestmail.Message)
}

func (g gatedSender) Send(ctx context.Context, m guestmail.Message) error {
	if g.gate != nil {
		g.gate(m)
	}
	return g.inner.Send(ctx, m)
}

// run runs a dispatcher with cfg until the returned stop is called (or the
// test ends); stop waits for Run to return.
func run(t *testing.T, cfg guestmail.DispatcherConfig) (stop func()) {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	d, err := guestmail.NewDispatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("dispatcher: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// A burst handed to one process's dispatcher queues for its only send slot
// far longer than the lease; another process polls all the while. The
// heartbeat keeps the queued mail leased, so the other never takes it:
// every message is sent once. (Without the renewal the other process
// claims the queued mail once the hand-off lease ends and both send it.)
func testHeartbeat(t *testing.T, eng testenv.Engine) {
	const (
		total = 10
		lease = time.Second
		each  = 300 * time.Millisecond // total×each is three leases
	)
	srv := mailtest.Start(t)
	dsn := eng.DSN(t)
	db1, db2 := openDB(t, dsn), openDB(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	slow := gatedSender{inner: newSender(t, srv, guestmail.SMTPSenderOptions{}), gate: func(guestmail.Message) { time.Sleep(each) }}
	run(t, guestmail.DispatcherConfig{Store: db1, Sender: slow, Handoff: db1.MailHandoff(ctx), Lease: lease, SendTimeout: lease / 2, Concurrency: 1, PollInterval: time.Minute})
	run(t, guestmail.DispatcherConfig{Store: db2, Sender: newSender(t, srv, guestmail.SMTPSenderOptions{}), Lease: lease, SendTimeout: lease / 2, PollInterval: 50 * time.Millisecond})

	var msgs []guestmail.Message
	for i := range total {
		m := newMail(fmt.Sprintf("u%d@partner.example", i))
		// The hand-off lease runs from creation: created this long ago, it
		// ends a second from now, unless the dispatcher renews it.
		m.CreatedAt = time.Now().Add(-guestmail.DefaultLease + time.Second)
		msgs = append(msgs, m)
	}
	commit(t, db1, msgs...) // handed to db1's dispatcher at commit
	srv.WaitCount(t, total, nil)
	// The last message goes out after the others; give the other process
	// several polls past every lease end to send a duplicate, if it could.
	time.Sleep(2 * lease)
	n := receivedCounts(srv)
	for _, m := range msgs {
		if n[m.ID] != 1 {
			t.Errorf("%s received %d times, want once", m.ID, n[m.ID])
		}
	}
}

// A dispatcher stopped with handed-off mail it has not started releases
// it: a new process sends it at once, not after the lease.
func testReleaseAtStop(t *testing.T, eng testenv.Engine) {
	srv := mailtest.Start(t)
	db := openDB(t, eng.DSN(t))
	hctx, stopHandoff := context.WithCancel(context.Background())
	t.Cleanup(stopHandoff)
	first := make(chan struct{})
	unblock := make(chan struct{})
	var once sync.Once
	gate := func(guestmail.Message) {
		once.Do(func() { close(first) })
		<-unblock
	}
	stop := run(t, guestmail.DispatcherConfig{Store: db, Sender: gatedSender{inner: newSender(t, srv, guestmail.SMTPSenderOptions{}), gate: gate},
		Handoff: db.MailHandoff(hctx), Concurrency: 1, PollInterval: time.Minute})
	msgs := []guestmail.Message{newMail("a@partner.example"), newMail("b@partner.example"), newMail("c@partner.example")}
	commit(t, db, msgs...)
	<-first // one is being sent; two wait for the slot
	stopHandoff()
	go func() { time.Sleep(50 * time.Millisecond); close(unblock) }()
	stop()
	ds, err := db.ClaimMail(t.Context(), time.Now(), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 {
		t.Fatalf("claimable right after the stop: %d, want the 2 not started (released, not leased for %v)", len(ds), guestmail.DefaultLease)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d sent, want the 1 in flight at the stop", n)
	}
}

// Finished mail is deleted once the retention has passed on the
// dispatcher's clock; no time passes for real.
func testPurgeByClock(t *testing.T, eng testenv.Engine) {
	srv := mailtest.Start(t)
	db := openDB(t, eng.DSN(t))
	clk := clock.NewFake(time.Now())
	h := startDispatcher(t, db, srv, guestmail.DispatcherConfig{Clock: clk, PollInterval: time.Minute, Retention: 48 * time.Hour, PurgeInterval: time.Hour}, false)
	at := func(addr string) guestmail.Message { // created at the dispatcher's now, so due at once
		m := newMail(addr)
		m.CreatedAt = clk.Now()
		return m
	}
	old := at("old@partner.example")
	commit(t, db, old)
	h.waitResult(t, old.ID, sentOK)

	clk.Advance(47 * time.Hour) // within the retention: kept
	early := at("early@partner.example")
	commit(t, db, early) // wakes the dispatcher, which purges before it claims
	h.waitResult(t, early.ID, sentOK)
	if st := status(t, db, old.ID); st.SentAt.IsZero() || st.Text != "" {
		t.Fatalf("sent mail within the retention: %+v; want kept, without its body", st)
	}

	clk.Advance(2 * time.Hour) // old is past the retention, early is not
	late := at("late@partner.example")
	commit(t, db, late)
	h.waitResult(t, late.ID, sentOK)
	list, err := db.ListMail(t.Context(), 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range list {
		ids = append(ids, s.To[0])
	}
	if len(list) != 2 || list[0].ID != late.ID || list[1].ID != early.ID {
		t.Fatalf("outbox after the purge: %v; want late and early only", ids)
	}
}
