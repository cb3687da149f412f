package otp

import (
	"context"
	"time"
)

// Store keeps one Code row per (tenant, address, browser) and the send
// counters per (tenant, address, client network) and per (tenant,
// address). Every change of a code or of a client's counter is a
// conditional write on what the caller read, so concurrent sends and
// concurrent submissions serialize without locks: the loser gets
// store.ErrConflict. Methods join the transaction in ctx.
type Store interface {
	// GetCode returns the browser's code for the address, or store.ErrNotFound.
	GetCode(ctx context.Context, k CodeKey) (Code, error)
	// PutCode writes c as the browser's code for the address. prevIssuedAt
	// is the IssuedAt of the row the caller read (zero when there was
	// none); if the row changed since, nothing is written and
	// store.ErrConflict is returned.
	PutCode(ctx context.Context, c Code, prevIssuedAt time.Time) error
	// AddWrongAttempt increments Attempts of the code issued at issuedAt and
	// returns the new count; store.ErrConflict if that code is no longer current.
	AddWrongAttempt(ctx context.Context, k CodeKey, issuedAt time.Time) (int, error)
	// UseCode sets UsedAt on the code issued at issuedAt if it is unused and
	// has fewer than maxAttempts wrong entries; otherwise store.ErrConflict.
	// Of concurrent callers exactly one succeeds.
	UseCode(ctx context.Context, k CodeKey, issuedAt, usedAt time.Time, maxAttempts int) error

	// GetSends returns the sends to the address from the client network and
	// from every client (zero counters where none were counted).
	GetSends(ctx context.Context, tenantID, address, client string) (fromClient, toAddress Sends, err error)
	// GetSendState returns in one read what GetCode and GetSends return:
	// the browser's code for the address (found false when there is none)
	// and the sends to the address from the client network and from every
	// client.
	GetSendState(ctx context.Context, k CodeKey, client string) (c Code, found bool, fromClient, toAddress Sends, err error)
	// PutClientSends writes the client network's counter for the address.
	// prevLastAt is the LastAt the caller read (zero when there was none);
	// if the counter changed since, nothing is written and
	// store.ErrConflict is returned.
	PutClientSends(ctx context.Context, tenantID, address, client string, s Sends, prevLastAt time.Time) error
	// AddAddressSend counts one send to the address at now, atomically (an
	// upsert: concurrent callers in any process are all counted), and
	// returns the counter: one whose window opened at or before
	// staleBefore restarts as {now, 1}.
	AddAddressSend(ctx context.Context, tenantID, address string, now, staleBefore time.Time) (Sends, error)
	// PurgeAddress deletes the address's codes issued before codesBefore
	// and its client networks' counters whose window opened and whose last
	// send was before sendsBefore: they decide nothing any more.
	PurgeAddress(ctx context.Context, tenantID, address string, codesBefore, sendsBefore time.Time) error
}
