package otp

import (
	"context"
	"time"
)

// Store keeps one Code row per (tenant, address). Every change is a
// conditional write on the IssuedAt the caller read, so concurrent sends and
// concurrent submissions serialize without locks: the loser gets
// store.ErrConflict.
type Store interface {
	// GetCode returns the address's code row, or store.ErrNotFound.
	GetCode(ctx context.Context, tenantID, address string) (Code, error)
	// PutCode writes c as the address's code. prevIssuedAt is the IssuedAt of
	// the row the caller read (zero when there was none); if the row changed
	// since, nothing is written and store.ErrConflict is returned.
	PutCode(ctx context.Context, c Code, prevIssuedAt time.Time) error
	// AddWrongAttempt increments Attempts of the code issued at issuedAt and
	// returns the new count; store.ErrConflict if that code is no longer current.
	AddWrongAttempt(ctx context.Context, tenantID, address string, issuedAt time.Time) (int, error)
	// UseCode sets UsedAt on the code issued at issuedAt if it is unused and
	// has fewer than maxAttempts wrong entries; otherwise store.ErrConflict.
	// Of concurrent callers exactly one succeeds.
	UseCode(ctx context.Context, tenantID, address string, issuedAt, usedAt time.Time, maxAttempts int) error
}
