package mail

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/guestgate/guestgate/internal/store"
)

// Sends are recorded in batches. Recording a send (sent_at, the bodies
// emptied, the claim ended) was a commit of its own, one of the five a
// passcode sign-in cost. Now the first send of a batch starts a short wait
// (DispatcherConfig.RecordDelay) in which later sends join it, and one
// transaction records them all: under load, one commit for many mails.
// Until it is recorded the dispatcher holds the mail as while sending (its
// lease renewed), so no one else sends it. A crash in that window sends
// the mail again after its lease, as a crash between a send and its record
// always did; and a passcode stays in the body at most that much longer.

// DefaultRecordDelay is how long a send waits for others to be recorded with.
const DefaultRecordDelay = 200 * time.Millisecond

// sentItem is a send waiting to be recorded.
type sentItem struct {
	dl   Delivery
	at   time.Time
	took time.Duration
	res  Result
}

// sentBatch collects sends; kick wakes the recorder for the first of a batch.
type sentBatch struct {
	mu    sync.Mutex
	items []sentItem
	kick  chan struct{}
}

func newSentBatch() *sentBatch { return &sentBatch{kick: make(chan struct{}, 1)} }

func (b *sentBatch) add(it sentItem) {
	b.mu.Lock()
	b.items = append(b.items, it)
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

func (b *sentBatch) take() []sentItem {
	b.mu.Lock()
	defer b.mu.Unlock()
	items := b.items
	b.items = nil
	return items
}

// recordSends records batches of sends until stop is closed, then records
// what is left and returns.
func (d *Dispatcher) recordSends(ctx context.Context, stop <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-d.sent.kick:
		case <-stop:
			d.recordBatch(ctx)
			return
		}
		timer.Reset(d.cfg.RecordDelay)
		select {
		case <-timer.C:
		case <-stop:
			timer.Stop()
		}
		d.recordBatch(ctx)
	}
}

// recordBatch records the sends collected so far in one transaction. If
// that fails, each is retried alone on the heartbeat, as a failed record
// always was.
func (d *Dispatcher) recordBatch(ctx context.Context) {
	items := d.sent.take()
	if len(items) == 0 {
		return
	}
	sent := make([]Sent, len(items))
	for i, it := range items {
		sent[i] = Sent{ID: it.dl.ID, ClaimToken: it.dl.ClaimToken, At: it.at}
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	lost, err := d.cfg.Store.MarkMailsSent(rctx, sent)
	cancel()
	for i, it := range items {
		log := d.log.With("message_id", it.dl.ID, "kind", it.dl.Kind, "tenant_id", it.dl.TenantID, "attempt", it.res.Attempt)
		switch {
		case err != nil:
			s := sent[i]
			d.mu.Lock()
			d.unrecorded[s.ID] = func(ctx context.Context) error {
				return d.cfg.Store.MarkMailSent(ctx, s.ID, s.ClaimToken, s.At)
			}
			d.mu.Unlock()
			// Sent, but not recorded: it goes out again after the lease
			// unless a retry (on the heartbeat) records it first.
			log.ErrorContext(ctx, "mail sent but not recorded as sent", "err", err, "lease_lost", false)
		case slices.Contains(lost, it.dl.ID):
			d.unhold(it.dl.ID)
			log.ErrorContext(ctx, "mail sent but not recorded as sent", "err", store.ErrConflict, "lease_lost", true)
		default:
			d.unhold(it.dl.ID)
			log.InfoContext(ctx, "mail sent", "took", it.took)
		}
		d.report(it.res)
	}
}
