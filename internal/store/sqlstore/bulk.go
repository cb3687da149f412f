package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/store"
)

var _ bulkinvite.Store = (*DB)(nil)

const bulkJobColumns = `tenant_id, id, created_by, invited_by, created_at, total, lease_owner, lease_until, finished_at`

const bulkRowColumns = `line, email, redirect_url, send_email, message, state, error, user_id`

// bulkRowChunk is how many rows one INSERT writes (the rest one by one),
// so that an upload takes few round trips and two statement texts.
const bulkRowChunk = 100

// CreateBulkJob stores j with its rows, all pending, in one transaction.
func (db *DB) CreateBulkJob(ctx context.Context, j bulkinvite.Job, rows []bulkinvite.Row) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.exec(ctx, `INSERT INTO bulk_invitation_jobs (`+bulkJobColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			j.TenantID, j.ID, j.CreatedBy, j.InvitedBy, toDB(j.CreatedAt), j.Total, j.LeaseOwner, toDB(j.LeaseUntil), toDB(j.FinishedAt))
		if err != nil {
			return uniqueOr(err, "create bulk job")
		}
		for len(rows) > 0 {
			n := bulkRowChunk
			if len(rows) < n {
				n = 1
			}
			if err := db.insertBulkRows(ctx, j, rows[:n]); err != nil {
				return err
			}
			rows = rows[n:]
		}
		return nil
	})
}

// insertBulkRows writes rows (pending) in one statement.
func (db *DB) insertBulkRows(ctx context.Context, j bulkinvite.Job, rows []bulkinvite.Row) error {
	const cols = 5
	var q strings.Builder
	q.WriteString(`INSERT INTO bulk_invitation_rows (tenant_id, job_id, ` + bulkRowColumns + `) VALUES `)
	args := make([]any, 0, 2+cols*len(rows))
	args = append(args, j.TenantID, j.ID)
	for i, r := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		p := 3 + cols*i
		fmt.Fprintf(&q, "($1, $2, $%d, $%d, $%d, $%d, $%d, 'pending', '', '')", p, p+1, p+2, p+3, p+4)
		args = append(args, r.Line, r.Email, r.RedirectURL, r.SendEmail, r.Message)
	}
	if _, err := db.exec(ctx, q.String(), args...); err != nil {
		return uniqueOr(err, "create bulk job rows")
	}
	return nil
}

// GetBulkJob returns the tenant's job and its progress, or store.ErrNotFound.
func (db *DB) GetBulkJob(ctx context.Context, tenantID, id string) (bulkinvite.Job, bulkinvite.Progress, error) {
	var (
		j                             bulkinvite.Job
		p                             bulkinvite.Progress
		created, leaseUntil, finished int64
	)
	err := db.queryRow(ctx, `SELECT `+bulkJobColumns+`,
			(SELECT COUNT(*) FROM bulk_invitation_rows r WHERE r.tenant_id = j.tenant_id AND r.job_id = j.id AND r.state = 'ok'),
			(SELECT COUNT(*) FROM bulk_invitation_rows r WHERE r.tenant_id = j.tenant_id AND r.job_id = j.id AND r.state = 'failed')
		FROM bulk_invitation_jobs j WHERE j.tenant_id = $1 AND j.id = $2`, tenantID, id).
		Scan(&j.TenantID, &j.ID, &j.CreatedBy, &j.InvitedBy, &created, &j.Total, &j.LeaseOwner, &leaseUntil, &finished, &p.Succeeded, &p.Failed)
	if err != nil {
		return bulkinvite.Job{}, bulkinvite.Progress{}, notFound(err, "get bulk job")
	}
	j.CreatedAt, j.LeaseUntil, j.FinishedAt = fromDB(created), fromDB(leaseUntil), fromDB(finished)
	return j, p, nil
}

// ListBulkRows returns the job's rows in line order.
func (db *DB) ListBulkRows(ctx context.Context, tenantID, jobID string) ([]bulkinvite.Row, error) {
	return db.queryBulkRows(ctx, `WHERE tenant_id = $1 AND job_id = $2 ORDER BY line`, tenantID, jobID)
}

// PendingBulkRows returns up to limit of the job's pending rows, in line order.
func (db *DB) PendingBulkRows(ctx context.Context, tenantID, jobID string, limit int) ([]bulkinvite.Row, error) {
	return db.queryBulkRows(ctx, `WHERE tenant_id = $1 AND job_id = $2 AND state = 'pending' ORDER BY line LIMIT $3`, tenantID, jobID, limit)
}

func (db *DB) queryBulkRows(ctx context.Context, where string, args ...any) ([]bulkinvite.Row, error) {
	rows, err := db.query(ctx, `SELECT `+bulkRowColumns+` FROM bulk_invitation_rows `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("query bulk rows: %w", err)
	}
	defer rows.Close()
	var out []bulkinvite.Row
	for rows.Next() {
		var (
			r     bulkinvite.Row
			state string
		)
		if err := rows.Scan(&r.Line, &r.Email, &r.RedirectURL, &r.SendEmail, &r.Message, &state, &r.Error, &r.UserID); err != nil {
			return nil, fmt.Errorf("scan bulk row: %w", err)
		}
		r.State = bulkinvite.RowState(state)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query bulk rows: %w", unavailable(err))
	}
	return out, nil
}

// LeaseBulkJob gives the unfinished job to owner until until, when owner
// holds it already or its lease ended by now; else store.ErrConflict.
func (db *DB) LeaseBulkJob(ctx context.Context, tenantID, jobID, owner string, now, until time.Time) error {
	res, err := db.exec(ctx, `UPDATE bulk_invitation_jobs SET lease_owner = $3, lease_until = $5
		WHERE tenant_id = $1 AND id = $2 AND finished_at = 0 AND (lease_owner = $3 OR lease_until <= $4)`,
		tenantID, jobID, owner, toDB(now), toDB(until))
	if err != nil {
		return fmt.Errorf("lease bulk job: %w", err)
	}
	if err := oneRow(res, "lease bulk job"); err != nil {
		return db.conflictOrNotFound(ctx, tenantID, jobID, err)
	}
	return nil
}

// conflictOrNotFound turns a conditional write's conflict on a job that
// does not exist into store.ErrNotFound.
func (db *DB) conflictOrNotFound(ctx context.Context, tenantID, jobID string, conflict error) error {
	var one int
	err := db.queryRow(ctx, `SELECT 1 FROM bulk_invitation_jobs WHERE tenant_id = $1 AND id = $2`, tenantID, jobID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(err, "bulk job")
	}
	if err != nil {
		return fmt.Errorf("bulk job: %w", unavailable(err))
	}
	return conflict
}

// ClaimBulkRow locks the job for owner until the transaction ends (the
// update of its lease does) and checks that the row is pending.
func (db *DB) ClaimBulkRow(ctx context.Context, tenantID, jobID, owner string, line int, until time.Time) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		res, err := db.exec(ctx, `UPDATE bulk_invitation_jobs SET lease_until = $4
			WHERE tenant_id = $1 AND id = $2 AND lease_owner = $3 AND finished_at = 0`, tenantID, jobID, owner, toDB(until))
		if err != nil {
			return fmt.Errorf("claim bulk row: %w", err)
		}
		if err := oneRow(res, "claim bulk row: the job's lease"); err != nil {
			return err
		}
		var state string
		err = db.queryRow(ctx, `SELECT state FROM bulk_invitation_rows WHERE tenant_id = $1 AND job_id = $2 AND line = $3`,
			tenantID, jobID, line).Scan(&state)
		if err != nil {
			return notFound(err, "claim bulk row")
		}
		if state != string(bulkinvite.RowPending) {
			return fmt.Errorf("claim bulk row %d: it is %s: %w", line, state, store.ErrConflict)
		}
		return nil
	})
}

// FinishBulkRow records the result of the pending row r.Line.
func (db *DB) FinishBulkRow(ctx context.Context, tenantID, jobID string, r bulkinvite.Row) error {
	res, err := db.exec(ctx, `UPDATE bulk_invitation_rows SET state = $4, error = $5, user_id = $6
		WHERE tenant_id = $1 AND job_id = $2 AND line = $3 AND state = 'pending'`,
		tenantID, jobID, r.Line, string(r.State), r.Error, r.UserID)
	if err != nil {
		return fmt.Errorf("finish bulk row: %w", err)
	}
	return oneRow(res, "finish bulk row")
}

// FinishBulkJob marks the job finished at at, when owner holds it and no
// row is pending.
func (db *DB) FinishBulkJob(ctx context.Context, tenantID, jobID, owner string, at time.Time) error {
	res, err := db.exec(ctx, `UPDATE bulk_invitation_jobs SET finished_at = $4, lease_until = $4
		WHERE tenant_id = $1 AND id = $2 AND lease_owner = $3 AND finished_at = 0
		AND NOT EXISTS (SELECT 1 FROM bulk_invitation_rows r WHERE r.tenant_id = $1 AND r.job_id = $2 AND r.state = 'pending')`,
		tenantID, jobID, owner, toDB(at))
	if err != nil {
		return fmt.Errorf("finish bulk job: %w", err)
	}
	if err := oneRow(res, "finish bulk job"); err != nil {
		return db.conflictOrNotFound(ctx, tenantID, jobID, err)
	}
	return nil
}

// ExpiredBulkJobs lists unfinished jobs of every tenant whose lease ended
// by now, the longest expired first.
func (db *DB) ExpiredBulkJobs(ctx context.Context, now time.Time, limit int) ([]bulkinvite.Job, error) {
	rows, err := db.query(ctx, `SELECT `+bulkJobColumns+` FROM bulk_invitation_jobs
		WHERE finished_at = 0 AND lease_until <= $1 ORDER BY lease_until, tenant_id, id LIMIT $2`, toDB(now), limit)
	if err != nil {
		return nil, fmt.Errorf("expired bulk jobs: %w", err)
	}
	defer rows.Close()
	var out []bulkinvite.Job
	for rows.Next() {
		var (
			j                             bulkinvite.Job
			created, leaseUntil, finished int64
		)
		if err := rows.Scan(&j.TenantID, &j.ID, &j.CreatedBy, &j.InvitedBy, &created, &j.Total, &j.LeaseOwner, &leaseUntil, &finished); err != nil {
			return nil, fmt.Errorf("scan bulk job: %w", err)
		}
		j.CreatedAt, j.LeaseUntil, j.FinishedAt = fromDB(created), fromDB(leaseUntil), fromDB(finished)
		out = append(out, j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("expired bulk jobs: %w", unavailable(err))
	}
	return out, nil
}

// PurgeBulkJobs deletes the jobs finished before before, with their rows.
func (db *DB) PurgeBulkJobs(ctx context.Context, before time.Time) (int, error) {
	ctx = asJob(ctx)
	var n int64
	err := db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.exec(ctx, `DELETE FROM bulk_invitation_rows WHERE EXISTS (SELECT 1 FROM bulk_invitation_jobs j
			WHERE j.tenant_id = bulk_invitation_rows.tenant_id AND j.id = bulk_invitation_rows.job_id
			AND j.finished_at > 0 AND j.finished_at < $1)`, toDB(before)); err != nil {
			return fmt.Errorf("purge bulk rows: %w", err)
		}
		res, err := db.exec(ctx, `DELETE FROM bulk_invitation_jobs WHERE finished_at > 0 AND finished_at < $1`, toDB(before))
		if err != nil {
			return fmt.Errorf("purge bulk jobs: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// QueuedBulkJobs counts the tenant's unfinished jobs (none for an unknown
// tenant), in a transaction
// (joining the caller's) that first locks the tenant: on PostgreSQL its
// row (FOR NO KEY UPDATE, which inserts referring to the tenant do not
// wait for); SQLite's write transactions are exclusive already. So
// concurrent uploads to one tenant count and create their jobs one after
// the other.
func (db *DB) QueuedBulkJobs(ctx context.Context, tenantID string) (int, error) {
	var n int
	err := db.InTx(ctx, func(ctx context.Context) error {
		if db.d.forNoKeyUpdate != "" {
			var id string
			err := db.queryRow(ctx, `SELECT id FROM tenants WHERE id = $1`+db.d.forNoKeyUpdate, tenantID).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // no tenant, no jobs
			}
			if err != nil {
				return fmt.Errorf("queued bulk jobs: lock the tenant: %w", unavailable(err))
			}
		}
		err := db.queryRow(ctx, `SELECT COUNT(*) FROM bulk_invitation_jobs WHERE tenant_id = $1 AND finished_at = 0`, tenantID).Scan(&n)
		if err != nil {
			return fmt.Errorf("queued bulk jobs: %w", unavailable(err))
		}
		return nil
	})
	return n, err
}
