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
	// MarkMailSent records a successful send for the claim; store.ErrConflict
	// if the claim token no longer matches.
	MarkMailSent(ctx context.Context, id, claimToken string, at time.Time) error
	// MarkMailFailed records a failed attempt, releases the claim and schedules
	// the next attempt (a zero nextAttempt means give up).
	MarkMailFailed(ctx context.Context, id, claimToken string, attempts int, nextAttempt time.Time, lastError string) error
	// ListMail returns the newest messages first, at most limit (dev mailbox).
	ListMail(ctx context.Context, limit int) ([]Status, error)
}
