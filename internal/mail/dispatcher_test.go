package mail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/clock"
	guestmail "github.com/guestgate/guestgate/internal/mail"
	"github.com/guestgate/guestgate/internal/mail/mailtest"
	"github.com/guestgate/guestgate/internal/store/sqlstore"
	"github.com/guestgate/guestgate/internal/testenv"
)

// The dispatcher end to end, on each engine, against a real SMTP server.
func TestDispatcher(t *testing.T) {
	for _, eng := range testenv.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Run("committed_mail_is_sent_rolled_back_is_not", func(t *testing.T) { testCommittedMail(t, eng) })
			t.Run("wake_up_sends_without_waiting_for_the_poll", func(t *testing.T) { testWakeUp(t, eng) })
			t.Run("smtp_down_at_commit_then_back", func(t *testing.T) { testSMTPOutage(t, eng) })
			t.Run("restart_between_commit_and_send", func(t *testing.T) { testRestart(t, eng) })
			t.Run("claim_of_a_crashed_process_expires", func(t *testing.T) { testCrashedClaim(t, eng) })
			t.Run("two_dispatchers_send_each_message_once", func(t *testing.T) { testTwoDispatchers(t, eng) })
			t.Run("gives_up_on_permanent_failure_and_after_max_attempts", func(t *testing.T) { testGiveUp(t, eng) })
			t.Run("sends_are_recorded_together", func(t *testing.T) { testSendsRecordedTogether(t, eng) })
		})
	}
}

// openDB opens and migrates a store on dsn, closed when the test ends.
func openDB(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(t.Context(), dsn, sqlstore.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(t.Context()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// harness is one simulated guestgate process: a store handle and its dispatcher.
type harness struct {
	db   *sqlstore.DB
	sent atomic.Int64
	stop func()

	mu      sync.Mutex
	results []guestmail.Result // every attempt's outcome, in order
	changed chan struct{}      // closed and replaced when results grow
}

func (h *harness) record(r guestmail.Result) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.results = append(h.results, r)
	close(h.changed)
	h.changed = make(chan struct{})
}

// countingSender counts the messages a process sent.
type countingSender struct {
	guestmail.Sender
	n *atomic.Int64
}

func (c countingSender) Send(ctx context.Context, m guestmail.Message) error {
	err := c.Sender.Send(ctx, m)
	if err == nil {
		c.n.Add(1)
	}
	return err
}

// startDispatcher runs a dispatcher on db sending to srv; cfg's Store,
// Sender, Logger and OnResult are filled in, Wake too unless noWake.
// It stops when the test ends, or earlier with h.stop.
func startDispatcher(t *testing.T, db *sqlstore.DB, srv *mailtest.Server, cfg guestmail.DispatcherConfig, noWake bool) *harness {
	t.Helper()
	h := &harness{db: db, changed: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	if !noWake && cfg.Wake == nil {
		cfg.Wake = db.OutboxWakeups(ctx)
	}
	cfg.Store = db
	cfg.Sender = countingSender{newSender(t, srv, guestmail.SMTPSenderOptions{}), &h.sent}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg.OnResult = h.record
	d, err := guestmail.NewDispatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("dispatcher: %v", err)
			}
		})
	}
	t.Cleanup(h.stop)
	return h
}

// waitResult waits for an attempt on message id that matches ok (one
// made before the call counts).
func (h *harness) waitResult(t *testing.T, id string, ok func(guestmail.Result) bool) guestmail.Result {
	t.Helper()
	timeout := time.NewTimer(mailtest.DefaultWait)
	defer timeout.Stop()
	for {
		h.mu.Lock()
		results, changed := h.results, h.changed
		h.mu.Unlock()
		for _, r := range results {
			if r.ID == id && ok(r) {
				return r
			}
		}
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("no matching delivery attempt for %s within %v", id, mailtest.DefaultWait)
		}
	}
}

func sentOK(r guestmail.Result) bool   { return r.Err == nil }
func failedAt(r guestmail.Result) bool { return r.Err != nil }

// newMail returns a passcode-like message to addr.
func newMail(addr string) guestmail.Message {
	m := testMessage(uuid.NewString(), addr)
	m.CreatedAt = time.Now()
	return m
}

// commit enqueues msgs in one committed transaction.
func commit(t *testing.T, db *sqlstore.DB, msgs ...guestmail.Message) {
	t.Helper()
	err := db.InTx(t.Context(), func(ctx context.Context) error {
		for _, m := range msgs {
			if err := db.EnqueueMail(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

// byMessageID matches the message sent for outbox id.
func byMessageID(id string) func(mailtest.Received) bool {
	return func(r mailtest.Received) bool { return r.MessageID() == id+"@gg.example" }
}

// receivedCounts counts received messages per outbox id.
func receivedCounts(srv *mailtest.Server) map[string]int {
	n := map[string]int{}
	for _, r := range srv.Messages() {
		id, _, _ := strings.Cut(r.MessageID(), "@")
		n[id]++
	}
	return n
}

// status returns the outbox row of id.
func status(t *testing.T, db *sqlstore.DB, id string) guestmail.Status {
	t.Helper()
	list, err := db.ListMail(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("message %s not in the outbox", id)
	return guestmail.Status{}
}

func testCommittedMail(t *testing.T, eng testenv.Engine) {
	srv := mailtest.Start(t)
	db := openDB(t, eng.DSN(t))
	h := startDispatcher(t, db, srv, guestmail.DispatcherConfig{PollInterval: time.Minute}, false)

	rolledBack := newMail("rolled-back@partner.example")
	errRollback := errors.New("rollback")
	err := db.InTx(t.Context(), func(ctx context.Context) error {
		if err := db.EnqueueMail(ctx, rolledBack); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("rolled-back tx: %v", err)
	}
	m := newMail("teri@partner.example")
	commit(t, db, m)

	got := srv.WaitFor(t, byMessageID(m.ID))
	if got.Subject != m.Subject || got.Text != m.Text {
		t.Errorf("received %q / %q", got.Subject, got.Text)
	}
	h.waitResult(t, m.ID, sentOK)
	if st := status(t, db, m.ID); st.SentAt.IsZero() || st.Attempts != 1 || st.LastError != "" {
		t.Errorf("outbox row after sending: %+v", st)
	}
	h.stop()
	if n := receivedCounts(srv); n[m.ID] != 1 || n[rolledBack.ID] != 0 || len(n) != 1 {
		t.Errorf("received %v; want only the committed message, once", n)
	}
}

// With the fallback poll at one minute, delivery within seconds can only
// come from the wake-up: in-process after commit, and on PostgreSQL from
// another process through LISTEN/NOTIFY.
func testWakeUp(t *testing.T, eng testenv.Engine) {
	const fast = 5 * time.Second
	srv := mailtest.Start(t)
	dsn := eng.DSN(t)
	db := openDB(t, dsn)
	h := startDispatcher(t, db, srv, guestmail.DispatcherConfig{PollInterval: time.Minute}, false)

	// The first message makes sure the dispatcher's start-up claim is over,
	// so it is idle, waiting, when the second is committed.
	first := newMail("first@partner.example")
	commit(t, db, first)
	h.waitResult(t, first.ID, sentOK)

	m := newMail("teri@partner.example")
	committed := time.Now()
	commit(t, db, m)
	got := srv.WaitFor(t, byMessageID(m.ID))
	latency := got.At.Sub(committed)
	t.Logf("%s: commit to SMTP delivery in %v (in-process wake-up)", eng.Name, latency)
	if latency > fast {
		t.Errorf("delivery took %v; the wake-up did not work (poll is 1 min)", latency)
	}

	if eng.Name != "postgres" {
		return
	}
	// Another process: its own connection pool, no shared memory with db.
	other := openDB(t, dsn)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	wake := other.OutboxWakeups(ctx)
	select { // the listener's signal that it is connected and listening
	case <-wake:
	case <-time.After(mailtest.DefaultWait):
		t.Fatal("outbox listener did not connect")
	}
	h.stop() // only the other process dispatches now
	h2 := startDispatcher(t, other, srv, guestmail.DispatcherConfig{PollInterval: time.Minute, Wake: wake}, false)
	m2 := newMail("notify@partner.example")
	committed = time.Now()
	commit(t, db, m2) // committed by the first process
	got = srv.WaitFor(t, byMessageID(m2.ID))
	latency = got.At.Sub(committed)
	t.Logf("%s: commit to SMTP delivery in %v (LISTEN/NOTIFY from another process)", eng.Name, latency)
	if latency > fast {
		t.Errorf("delivery took %v; NOTIFY did not wake the other process (poll is 1 min)", latency)
	}
	h2.waitResult(t, m2.ID, sentOK)
}

func testSMTPOutage(t *testing.T, eng testenv.Engine) {
	srv := mailtest.Start(t)
	db := openDB(t, eng.DSN(t))
	srv.Stop()
	// The retry delay is short; the poll is long, so the retry is the
	// dispatcher's own doing.
	h := startDispatcher(t, db, srv, guestmail.DispatcherConfig{PollInterval: time.Minute, RetryMin: 50 * time.Millisecond}, false)

	m := newMail("teri@partner.example")
	commit(t, db, m)
	failed := h.waitResult(t, m.ID, failedAt)
	if errors.Is(failed.Err, guestmail.ErrPermanent) || failed.RetryAt.IsZero() {
		t.Fatalf("an outage must be retried: %+v", failed)
	}
	if st := status(t, db, m.ID); st.LastError == "" || !st.SentAt.IsZero() || st.Attempts < 1 {
		t.Errorf("outbox row after a failed attempt: %+v", st)
	}

	srv.Restart(t)
	srv.WaitFor(t, byMessageID(m.ID))
	sent := h.waitResult(t, m.ID, sentOK)
	if sent.Attempt < 2 {
		t.Errorf("sent on attempt %d, want a retry", sent.Attempt)
	}
	h.stop()
	if n := receivedCounts(srv)[m.ID]; n != 1 {
		t.Errorf("received %d times, want once", n)
	}
	if st := status(t, db, m.ID); st.SentAt.IsZero() || st.Attempts != sent.Attempt {
		t.Errorf("outbox row after delivery: %+v", st)
	}
}

// A process commits mail and stops before sending it; a new process (a
// fresh store handle on the same database) sends it, once.
func testRestart(t *testing.T, eng testenv.Engine) {
	srv := mailtest.Start(t)
	dsn := eng.DSN(t)
	before := openDB(t, dsn)
	msgs := []guestmail.Message{newMail("a@partner.example"), newMail("b@partner.example")}
	commit(t, before, msgs...)
	if err := before.Close(); err != nil {
		t.Fatal(err)
	}

	after := openDB(t, dsn)
	h := startDispatcher(t, after, srv, guestmail.DispatcherConfig{}, false)
	for _, m := range msgs {
		srv.WaitFor(t, byMessageID(m.ID))
		h.waitResult(t, m.ID, sentOK)
	}
	h.stop()
	n := receivedCounts(srv)
	for _, m := range msgs {
		if n[m.ID] != 1 {
			t.Errorf("%s received %d times, want once", m.ID, n[m.ID])
		}
		if st := status(t, after, m.ID); st.SentAt.IsZero() {
			t.Errorf("%s not marked sent", m.ID)
		}
	}
}

// A process claimed mail and died before sending: once its lease has
// expired, another process sends the mail.
func testCrashedClaim(t *testing.T, eng testenv.Engine) {
	srv := mailtest.Start(t)
	db := openDB(t, eng.DSN(t))
	m := newMail("teri@partner.example")
	commit(t, db, m)
	now := time.Now()
	ds, err := db.ClaimMail(t.Context(), now, time.Minute, 10) // the process that dies
	if err != nil || len(ds) != 1 {
		t.Fatalf("claim: %v, %d", err, len(ds))
	}

	later := clock.NewFake(now.Add(time.Minute + time.Second))
	h := startDispatcher(t, db, srv, guestmail.DispatcherConfig{Clock: later}, false)
	srv.WaitFor(t, byMessageID(m.ID))
	r := h.waitResult(t, m.ID, sentOK)
	if r.Attempt != 1 {
		t.Errorf("attempt %d: a claim without an outcome is not an attempt", r.Attempt)
	}
	// The dead process's token no longer counts.
	if err := db.MarkMailFailed(t.Context(), m.ID, ds[0].ClaimToken, now, 1, now, "late"); err == nil {
		t.Error("the expired claim could still record an outcome")
	}
}

// Two processes dispatch from one database: every message is sent exactly once.
func testTwoDispatchers(t *testing.T, eng testenv.Engine) {
	const total = 100
	srv := mailtest.Start(t)
	dsn := eng.DSN(t)
	db1, db2 := openDB(t, dsn), openDB(t, dsn)
	cfg := guestmail.DispatcherConfig{PollInterval: 200 * time.Millisecond, Concurrency: 4}
	h1 := startDispatcher(t, db1, srv, cfg, false)
	h2 := startDispatcher(t, db2, srv, cfg, false)

	var ids []string
	for batch := range 10 {
		var msgs []guestmail.Message
		for i := range total / 10 {
			m := newMail(fmt.Sprintf("u%d-%d@partner.example", batch, i))
			msgs = append(msgs, m)
			ids = append(ids, m.ID)
		}
		commit(t, []*sqlstore.DB{db1, db2}[batch%2], msgs...)
	}
	srv.WaitCount(t, total, nil)
	h1.stop()
	h2.stop()

	n := receivedCounts(srv)
	for _, id := range ids {
		if n[id] != 1 {
			t.Errorf("%s received %d times, want once", id, n[id])
		}
	}
	if len(n) != total {
		t.Errorf("%d distinct messages received, want %d", len(n), total)
	}
	if s1, s2 := h1.sent.Load(), h2.sent.Load(); s1+s2 != total {
		t.Errorf("processes sent %d + %d, want %d in all", s1, s2, total)
	} else {
		t.Logf("%s: process 1 sent %d, process 2 sent %d", eng.Name, s1, s2)
	}
	list, err := db1.ListMail(t.Context(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range list {
		if st.SentAt.IsZero() || st.Attempts != 1 {
			t.Errorf("%s: sent %v after %d attempts, want sent after 1", st.ID, st.SentAt, st.Attempts)
		}
	}
}

func testGiveUp(t *testing.T, eng testenv.Engine) {
	srv := mailtest.Start(t)
	db := openDB(t, eng.DSN(t))
	h := startDispatcher(t, db, srv, guestmail.DispatcherConfig{RetryMin: time.Millisecond, MaxAttempts: 3}, false)

	// A recipient rejected with 550: no retry.
	srv.RejectRecipient("gone@partner.example")
	gone := newMail("gone@partner.example")
	commit(t, db, gone)
	r := h.waitResult(t, gone.ID, failedAt)
	if !errors.Is(r.Err, guestmail.ErrPermanent) || !r.RetryAt.IsZero() || r.Attempt != 1 {
		t.Errorf("550 recipient: %+v, want given up after one attempt", r)
	}
	if st := status(t, db, gone.ID); !strings.Contains(st.LastError, "550") || st.Attempts != 1 || !st.SentAt.IsZero() {
		t.Errorf("outbox row: %+v", st)
	}

	// A server refusing with 451 every time: given up after MaxAttempts.
	srv.RefuseTemporarily()
	busy := newMail("busy@partner.example")
	commit(t, db, busy)
	r = h.waitResult(t, busy.ID, func(r guestmail.Result) bool { return r.Attempt == 3 })
	if r.Err == nil || !r.RetryAt.IsZero() {
		t.Errorf("third temporary failure: %+v, want given up", r)
	}
	h.stop()
	if st := status(t, db, busy.ID); st.Attempts != 3 || !strings.Contains(st.LastError, "451") {
		t.Errorf("outbox row: %+v", st)
	}
	if ds, err := db.ClaimMail(t.Context(), time.Now().Add(24*time.Hour), time.Minute, 10); err != nil || len(ds) != 0 {
		t.Errorf("given-up mail still claimable: %d, %v", len(ds), err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages accepted, want none", n)
	}
}

// Sends made while a batch waits are recorded in one write transaction:
// twelve mails committed together cost one commit to record, not twelve.
// The delay is long so that every send joins the first batch however slow
// the machine (and the lease longer, so no renewal falls in between); the
// outcome is reported only once recorded.
func testSendsRecordedTogether(t *testing.T, eng testenv.Engine) {
	srv := mailtest.Start(t)
	db := openDB(t, eng.DSN(t))
	var msgs []guestmail.Message
	for i := range 12 {
		msgs = append(msgs, newMail(fmt.Sprintf("guest%d@partner.example", i)))
	}
	commit(t, db, msgs...)
	// One claim takes all twelve (room for thirteen, so it does not claim
	// again at once); no wake-ups and a one-minute poll: no other write.
	h := startDispatcher(t, db, srv, guestmail.DispatcherConfig{PollInterval: time.Minute, RecordDelay: 3 * time.Second, Lease: time.Minute, Concurrency: 13}, true)
	srv.WaitCount(t, len(msgs), nil)
	before := db.WriteTxCount()
	for _, m := range msgs {
		h.waitResult(t, m.ID, sentOK)
		if st := status(t, db, m.ID); st.SentAt.IsZero() || st.Attempts != 1 {
			t.Errorf("reported sent before it was recorded: %+v", st)
		}
	}
	if n := db.WriteTxCount() - before; n != 1 {
		t.Errorf("recording 12 sends took %d write transactions, want 1", n)
	}
	h.stop()
}
