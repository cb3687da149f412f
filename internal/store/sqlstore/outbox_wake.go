package sqlstore

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// wakeHub fans "mail was enqueued" out to OutboxWakeups subscribers. The
// zero value is ready to use.
type wakeHub struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

// signal wakes every subscriber without blocking; a subscriber that has
// not yet taken its last signal keeps that one (signals coalesce).
func (h *wakeHub) signal() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (h *wakeHub) add(ch chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = make(map[chan struct{}]struct{})
	}
	h.subs[ch] = struct{}{}
}

func (h *wakeHub) remove(ch chan struct{}) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, ch)
}

// wakeOutbox runs after a transaction that enqueued mail commits.
func (db *DB) wakeOutbox() { db.outboxWake.signal() }

// OutboxWakeups returns a channel that receives when mail may have become
// due: after this process commits a transaction that enqueued mail and, on
// PostgreSQL, when any process's such transaction commits (LISTEN on
// guestgate_outbox over a dedicated connection to Options.ListenURL or the
// database URL (none through a transaction pooler: pooler.go), reconnecting with backoff;
// each (re)connection also sends one signal, since notifications sent while
// disconnected are lost). Signals are coalesced: the channel buffers one and
// never blocks a sender. It stops receiving when ctx ends; it is not closed.
func (db *DB) OutboxWakeups(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	db.outboxWake.add(ch)
	notify := func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
	go func() {
		switch {
		case db.d.notifyOutbox == "":
		case db.listenDSN == "":
			db.log.WarnContext(ctx, "no LISTEN through a transaction pooler: mail queued by another process waits for the outbox's fallback poll; set GUESTGATE_DATABASE_LISTEN_URL to a direct connection")
		default:
			db.listenOutbox(ctx, notify)
		}
		<-ctx.Done()
		db.outboxWake.remove(ch)
	}()
	return ch
}

// Listener reconnect backoff.
const (
	listenBackoffMin = 100 * time.Millisecond
	listenBackoffMax = 30 * time.Second
)

// listenOutbox keeps a LISTEN guestgate_outbox connection until ctx ends.
func (db *DB) listenOutbox(ctx context.Context, notify func()) {
	backoff := listenBackoffMin
	for {
		connected, err := db.listenOnce(ctx, notify)
		if ctx.Err() != nil {
			return
		}
		if connected {
			backoff = listenBackoffMin
		}
		db.log.WarnContext(ctx, "outbox listener disconnected; reconnecting", "err", err, "retry_in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		backoff = min(2*backoff, listenBackoffMax)
	}
}

// listenOnce connects, listens and forwards notifications until the
// connection fails or ctx ends. connected reports whether LISTEN succeeded.
func (db *DB) listenOnce(ctx context.Context, notify func()) (connected bool, err error) {
	conn, err := pgx.Connect(ctx, db.listenDSN)
	if err != nil {
		return false, err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+outboxChannel); err != nil {
		return false, err
	}
	db.log.DebugContext(ctx, "outbox listener connected", "channel", outboxChannel)
	notify() // anything enqueued while we were not listening
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return true, err
		}
		notify()
	}
}
