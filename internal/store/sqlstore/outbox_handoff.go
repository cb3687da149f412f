package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"

	"github.com/guestgate/guestgate/internal/mail"
)

// handoffLease is how long mail handed to this process's dispatcher stays
// leased to it before the dispatcher takes it and renews the lease; if the
// process dies first, any dispatcher claims the row once it runs out (as
// after any crash between claim and send).
const handoffLease = mail.DefaultLease

// handoffBuffer bounds the deliveries waiting for the local dispatcher; past
// it mail is enqueued unclaimed and reaches a dispatcher by the usual claim.
const handoffBuffer = 4096

// mailHandoff passes mail committed in this process straight to this
// process's dispatcher: the row is written already leased to it, so
// sending costs no claim transaction and no NOTIFY round trip. The zero
// value is off.
type mailHandoff struct {
	mu sync.Mutex
	ch chan mail.Delivery // nil while no dispatcher takes hand-offs
}

// MailHandoff makes mail enqueued by this process from now on go straight
// to the returned channel, already leased, until ctx ends. The dispatcher
// must then deliver (and mark) every Delivery it receives.
func (db *DB) MailHandoff(ctx context.Context) <-chan mail.Delivery {
	ch := make(chan mail.Delivery, handoffBuffer)
	db.handoff.mu.Lock()
	db.handoff.ch = ch
	db.handoff.mu.Unlock()
	go func() {
		<-ctx.Done()
		db.handoff.mu.Lock()
		if db.handoff.ch == ch {
			db.handoff.ch = nil
		}
		db.handoff.mu.Unlock()
	}()
	return ch
}

// take returns the hand-off channel and a claim token when a local
// dispatcher takes hand-offs and has room; ok is false otherwise.
func (h *mailHandoff) take() (chan mail.Delivery, string, bool) {
	h.mu.Lock()
	ch := h.ch
	h.mu.Unlock()
	if ch == nil || len(ch) >= cap(ch)-16 {
		return nil, "", false
	}
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, "", false
	}
	return ch, "h." + hex.EncodeToString(b[:]), true
}

// deliverLater passes d to the dispatcher after commit. A full channel
// (a burst beyond the buffer) waits in a goroutine rather than dropping it.
func deliverLater(ch chan mail.Delivery, d mail.Delivery) func() {
	return func() {
		select {
		case ch <- d:
		default:
			go func() { ch <- d }()
		}
	}
}
