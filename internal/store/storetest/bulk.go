package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/store"
)

// sampleBulkRows returns n pending rows on lines 3, 4, … (the template's
// first two lines are its version and header).
func sampleBulkRows(n int) []bulkinvite.Row {
	rows := make([]bulkinvite.Row, n)
	for i := range rows {
		rows[i] = bulkinvite.Row{Line: i + 3, Email: fmt.Sprintf("guest%04d@partner.example", i), RedirectURL: "https://app.example/",
			SendEmail: "true", Message: "Welcome, 参加してください", State: bulkinvite.RowPending}
	}
	return rows
}

// seedBulkJob stores a job of n rows leased to owner until leaseUntil.
func seedBulkJob(t *testing.T, s Store, tenantID string, n int, owner string, leaseUntil time.Time) (bulkinvite.Job, []bulkinvite.Row) {
	t.Helper()
	j := bulkinvite.Job{TenantID: tenantID, ID: uuid.NewString(), CreatedBy: uuid.NewString(), InvitedBy: "Avery Admin",
		CreatedAt: at(0), Total: n, LeaseOwner: owner, LeaseUntil: leaseUntil}
	rows := sampleBulkRows(n)
	must(t, "create bulk job", s.CreateBulkJob(t.Context(), j, rows))
	return j, rows
}

// finishBulkRow claims a row for owner and records its result, in one
// transaction, as a worker does.
func finishBulkRow(ctx context.Context, s Store, j bulkinvite.Job, owner string, r bulkinvite.Row, until time.Time) error {
	return s.InTx(ctx, func(ctx context.Context) error {
		if err := s.ClaimBulkRow(ctx, j.TenantID, j.ID, owner, r.Line, until); err != nil {
			return err
		}
		return s.FinishBulkRow(ctx, j.TenantID, j.ID, r)
	})
}

func bulkProgress(t *testing.T, s Store, j bulkinvite.Job) (bulkinvite.Job, bulkinvite.Progress) {
	t.Helper()
	got, p, err := s.GetBulkJob(t.Context(), j.TenantID, j.ID)
	must(t, "get bulk job", err)
	return got, p
}

func testBulk(t *testing.T, open Open) {
	t.Run("bulk_job_created_with_rows_in_line_order", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		// 250 rows: two full chunks of an insert and a remainder.
		j, rows := seedBulkJob(t, s, tn.ID, 250, "w1", at(time.Minute))
		got, p := bulkProgress(t, s, j)
		wantEqual(t, "job", got, j)
		wantEqual(t, "progress of a new job", p, bulkinvite.Progress{})
		list, err := s.ListBulkRows(t.Context(), tn.ID, j.ID)
		must(t, "list rows", err)
		wantEqual(t, "rows", list, rows)
		pending, err := s.PendingBulkRows(t.Context(), tn.ID, j.ID, 10)
		must(t, "pending rows", err)
		wantEqual(t, "the first 10 pending rows", pending, rows[:10])
		wantErr(t, "the same job again", s.CreateBulkJob(t.Context(), j, nil), store.ErrAlreadyExists)
	})
	t.Run("bulk_rows_claimed_finished_and_counted", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		j, rows := seedBulkJob(t, s, tn.ID, 3, "w1", at(time.Minute))
		ok := rows[0]
		ok.State, ok.UserID = bulkinvite.RowOK, uuid.NewString()
		must(t, "finish row 1", finishBulkRow(t.Context(), s, j, "w1", ok, at(2*time.Minute)))
		got, p := bulkProgress(t, s, j)
		wantEqual(t, "the lease after a claim", got.LeaseUntil, at(2*time.Minute))
		wantEqual(t, "progress", p, bulkinvite.Progress{Succeeded: 1})
		wantErr(t, "claim of a finished row", finishBulkRow(t.Context(), s, j, "w1", ok, at(2*time.Minute)), store.ErrConflict)
		wantErr(t, "finish of a finished row", s.FinishBulkRow(t.Context(), tn.ID, j.ID, ok), store.ErrConflict)
		failed := rows[1]
		failed.State, failed.Error = bulkinvite.RowFailed, "invitedUserEmailAddress: not an address"
		wantErr(t, "claim by a worker without the lease", finishBulkRow(t.Context(), s, j, "w2", failed, at(2*time.Minute)), store.ErrConflict)
		must(t, "fail row 2", finishBulkRow(t.Context(), s, j, "w1", failed, at(2*time.Minute)))
		_, p = bulkProgress(t, s, j)
		wantEqual(t, "progress", p, bulkinvite.Progress{Succeeded: 1, Failed: 1})
		pending, err := s.PendingBulkRows(t.Context(), tn.ID, j.ID, 10)
		must(t, "pending rows", err)
		wantEqual(t, "pending rows", pending, rows[2:])
		wantErr(t, "finish a job with a pending row", s.FinishBulkJob(t.Context(), tn.ID, j.ID, "w1", at(3*time.Minute)), store.ErrConflict)
		last := rows[2]
		last.State, last.UserID = bulkinvite.RowOK, uuid.NewString()
		must(t, "finish row 3", finishBulkRow(t.Context(), s, j, "w1", last, at(2*time.Minute)))
		wantErr(t, "finish by a worker without the lease", s.FinishBulkJob(t.Context(), tn.ID, j.ID, "w2", at(3*time.Minute)), store.ErrConflict)
		must(t, "finish the job", s.FinishBulkJob(t.Context(), tn.ID, j.ID, "w1", at(3*time.Minute)))
		got, p = bulkProgress(t, s, j)
		wantEqual(t, "finished at", got.FinishedAt, at(3*time.Minute))
		wantEqual(t, "progress", p, bulkinvite.Progress{Succeeded: 2, Failed: 1})
		list, err := s.ListBulkRows(t.Context(), tn.ID, j.ID)
		must(t, "list rows", err)
		wantEqual(t, "results in line order", list, []bulkinvite.Row{ok, failed, last})
		wantErr(t, "lease of a finished job", s.LeaseBulkJob(t.Context(), tn.ID, j.ID, "w1", at(time.Hour), at(2*time.Hour)), store.ErrConflict)
		expired, err := s.ExpiredBulkJobs(t.Context(), at(time.Hour), 10)
		must(t, "expired jobs", err)
		wantEqual(t, "a finished job is never resumed", len(expired), 0)
	})
	t.Run("bulk_tenant_isolation", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		other := seedTenant(t, s, "contoso")
		j, rows := seedBulkJob(t, s, tn.ID, 2, "w1", at(time.Minute))
		_, _, err := s.GetBulkJob(t.Context(), other.ID, j.ID)
		wantErr(t, "the other tenant reads the job", err, store.ErrNotFound)
		list, err := s.ListBulkRows(t.Context(), other.ID, j.ID)
		must(t, "the other tenant lists the rows", err)
		wantEqual(t, "rows the other tenant sees", len(list), 0)
		pending, err := s.PendingBulkRows(t.Context(), other.ID, j.ID, 10)
		must(t, "the other tenant's pending rows", err)
		wantEqual(t, "pending rows the other tenant sees", len(pending), 0)
		wantErr(t, "the other tenant leases the job", s.LeaseBulkJob(t.Context(), other.ID, j.ID, "w2", at(time.Hour), at(2*time.Hour)), store.ErrNotFound)
		r := rows[0]
		r.State = bulkinvite.RowOK
		wantErr(t, "the other tenant claims a row", s.ClaimBulkRow(t.Context(), other.ID, j.ID, "w1", r.Line, at(time.Hour)), store.ErrConflict)
		wantErr(t, "the other tenant finishes a row", s.FinishBulkRow(t.Context(), other.ID, j.ID, r), store.ErrConflict)
		// The same job id in the other tenant is another job.
		twin := j
		twin.TenantID, twin.Total = other.ID, 1
		must(t, "the other tenant's job of the same id", s.CreateBulkJob(t.Context(), twin, rows[:1]))
		_, p := bulkProgress(t, s, j)
		wantEqual(t, "progress of the first tenant's job", p, bulkinvite.Progress{})
		got, _ := bulkProgress(t, s, twin)
		wantEqual(t, "the twin", got, twin)
	})
	t.Run("bulk_lease_expired_job_taken_over_without_a_second_invitation", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		lease := at(time.Minute)
		j, rows := seedBulkJob(t, s, tn.ID, 4, "dead", lease)
		// The dead worker finished row 1, then claimed row 2 and died in
		// its transaction: the claim went with the rollback.
		done := rows[0]
		done.State, done.UserID = bulkinvite.RowOK, uuid.NewString()
		must(t, "the dead worker's row 1", finishBulkRow(t.Context(), s, j, "dead", done, lease))
		errDied := errors.New("the process died")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			must(t, "the dead worker claims row 2", s.ClaimBulkRow(ctx, tn.ID, j.ID, "dead", rows[1].Line, lease))
			return errDied
		})
		wantErr(t, "the dead worker's last transaction", err, errDied)

		expired, err := s.ExpiredBulkJobs(t.Context(), lease.Add(-time.Microsecond), 10)
		must(t, "expired jobs before the lease ends", err)
		wantEqual(t, "jobs to resume while the lease runs", len(expired), 0)
		wantErr(t, "a takeover while the lease runs", s.LeaseBulkJob(t.Context(), tn.ID, j.ID, "next", lease.Add(-time.Microsecond), at(time.Hour)), store.ErrConflict)
		expired, err = s.ExpiredBulkJobs(t.Context(), lease, 10)
		must(t, "expired jobs", err)
		if len(expired) != 1 || expired[0].ID != j.ID || expired[0].TenantID != tn.ID || expired[0].LeaseOwner != "dead" {
			t.Fatalf("jobs to resume: %+v, want the dead worker's", expired)
		}
		must(t, "take over", s.LeaseBulkJob(t.Context(), tn.ID, j.ID, "next", lease, at(time.Hour)))
		wantErr(t, "a second takeover", s.LeaseBulkJob(t.Context(), tn.ID, j.ID, "third", lease, at(time.Hour)), store.ErrConflict)
		wantErr(t, "the old worker's renewal", s.LeaseBulkJob(t.Context(), tn.ID, j.ID, "dead", lease, at(2*time.Hour)), store.ErrConflict)
		late := rows[1]
		late.State, late.UserID = bulkinvite.RowOK, uuid.NewString()
		wantErr(t, "the old worker's row after the takeover", finishBulkRow(t.Context(), s, j, "dead", late, at(2*time.Hour)), store.ErrConflict)

		pending, err := s.PendingBulkRows(t.Context(), tn.ID, j.ID, 10)
		must(t, "pending rows after the takeover", err)
		wantEqual(t, "rows left to the new worker (the claimed one included)", pending, rows[1:])
		want := []bulkinvite.Row{done}
		for _, r := range pending {
			r.State, r.UserID = bulkinvite.RowOK, uuid.NewString()
			must(t, "the new worker's row", finishBulkRow(t.Context(), s, j, "next", r, at(time.Hour)))
			want = append(want, r)
		}
		must(t, "finish the job", s.FinishBulkJob(t.Context(), tn.ID, j.ID, "next", at(time.Hour)))
		list, err := s.ListBulkRows(t.Context(), tn.ID, j.ID)
		must(t, "list rows", err)
		wantEqual(t, "one result per row, the dead worker's kept", list, want)
	})
	t.Run("bulk_lease_given_up_is_resumed_at_once", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		j, _ := seedBulkJob(t, s, tn.ID, 1, "w1", at(time.Hour))
		must(t, "renew", s.LeaseBulkJob(t.Context(), tn.ID, j.ID, "w1", at(time.Minute), at(2*time.Hour)))
		got, _ := bulkProgress(t, s, j)
		wantEqual(t, "the renewed lease", got.LeaseUntil, at(2*time.Hour))
		must(t, "give up", s.LeaseBulkJob(t.Context(), tn.ID, j.ID, "w1", at(time.Minute), at(time.Minute)))
		expired, err := s.ExpiredBulkJobs(t.Context(), at(time.Minute), 10)
		must(t, "expired jobs", err)
		if len(expired) != 1 || expired[0].ID != j.ID {
			t.Fatalf("jobs to resume after the lease was given up: %+v", expired)
		}
		wantErr(t, "lease of an unknown job", s.LeaseBulkJob(t.Context(), tn.ID, uuid.NewString(), "w1", at(0), at(time.Hour)), store.ErrNotFound)
	})
	t.Run("bulk_finished_jobs_purged_after_retention", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		other := seedTenant(t, s, "contoso")
		finish := func(tenantID string, at time.Time) bulkinvite.Job {
			j, rows := seedBulkJob(t, s, tenantID, 2, "w1", at)
			for _, r := range rows {
				r.State = bulkinvite.RowFailed
				must(t, "finish row", finishBulkRow(t.Context(), s, j, "w1", r, at))
			}
			must(t, "finish job", s.FinishBulkJob(t.Context(), tenantID, j.ID, "w1", at))
			return j
		}
		old := finish(tn.ID, at(time.Hour))
		oldOther := finish(other.ID, at(2*time.Hour))
		recent := finish(tn.ID, at(5*time.Hour))
		running, _ := seedBulkJob(t, s, tn.ID, 2, "w1", at(0)) // unfinished, however old
		n, err := s.PurgeBulkJobs(t.Context(), at(3*time.Hour))
		must(t, "purge", err)
		wantEqual(t, "jobs purged", n, 2)
		for _, j := range []bulkinvite.Job{old, oldOther} {
			_, _, err := s.GetBulkJob(t.Context(), j.TenantID, j.ID)
			wantErr(t, "a purged job", err, store.ErrNotFound)
			rows, err := s.ListBulkRows(t.Context(), j.TenantID, j.ID)
			must(t, "rows of a purged job", err)
			wantEqual(t, "rows of a purged job", len(rows), 0)
		}
		for _, j := range []bulkinvite.Job{recent, running} {
			bulkProgress(t, s, j)
			rows, err := s.ListBulkRows(t.Context(), j.TenantID, j.ID)
			must(t, "rows of a kept job", err)
			wantEqual(t, "rows of a kept job", len(rows), 2)
		}
	})
}

// testBulkConcurrent: workers that keep taking a job from each other (a
// lease lasts a few of the racers' steps) still record exactly one result
// per row, and a claimed row always records its result.
// testBulkQueued: QueuedBulkJobs counts a tenant's unfinished jobs only
// (security round 2, finding 6: the cap on queued jobs).
func testBulkQueued(t *testing.T, open Open) {
	s := open(t)
	fabrikam, contoso := seedTenant(t, s, "fabrikam"), seedTenant(t, s, "contoso")
	queued := func(what, tenantID string, want int) {
		t.Helper()
		n, err := s.QueuedBulkJobs(t.Context(), tenantID)
		must(t, what, err)
		wantEqual(t, what, n, want)
	}
	queued("a tenant without jobs", fabrikam.ID, 0)
	done, rows := seedBulkJob(t, s, fabrikam.ID, 1, "w1", at(time.Minute))
	seedBulkJob(t, s, fabrikam.ID, 2, "w2", at(0)) // its lease ran out: still queued
	seedBulkJob(t, s, contoso.ID, 1, "w3", at(time.Minute))
	queued("two unfinished jobs", fabrikam.ID, 2)
	r := rows[0]
	r.State, r.UserID = bulkinvite.RowOK, uuid.NewString()
	must(t, "finish the row", finishBulkRow(t.Context(), s, done, "w1", r, at(2*time.Minute)))
	must(t, "finish the job", s.FinishBulkJob(t.Context(), fabrikam.ID, done.ID, "w1", at(2*time.Minute)))
	queued("a finished job no longer counts", fabrikam.ID, 1)
	queued("another tenant's jobs", contoso.ID, 1)
	queued("an unknown tenant", "no-such-tenant", 0)
}

// errQueueFull is a racer's refusal in bulk_queue_counted_one_upload_at_a_time.
var errQueueFull = errors.New("queue full")

func testBulkConcurrent(t *testing.T, open Open) {
	t.Run("bulk_queue_counted_one_upload_at_a_time", func(t *testing.T) {
		// Racing uploads each count the tenant's unfinished jobs and create
		// one below the cap, in one transaction: the count's lock keeps
		// them from all seeing room for one more.
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		const maxQueued = 3
		created := race(t, errQueueFull, func(i int) error {
			return s.InTx(t.Context(), func(ctx context.Context) error {
				n, err := s.QueuedBulkJobs(ctx, tn.ID)
				if err != nil {
					return err
				}
				if n >= maxQueued {
					return errQueueFull
				}
				j := bulkinvite.Job{TenantID: tn.ID, ID: uuid.NewString(), CreatedBy: fmt.Sprint("u", i), InvitedBy: "Avery Admin",
					CreatedAt: at(0), Total: 1, LeaseOwner: fmt.Sprint("w", i), LeaseUntil: at(time.Minute)}
				return s.CreateBulkJob(ctx, j, sampleBulkRows(1))
			})
		})
		wantEqual(t, "uploads let through", created, maxQueued)
		n, err := s.QueuedBulkJobs(t.Context(), tn.ID)
		must(t, "queued jobs", err)
		wantEqual(t, "queued jobs", n, maxQueued)
	})
	t.Run("bulk_rows_recorded_once_by_racing_workers", func(t *testing.T) {
		s := open(t)
		tn := seedTenant(t, s, "fabrikam")
		const rowCount = 40
		j, _ := seedBulkJob(t, s, tn.ID, rowCount, "w0", at(0))
		// A logical clock: every step of every racer moves it on, and a
		// lease lasts leaseSteps steps, so leases keep running out.
		const leaseSteps = 8
		var (
			clk     atomic.Int64
			mu      sync.Mutex
			commits = map[int]int{}
		)
		step := func() time.Time { return at(time.Duration(clk.Add(1)) * time.Microsecond) }
		race(t, store.ErrConflict, func(i int) error {
			owner := fmt.Sprint("w", i)
			for {
				now := step()
				if err := s.LeaseBulkJob(t.Context(), tn.ID, j.ID, owner, now, now.Add(leaseSteps*time.Microsecond)); err != nil {
					if !errors.Is(err, store.ErrConflict) {
						return err
					}
				}
				pending, err := s.PendingBulkRows(t.Context(), tn.ID, j.ID, 3)
				if err != nil || len(pending) == 0 {
					return err
				}
				for _, r := range pending {
					r.State, r.UserID = bulkinvite.RowOK, owner
					err := finishBulkRow(t.Context(), s, j, owner, r, step().Add(leaseSteps*time.Microsecond))
					if errors.Is(err, store.ErrConflict) {
						break
					}
					if err != nil {
						return err
					}
					mu.Lock()
					commits[r.Line]++
					mu.Unlock()
				}
			}
		})
		rows, err := s.ListBulkRows(t.Context(), tn.ID, j.ID)
		must(t, "list rows", err)
		owners := map[string]bool{}
		for _, r := range rows {
			owners[r.UserID] = true
			if r.State != bulkinvite.RowOK || commits[r.Line] != 1 {
				t.Errorf("row %d: %s, recorded %d times, want ok once", r.Line, r.State, commits[r.Line])
			}
		}
		wantEqual(t, "rows", len(rows), rowCount)
		t.Logf("%d rows recorded by %d workers", len(rows), len(owners))
	})
}
