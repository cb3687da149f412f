package inactivepolicy

import (
	"context"
	"time"

	"github.com/guestgate/guestgate/internal/inactive"
)

// Candidate is an enabled guest the policy may act on: as
// inactive.Store lists them, with when their sponsors were last warned
// (zero: never).
type Candidate struct {
	inactive.Guest
	WarnedAt time.Time
}

// Store keeps the policies, the runners' leases and the warnings. Every
// method but DueInactivePolicies reads and writes one tenant's rows only.
// Methods join the transaction in ctx.
type Store interface {
	// GetInactivePolicy returns the tenant's policy; the zero (off) Policy
	// with TenantID set when it has none.
	GetInactivePolicy(ctx context.Context, tenantID string) (Policy, error)
	// PutInactivePolicy stores p as its tenant's policy (an upsert),
	// due to run at once when it is on.
	PutInactivePolicy(ctx context.Context, p Policy) error
	// DueInactivePolicies lists the policies of every tenant that are on,
	// whose next run is due at now and whose lease ended by now, the
	// longest due first, up to limit.
	DueInactivePolicies(ctx context.Context, now time.Time, limit int) ([]Policy, error)
	// LeaseInactivePolicy gives the tenant's run to owner until until, when
	// owner holds it already (a renewal) or its lease ended by now (a
	// takeover); else store.ErrConflict. In a transaction it locks the
	// policy until the transaction ends, so what owner writes in it is
	// written by the lease's holder only.
	LeaseInactivePolicy(ctx context.Context, tenantID, owner string, now, until time.Time) error
	// FinishInactivePolicyRun ends owner's lease and schedules the next run
	// at next; store.ErrConflict when owner does not hold the lease.
	FinishInactivePolicyRun(ctx context.Context, tenantID, owner string, next time.Time) error
	// ListInactiveCandidates returns up to limit (at most inactive.MaxPage)
	// enabled guests of the tenant inactive since cutoff (as
	// inactive.Store.ListInactiveGuests, in its order, after the cursor),
	// with their warnings.
	ListInactiveCandidates(ctx context.Context, tenantID string, cutoff time.Time, after inactive.Cursor, limit int) ([]Candidate, error)
	// RecordInactiveWarning records that the guest's sponsors were warned
	// at at (an upsert).
	RecordInactiveWarning(ctx context.Context, tenantID, userID string, at time.Time) error
	// ClearInactiveWarning forgets the guest's warning (none: no error),
	// so the next cycle warns again.
	ClearInactiveWarning(ctx context.Context, tenantID, userID string) error
}
