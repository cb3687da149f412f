package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/metrics"
	"github.com/guestgate/guestgate/internal/store"
)

// DispatcherConfig configures a Dispatcher. Store and Sender are required;
// the rest have defaults.
type DispatcherConfig struct {
	Store  OutboxStore
	Sender Sender
	Clock  clock.Clock // default clock.Real
	// Wake signals that mail may be due (sqlstore's OutboxWakeups: commits
	// in this process, LISTEN/NOTIFY from others). nil: poll only.
	Wake <-chan struct{}
	// Handoff, if set, brings mail committed in this process already leased
	// to this dispatcher (sqlstore's MailHandoff): it is sent at once, with
	// no claim. Every Delivery received must be delivered and marked.
	Handoff <-chan Delivery
	Logger  *slog.Logger

	PollInterval time.Duration // fallback poll when no wake-up comes (default 5 s)
	// Lease is how long a claim is exclusive without renewal (default
	// DefaultLease). While the dispatcher holds a message (waiting for a
	// send slot, sending, recording the outcome) it renews the lease every
	// third of it, so only a dead process's mail waits for a lease to end.
	Lease       time.Duration
	Concurrency int           // messages in flight at once (default 4)
	SendTimeout time.Duration // bound on one send (default half the lease)
	RetryMin    time.Duration // first retry delay, doubling per attempt (default 2 s)
	RetryMax    time.Duration // longest retry delay (default 10 min)
	MaxAttempts int           // attempts before giving up (default 10)
	// Retention is how long sent and given-up messages (their envelopes;
	// the bodies are emptied at once) stay in the outbox before they are
	// deleted (default DefaultRetention). The purge runs when the
	// dispatcher starts and then every PurgeInterval (default 1 h) of
	// Clock time, checked whenever the dispatcher wakes.
	Retention     time.Duration
	PurgeInterval time.Duration
	// RecordDelay is how long a send waits for later ones to be recorded
	// in the same transaction (default DefaultRecordDelay; sent_batch.go).
	RecordDelay time.Duration

	// OnResult, if set, is called after every attempt (tests).
	OnResult func(Result)
	// Metrics counts sends and failures by reason; nil counts nothing.
	Metrics *metrics.Metrics
}

// Result is the outcome of one delivery attempt.
type Result struct {
	ID       string
	Kind     string
	TenantID string
	Attempt  int   // 1 for the first
	Err      error // nil: sent
	// RetryAt is when the next attempt is due; zero when sent or given up.
	RetryAt time.Time
}

// DefaultLease is the dispatcher's default lease, and the lease of mail
// handed to the local dispatcher at commit: after a crash, a dead
// process's mail is claimable again within this.
const DefaultLease = 15 * time.Second

// DefaultRetention is how long finished mail stays in the outbox by default.
const DefaultRetention = 7 * 24 * time.Hour

// Dispatcher sends the outbox: it claims due messages (a lease, so several
// processes never send one message at once), sends them with up to
// Concurrency in flight, marks them sent, and reschedules failures with
// exponential backoff until MaxAttempts. It claims as soon as Wake signals
// and polls only as a fallback.
type Dispatcher struct {
	cfg DispatcherConfig
	log *slog.Logger

	mu             sync.Mutex
	retryAt        time.Time     // earliest retry this dispatcher scheduled; zero: none
	retryScheduled chan struct{} // signalled (coalesced) when retryAt is set

	// held is the mail this dispatcher holds, id → claim token: claimed or
	// handed over and not yet recorded. The heartbeat renews its leases.
	// unrecorded holds the outcomes whose recording failed, retried on
	// every heartbeat (a sent message re-sent after its lease would be a
	// duplicate). Both under mu.
	held       map[string]string
	unrecorded map[string]func(context.Context) error
	// sent holds the sends waiting to be recorded together.
	sent *sentBatch

	nextPurge time.Time // Clock time of the next purge; Run's goroutine only
}

// NewDispatcher returns a Dispatcher; Run starts it.
func NewDispatcher(cfg DispatcherConfig) (*Dispatcher, error) {
	if cfg.Store == nil || cfg.Sender == nil {
		return nil, errors.New("mail dispatcher: Store and Sender are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.PollInterval, 5*time.Second)
	def(&cfg.Lease, DefaultLease)
	def(&cfg.Retention, DefaultRetention)
	def(&cfg.PurgeInterval, time.Hour)
	def(&cfg.RecordDelay, DefaultRecordDelay)
	def(&cfg.SendTimeout, cfg.Lease/2)
	def(&cfg.RetryMin, 2*time.Second)
	def(&cfg.RetryMax, 10*time.Minute)
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.SendTimeout >= cfg.Lease {
		return nil, fmt.Errorf("mail dispatcher: send timeout %v must be shorter than the lease %v", cfg.SendTimeout, cfg.Lease)
	}
	return &Dispatcher{
		cfg: cfg, log: cfg.Logger.With("component", "mail.dispatcher"),
		retryScheduled: make(chan struct{}, 1),
		held:           make(map[string]string),
		unrecorded:     make(map[string]func(context.Context) error),
		sent:           newSentBatch(),
	}, nil
}

// Run dispatches until ctx ends, then waits for the sends in flight (each
// bounded by SendTimeout) to finish and be recorded, releases hand-offs it
// did not start, and returns nil. Errors of the store are logged and
// retried at the next poll.
func (d *Dispatcher) Run(ctx context.Context) error {
	slots := make(chan struct{}, d.cfg.Concurrency) // one token per send in flight
	var inflight sync.WaitGroup
	// The heartbeat outlives ctx until the last send is recorded.
	hbCtx, stopHeartbeat := context.WithCancel(context.WithoutCancel(ctx))
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		d.heartbeat(hbCtx)
	}()
	stopRecording, recorded := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(recorded)
		d.recordSends(context.WithoutCancel(ctx), stopRecording)
	}()
	defer func() {
		inflight.Wait()
		close(stopRecording)
		<-recorded
		stopHeartbeat()
		<-hbDone
		d.recordAgain(context.WithoutCancel(ctx)) // a last chance for outcomes not yet recorded
	}()
	if d.cfg.Handoff != nil {
		inflight.Go(func() { d.takeHandoffs(ctx, slots, &inflight) })
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		// Take one free slot, waiting if all are busy, then any other free ones.
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		n := 1
	fill:
		for n < cap(slots) {
			select {
			case slots <- struct{}{}:
				n++
			default:
				break fill
			}
		}
		now := d.cfg.Clock.Now()
		d.maybePurge(ctx, now)
		d.retryClaimed(now)
		ds, err := d.cfg.Store.ClaimMail(ctx, now, d.cfg.Lease, n)
		for range n - len(ds) {
			<-slots
		}
		if err != nil && ctx.Err() == nil {
			d.log.ErrorContext(ctx, "claim mail", "err", err)
		}
		for _, dl := range ds {
			d.hold(dl)
			inflight.Go(func() {
				defer func() { <-slots }()
				d.deliver(ctx, dl)
			})
		}
		if err == nil && len(ds) == n {
			continue // as many as asked for: more may be due
		}
		// Drained (or the store failed): wait for new mail, a retry coming
		// due, or the fallback poll.
		if !d.wait(ctx, timer) {
			return nil
		}
	}
}

// takeHandoffs sends mail handed over by this process's commits as it
// comes, sharing the send slots with claimed mail. It takes each hand-off
// off the channel at once, so its lease is renewed while it queues for a
// slot. Hand-offs not started when ctx ends are released for any
// dispatcher to claim.
func (d *Dispatcher) takeHandoffs(ctx context.Context, slots chan struct{}, inflight *sync.WaitGroup) {
	var queue []Delivery
	for {
		var slot chan<- struct{} // nil (never ready) while nothing queues
		if len(queue) > 0 {
			slot = slots
		}
		select {
		case <-ctx.Done():
			for more := true; more; {
				select {
				case dl := <-d.cfg.Handoff:
					queue = append(queue, dl)
				default:
					more = false
				}
			}
			d.release(context.WithoutCancel(ctx), queue)
			return
		case dl := <-d.cfg.Handoff:
			d.hold(dl)
			queue = append(queue, dl)
		case slot <- struct{}{}:
			dl := queue[0]
			queue[0] = Delivery{}
			queue = queue[1:]
			inflight.Go(func() {
				defer func() { <-slots }()
				d.deliver(ctx, dl)
			})
		}
	}
}

// release gives back mail this dispatcher will not send.
func (d *Dispatcher) release(ctx context.Context, ds []Delivery) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, dl := range ds {
		if err := d.cfg.Store.ReleaseMail(ctx, dl.ID, dl.ClaimToken); err != nil && !errors.Is(err, store.ErrConflict) {
			d.log.WarnContext(ctx, "release mail at shutdown; it is sent after its lease", "message_id", dl.ID, "err", err)
		}
		d.unhold(dl.ID)
	}
}

// hold adds dl to the mail whose lease the heartbeat renews.
func (d *Dispatcher) hold(dl Delivery) {
	d.mu.Lock()
	d.held[dl.ID] = dl.ClaimToken
	d.mu.Unlock()
}

// unhold forgets dl: its outcome is recorded (or its lease is lost).
func (d *Dispatcher) unhold(id string) {
	d.mu.Lock()
	delete(d.held, id)
	delete(d.unrecorded, id)
	d.mu.Unlock()
}

// heartbeat renews the leases of held mail every third of the lease, and
// retries recording outcomes that failed to record, until ctx ends.
func (d *Dispatcher) heartbeat(ctx context.Context) {
	t := time.NewTicker(d.cfg.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.recordAgain(ctx)
			d.renew(ctx)
		}
	}
}

// renew extends the leases of the mail this dispatcher holds.
func (d *Dispatcher) renew(ctx context.Context) {
	d.mu.Lock()
	tokens := make([]string, 0, len(d.held))
	for _, tok := range d.held {
		tokens = append(tokens, tok)
	}
	d.mu.Unlock()
	if len(tokens) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Lease/3)
	defer cancel()
	if err := d.cfg.Store.RenewMailLeases(ctx, tokens, d.cfg.Clock.Now().Add(d.cfg.Lease)); err != nil {
		d.log.WarnContext(ctx, "renew mail leases", "held", len(tokens), "err", err)
	}
}

// recordAgain retries recording the outcomes that failed to record.
func (d *Dispatcher) recordAgain(ctx context.Context) {
	d.mu.Lock()
	todo := make(map[string]func(context.Context) error, len(d.unrecorded))
	for id, f := range d.unrecorded {
		todo[id] = f
	}
	d.mu.Unlock()
	for id, record := range todo {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := record(rctx)
		cancel()
		switch {
		case err == nil:
			d.log.InfoContext(ctx, "mail outcome recorded on retry", "message_id", id)
			d.unhold(id)
		case errors.Is(err, store.ErrConflict):
			d.log.WarnContext(ctx, "mail lease lost before its outcome was recorded", "message_id", id)
			d.unhold(id)
		}
	}
}

// maybePurge deletes finished mail older than the retention, at start and
// then every PurgeInterval of Clock time.
func (d *Dispatcher) maybePurge(ctx context.Context, now time.Time) {
	if now.Before(d.nextPurge) {
		return
	}
	d.nextPurge = now.Add(d.cfg.PurgeInterval)
	n, err := d.cfg.Store.PurgeMail(ctx, now.Add(-d.cfg.Retention))
	if err != nil && ctx.Err() == nil {
		d.log.ErrorContext(ctx, "purge finished mail", "err", err)
	}
	if n > 0 {
		d.log.InfoContext(ctx, "purged finished mail", "count", n, "retention", d.cfg.Retention)
	}
}

// wait blocks until mail may be due: a wake-up, a retry this dispatcher
// scheduled, or the poll interval. It reports false when ctx ended.
func (d *Dispatcher) wait(ctx context.Context, timer *time.Timer) bool {
	defer timer.Stop() // since Go 1.23 a stopped timer delivers no stale tick
	for {
		timer.Reset(d.nextWait())
		select {
		case <-ctx.Done():
			return false
		case <-d.cfg.Wake:
			return true
		case <-timer.C:
			return true
		case <-d.retryScheduled:
			timer.Stop() // a send failed meanwhile: its retry may be sooner
		}
	}
}

// nextWait is the poll interval, or less when a retry this dispatcher
// scheduled comes due sooner.
func (d *Dispatcher) nextWait() time.Duration {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.retryAt.IsZero() {
		return d.cfg.PollInterval
	}
	return min(max(d.retryAt.Sub(d.cfg.Clock.Now()), 0), d.cfg.PollInterval)
}

// noteRetry remembers a scheduled retry and tells a waiting Run.
func (d *Dispatcher) noteRetry(at time.Time) {
	d.mu.Lock()
	if d.retryAt.IsZero() || at.Before(d.retryAt) {
		d.retryAt = at
	}
	d.mu.Unlock()
	select {
	case d.retryScheduled <- struct{}{}:
	default:
	}
}

// retryClaimed forgets the scheduled retry once a claim at now covers it.
func (d *Dispatcher) retryClaimed(now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.retryAt.IsZero() && !d.retryAt.After(now) {
		d.retryAt = time.Time{}
	}
}

// deliver makes one attempt at dl and records the outcome. It runs to the
// end even when Run's ctx ends, so a message sent is also marked sent.
func (d *Dispatcher) deliver(ctx context.Context, dl Delivery) {
	attempt := dl.Attempts + 1
	log := d.log.With("message_id", dl.ID, "kind", dl.Kind, "tenant_id", dl.TenantID, "attempt", attempt)
	bg := context.WithoutCancel(ctx)

	sendCtx, cancel := context.WithTimeout(bg, d.cfg.SendTimeout)
	start := time.Now()
	err := d.cfg.Sender.Send(sendCtx, dl.Message)
	cancel()
	took := time.Since(start)

	markCtx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	res := Result{ID: dl.ID, Kind: dl.Kind, TenantID: dl.TenantID, Attempt: attempt, Err: err}
	if err == nil {
		d.cfg.Metrics.MailSent(dl.Kind)
	} else {
		d.cfg.Metrics.MailFailed(dl.Kind, FailureReason(err))
	}
	if err == nil {
		d.sent.add(sentItem{dl: dl, at: d.cfg.Clock.Now(), took: took, res: res}) // sent_batch.go
		return
	}

	giveUp := errors.Is(err, ErrPermanent) || attempt >= d.cfg.MaxAttempts
	if !giveUp {
		res.RetryAt = d.cfg.Clock.Now().Add(d.backoff(attempt))
	}
	at, lastErr := d.cfg.Clock.Now(), truncate(err.Error(), 1000)
	record := func(ctx context.Context) error {
		return d.cfg.Store.MarkMailFailed(ctx, dl.ID, dl.ClaimToken, at, attempt, res.RetryAt, lastErr)
	}
	if merr := d.record(markCtx, dl.ID, record); merr != nil {
		log.ErrorContext(ctx, "record failed mail attempt", "err", merr, "send_err", err)
	}
	if giveUp {
		log.ErrorContext(ctx, "mail delivery failed; giving up", "err", err, "permanent", errors.Is(err, ErrPermanent))
	} else if errors.Is(err, ErrConfiguration) {
		d.noteRetry(res.RetryAt)
		log.ErrorContext(ctx, "mail delivery failed: the SMTP settings do not fit the server; fix GUESTGATE_SMTP_URL and restart (the mail waits)", "err", err, "retry_at", res.RetryAt)
	} else {
		d.noteRetry(res.RetryAt)
		log.WarnContext(ctx, "mail delivery failed; will retry", "err", err, "retry_at", res.RetryAt)
	}
	d.report(res)
}

// record runs record; on success, or when the lease was lost, the message
// is no longer held. Any other failure keeps it held (its lease renewed)
// and the heartbeat retries record.
func (d *Dispatcher) record(ctx context.Context, id string, record func(context.Context) error) error {
	err := record(ctx)
	if err == nil || errors.Is(err, store.ErrConflict) {
		d.unhold(id)
		return err
	}
	d.mu.Lock()
	d.unrecorded[id] = record
	d.mu.Unlock()
	return err
}

func (d *Dispatcher) report(r Result) {
	if d.cfg.OnResult != nil {
		d.cfg.OnResult(r)
	}
}

// backoff is the delay after the attempt-th failure: RetryMin doubling per
// attempt, at most RetryMax.
func (d *Dispatcher) backoff(attempt int) time.Duration {
	b := d.cfg.RetryMin
	for i := 1; i < attempt && b < d.cfg.RetryMax; i++ {
		b *= 2
	}
	return min(b, d.cfg.RetryMax)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 { // do not split a UTF-8 sequence
		n--
	}
	return s[:n]
}
