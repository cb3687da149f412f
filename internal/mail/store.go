package mail

import (
	"context"
	"time"
)

// OutboxWriter is the part of the outbox a domain uses: enqueue a message in
// the caller's transaction (ctx), so it exists if and only if the state that
// caused it was committed.
type OutboxWriter interface {
	EnqueueMail(ctx context.Context, m Message) error
}

// OutboxStore is what the dispatcher needs.
type OutboxStore interface {
	OutboxWriter
	// ClaimMail leases up to limit unsent messages whose next attempt is due
	// at now, for lease. A message leased by a live claim is never handed out
	// twice; an expired lease makes it claimable again. Each Delivery carries a
	// fresh ClaimToken.
	ClaimMail(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Delivery, error)
	// RenewMailLeases extends to until the leases of the given claim tokens
	// that are still current (the dispatcher's heartbeat).
	RenewMailLeases(ctx context.Context, claimTokens []string, until time.Time) error
	// MarkMailSent records a successful send at at for the claim and empties
	// the message's bodies; store.ErrConflict if the claim token no longer
	// matches.
	MarkMailSent(ctx context.Context, id, claimToken string, at time.Time) error
	// MarkMailsSent records several sends in one write transaction, as
	// MarkMailSent does each, and returns the ids whose claim token no
	// longer matched (their lease was lost); the others are recorded.
	MarkMailsSent(ctx context.Context, sent []Sent) (lost []string, err error)
	// MarkMailFailed records a failed attempt at at, releases the claim and
	// schedules the next attempt; a zero nextAttempt means give up, which
	// empties the bodies as sending does.
	MarkMailFailed(ctx context.Context, id, claimToken string, at time.Time, attempts int, nextAttempt time.Time, lastError string) error
	// ReleaseMail ends a claim with no attempt made, so any dispatcher may
	// claim the message at once; store.ErrConflict if the token no longer
	// matches.
	ReleaseMail(ctx context.Context, id, claimToken string) error
	// PurgeMail deletes messages sent or given up before before.
	PurgeMail(ctx context.Context, before time.Time) (int, error)
}

// Sent is one successful send to record: the claim that sent it, and when.
type Sent struct {
	ID, ClaimToken string
	At             time.Time
}

// Mailbox lists mail newest first, at most limit: the dev mailbox page.
type Mailbox interface {
	ListMail(ctx context.Context, limit int) ([]Status, error)
}

// OutboxReader is what operators see of the outbox: the mail not yet sent
// (guestgate outbox list) and the queue's depth (metrics). No bodies.
type OutboxReader interface {
	// ListQueuedMail returns unsent messages oldest first, at most limit;
	// failedOnly keeps those with a failed attempt (given up included).
	ListQueuedMail(ctx context.Context, failedOnly bool, limit int) ([]Queued, error)
	// OutboxDepth counts the messages waiting to be sent and returns the
	// creation time of the oldest (zero when none waits).
	OutboxDepth(ctx context.Context) (int, time.Time, error)
}
