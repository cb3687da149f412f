package bulkinvite_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/bulkinvite"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/ratelimit"
)

// writeWindow is the window of the tests' write limit.
const writeWindow = 150 * time.Second

// limited returns an adjustment that puts the service under a write limit
// of limit per writeWindow, and the Limiter.
func (f *fixture) limited(limit int) (func(*bulkinvite.Deps), *ratelimit.Limiter, ratelimit.Scope) {
	l := ratelimit.New(f.db, f.clock)
	sc := ratelimit.Scope{Action: "graph-write", PerTenant: ratelimit.Rule{Limit: limit, Window: writeWindow}}
	return func(d *bulkinvite.Deps) { d.Limiter, d.WriteLimit = l, sc }, l, sc
}

// settle polls the job until its worker has stopped: finished, or waiting
// (its lease held beyond a worker's own, until the write limit's window
// ends).
func (f *fixture) settle(t *testing.T, s *bulkinvite.Service, j bulkinvite.Job) (bulkinvite.Job, bulkinvite.Progress) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, p, err := s.Status(context.Background(), j.TenantID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Finished() || got.LeaseUntil.After(f.clock.Now().Add(bulkinvite.Lease)) {
			return got, p
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job's worker does not stop: %d of %d rows done", p.Done(), got.Total)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWriteLimitHoldsTheJob (security round 2, finding 6): a member's bulk
// invitation counts against the member's write limit, which their single
// console invitations share. Over the limit the job waits, unworked, until
// the window ends, says until when, and is resumed by a sweep then; it
// finishes with every row invited once, never more than the limit in a
// window, each invitation audited with the member as initiator.
func TestWriteLimitHoldsTheJob(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		adjust, l, sc := f.limited(5)
		t0 := f.clock.Now()
		// One invitation of the member's in the console opened the window.
		if err := l.Count(ctx, sc, ratelimit.MemberWrites(f.tenant.ID, f.admin.ID)); err != nil {
			t.Fatal(err)
		}
		in := rows(12)
		s := f.serviceWith(t, f.db, f.invites, adjust)
		j, err := s.Start(ctx, f.tenant, f.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []struct {
			done  int
			until time.Time
		}{{4, t0.Add(writeWindow)}, {9, t0.Add(2 * writeWindow)}} {
			got, p := f.settle(t, s, j)
			if got.Finished() || p.Done() != want.done || !got.LeaseUntil.Equal(want.until) {
				t.Fatalf("window %d: the job %+v with %d rows done, want it waiting with %d done until %v", i+1, got, p.Done(), want.done, want.until)
			}
			if at, err := s.WaitingUntil(ctx, got); err != nil || !at.Equal(want.until) {
				t.Fatalf("window %d: WaitingUntil = %v, %v; want %v", i+1, at, err, want.until)
			}
			if n, err := s.Sweep(ctx); n != 0 || err != nil {
				t.Fatalf("window %d: sweep while the job waits: %d resumed, %v", i+1, n, err)
			}
			f.clock.Set(want.until)
			if at, err := s.WaitingUntil(ctx, got); err != nil || !at.IsZero() {
				t.Fatalf("window %d: WaitingUntil at the window's end = %v, %v; want nothing", i+1, at, err)
			}
			if n, err := s.Sweep(ctx); n != 1 || err != nil {
				t.Fatalf("window %d: sweep at the window's end: %d resumed, %v", i+1, n, err)
			}
		}
		if p := waitFinished(t, s, j); p.Succeeded != len(in) {
			t.Fatalf("progress %+v, want every row invited", p)
		}
		f.invitedOnce(t, emails(in))
		f.initiatedByAdmin(t)
	})
}

// TestQueuedJobsCap (security round 2, finding 6): a tenant has at most
// MaxQueued unfinished jobs, waiting ones included, even when uploads
// arrive at once; a finished job frees its place.
func TestQueuedJobsCap(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		adjust, l, sc := f.limited(1)
		// The member's write limit is used up: every job waits at once.
		if err := l.Count(ctx, sc, ratelimit.MemberWrites(f.tenant.ID, f.admin.ID)); err != nil {
			t.Fatal(err)
		}
		s := f.serviceWith(t, f.db, f.invites, func(d *bulkinvite.Deps) { adjust(d); d.MaxQueued = 2 })
		var (
			wg             sync.WaitGroup
			mu             sync.Mutex
			started        []bulkinvite.Job
			refused, other int
		)
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j, err := s.Start(ctx, f.tenant, f.admin, rows(1))
				var qe *bulkinvite.QueueFullError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					started = append(started, j)
				case errors.As(err, &qe) && qe.Max == 2:
					refused++
				default:
					other++
					t.Errorf("Start: %v", err)
				}
			}()
		}
		wg.Wait()
		if len(started) != 2 || refused != 3 || other != 0 {
			t.Fatalf("5 uploads at once with a cap of 2: %d started, %d refused, want 2 and 3", len(started), refused)
		}
		for _, j := range started {
			if got, p := f.settle(t, s, j); got.Finished() || p.Done() != 0 {
				t.Fatalf("a job under a used-up limit: %+v, %d done; want it waiting", got, p.Done())
			}
		}
		// Two windows later both jobs are finished (one row per window).
		for range 2 {
			f.clock.Advance(writeWindow)
			if _, err := s.Sweep(ctx); err != nil {
				t.Fatal(err)
			}
			for _, j := range started {
				f.settle(t, s, j)
			}
		}
		for _, j := range started {
			if got, p := f.settle(t, s, j); !got.Finished() || p.Succeeded != 1 {
				t.Fatalf("after two windows: %+v with %+v, want finished", got, p)
			}
		}
		if _, err := s.Start(ctx, f.tenant, f.admin, rows(1)); err != nil {
			t.Fatalf("an upload once the jobs finished: %v", err)
		}
	})
}

// TestJobStopsWhenTheCreatorMayNoLongerInvite (security round 2, finding
// 6; R10): a job waiting for the write limit does not outlive its
// creator's right to invite. Once the tenant's settings no longer let them
// invite, the job's remaining rows fail without being invited.
func TestJobStopsWhenTheCreatorMayNoLongerInvite(t *testing.T) {
	forEngine(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		adjust, _, _ := f.limited(3)
		var allowed atomic.Bool
		allowed.Store(true)
		s := f.serviceWith(t, f.db, f.invites, func(d *bulkinvite.Deps) {
			adjust(d)
			d.MayInvite = func(_ context.Context, tn directory.Tenant, u directory.User) (bool, error) {
				if tn.ID != f.tenant.ID || u.ID != f.admin.ID {
					t.Errorf("MayInvite asked about %s in %s", u.ID, tn.ID)
				}
				return allowed.Load(), nil
			}
		})
		in := rows(8)
		j, err := s.Start(ctx, f.tenant, f.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		if got, p := f.settle(t, s, j); got.Finished() || p.Done() != 3 {
			t.Fatalf("the job %+v with %d done, want it waiting after 3", got, p.Done())
		}
		allowed.Store(false)
		f.clock.Advance(writeWindow)
		if n, err := s.Sweep(ctx); n != 1 || err != nil {
			t.Fatalf("sweep: %d resumed, %v", n, err)
		}
		if got, p := f.settle(t, s, j); !got.Finished() || p != (bulkinvite.Progress{Succeeded: 3, Failed: 5}) {
			t.Fatalf("the job %+v with %+v, want it finished with 3 invited and 5 refused", got, p)
		}
		res, err := s.Results(ctx, f.tenant.ID, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res[3:] {
			if r.State != bulkinvite.RowFailed || r.Error != "inviter_refused" {
				t.Fatalf("row %+v, want refused", r)
			}
		}
		f.invitedOnce(t, emails(in[:3]))
	})
}
