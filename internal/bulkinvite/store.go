package bulkinvite

import (
	"context"
	"time"
)

// Job is one uploaded CSV.
type Job struct {
	TenantID, ID string
	// CreatedBy is the admin's user id; InvitedBy their display name, the
	// inviter the invitation mails name.
	CreatedBy, InvitedBy string
	CreatedAt            time.Time
	// Total is the number of rows.
	Total int
	// LeaseOwner is the worker working on the job until LeaseUntil.
	LeaseOwner string
	LeaseUntil time.Time
	// FinishedAt is when the last row got its result (zero until then).
	FinishedAt time.Time
}

// Finished reports whether every row has its result.
func (j Job) Finished() bool { return !j.FinishedAt.IsZero() }

// RowState is where a row is.
type RowState string

// Row states.
const (
	RowPending RowState = "pending"
	RowOK      RowState = "ok"
	RowFailed  RowState = "failed"
)

// Row is one guest of the CSV, as uploaded, and its result.
type Row struct {
	// Line is the row's line in the file (rows are listed in line order).
	Line                                   int
	Email, RedirectURL, SendEmail, Message string
	State                                  RowState
	// Error says why a failed row failed; UserID is the invited guest.
	Error, UserID string
}

// OK reports whether the row's guest was invited.
func (r Row) OK() bool { return r.State == RowOK }

// Progress counts a job's rows that have their result.
type Progress struct{ Succeeded, Failed int }

// Done is the number of rows with a result.
func (p Progress) Done() int { return p.Succeeded + p.Failed }

// Store keeps the jobs. Every method but the sweeper's two (ExpiredBulkJobs,
// PurgeBulkJobs) reads and writes one tenant's jobs only. Methods join the
// transaction in ctx.
type Store interface {
	// CreateBulkJob stores j with its rows, all pending, in one transaction.
	CreateBulkJob(ctx context.Context, j Job, rows []Row) error
	// GetBulkJob returns the tenant's job and its progress, or
	// store.ErrNotFound (also for another tenant's job).
	GetBulkJob(ctx context.Context, tenantID, id string) (Job, Progress, error)
	// ListBulkRows returns the job's rows in line order.
	ListBulkRows(ctx context.Context, tenantID, jobID string) ([]Row, error)
	// PendingBulkRows returns up to limit of the job's pending rows, in
	// line order.
	PendingBulkRows(ctx context.Context, tenantID, jobID string, limit int) ([]Row, error)
	// LeaseBulkJob gives the unfinished job to owner until until, when
	// owner holds it already (a renewal) or its lease ended by now (a
	// takeover); else store.ErrConflict. Its holder gives it up with until
	// at or before now. An unknown job is store.ErrNotFound.
	LeaseBulkJob(ctx context.Context, tenantID, jobID, owner string, now, until time.Time) error
	// ClaimBulkRow, in a transaction, locks the job for owner until the
	// transaction ends and extends owner's lease to until: store.ErrConflict
	// when owner no longer holds the job, the job is finished, or the row
	// is not pending.
	ClaimBulkRow(ctx context.Context, tenantID, jobID, owner string, line int, until time.Time) error
	// FinishBulkRow records the result of the pending row r.Line (r.State,
	// r.Error, r.UserID); store.ErrConflict when it is not pending.
	FinishBulkRow(ctx context.Context, tenantID, jobID string, r Row) error
	// FinishBulkJob marks the job finished at at and ends owner's lease;
	// store.ErrConflict when owner does not hold it or a row is pending.
	FinishBulkJob(ctx context.Context, tenantID, jobID, owner string, at time.Time) error
	// ExpiredBulkJobs lists unfinished jobs of every tenant whose lease
	// ended by now, the longest expired first, up to limit.
	ExpiredBulkJobs(ctx context.Context, now time.Time, limit int) ([]Job, error)
	// PurgeBulkJobs deletes the jobs of every tenant finished before
	// before, with their rows, and returns how many jobs it deleted.
	PurgeBulkJobs(ctx context.Context, before time.Time) (int, error)
	// QueuedBulkJobs counts the tenant's unfinished jobs. In a transaction
	// it makes other transactions that count the same tenant's jobs wait
	// until it ends, so that a count and the job created after it are one
	// step.
	QueuedBulkJobs(ctx context.Context, tenantID string) (int, error)
}
