// Package store holds what every domain shares about persistence: the
// sentinel errors callers branch on and the Transactor that groups writes.
//
// Domains declare the narrow store interface they consume in their own
// store.go (directory.Store, otp.Store, …). The SQL engines in
// internal/store/sqlstore implement all of them, and the conformance suite in
// internal/store/storetest runs against each engine.
//
// A transaction travels in the context: inside Transactor.InTx, every store
// method called with the callback's context joins that transaction. This lets
// one domain write its state and the mail it causes (the outbox) atomically
// without either knowing about the other.
//
// This package imports nothing from guestgate.
package store

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors. Engines wrap them; callers match with errors.Is.
var (
	// ErrNotFound: the record does not exist in the caller's tenant.
	ErrNotFound = errors.New("not found")
	// ErrAlreadyExists: a unique key (id, address, domain) is taken.
	ErrAlreadyExists = errors.New("already exists")
	// ErrConflict: a conditional write lost a race (the row changed since it was read).
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: the database cannot be reached (down, restarting,
	// the connection broke). Nothing was changed by the failed call; the
	// API and pages answer 503 with Retry-After.
	ErrUnavailable = errors.New("the database is unavailable")
	// ErrTimeout: a statement ran past its time budget (the request's
	// query timeout) and was stopped; nothing it would have changed was
	// changed. It wraps ErrUnavailable, so callers that answer 503 with
	// Retry-After for an unreachable database answer a timeout the same
	// way; the admin API tells the two apart.
	ErrTimeout = fmt.Errorf("%w: a statement ran past its time budget", ErrUnavailable)
)

// Transactor runs fn in one database transaction. The callback's context
// carries the transaction; store calls made with it join the transaction.
// fn may run more than once when the engine reports a serialization or busy
// error, so it must not have effects outside the store (no SMTP, no HTTP).
// A nested InTx joins the outer transaction.
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// AfterCommitter registers work to run once the transaction in ctx commits
// (at once when ctx carries none). The outbox uses it to wake the dispatcher.
type AfterCommitter interface {
	AfterCommit(ctx context.Context, fn func())
}
