package bulkinvite

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/store"
)

const (
	// Lease is how long a worker holds a job without inviting a row; a
	// job whose worker died is resumed within Lease and SweepInterval.
	Lease = time.Minute
	// SweepInterval is how often Run looks for jobs to resume and purge.
	SweepInterval = 30 * time.Second
	// Retention is how long a finished job's results stay available.
	Retention = 7 * 24 * time.Hour
)

// pendingBatch is how many pending rows a worker reads at once;
// sweepBatch how many jobs one sweep resumes at most.
const (
	pendingBatch = 100
	sweepBatch   = 16
)

// Inviter invites one guest (invitation.Service). It must join the
// transaction in ctx.
type Inviter interface {
	Invite(ctx context.Context, t directory.Tenant, req invitation.Request) (invitation.Result, error)
}

// Tenants finds a resumed job's tenant (directory.Store).
type Tenants interface {
	GetTenant(ctx context.Context, id string) (directory.Tenant, error)
}

// Members finds a job's creator (directory.Store).
type Members interface {
	GetUser(ctx context.Context, tenantID, id string) (directory.User, error)
}

// Deps are what a Service uses. sqlstore.DB is the Store, the Tenants, the
// Members and the Tx.
type Deps struct {
	Store       Store
	Tenants     Tenants
	Members     Members
	Invitations Inviter
	Tx          store.Transactor
	// MayInvite reports whether member u may invite in t (R10: the
	// tenant's allowInvitesFrom and u's roles). A worker asks it for the
	// job's creator before each batch of rows, so that a job stops
	// inviting once its creator may no longer; nil lets every enabled
	// member invite.
	MayInvite func(ctx context.Context, t directory.Tenant, u directory.User) (bool, error)
	// Limiter and WriteLimit count every row against its creator's write
	// limit (ratelimit.MemberWrites: Graph's write limit, counted per
	// member as Graph counts per app). A job over the limit waits for the
	// window to end; without a Limiter nothing is limited.
	Limiter    *ratelimit.Limiter
	WriteLimit ratelimit.Scope
	// MaxQueued caps a tenant's unfinished jobs (waiting or in progress):
	// Start refuses another with a *QueueFullError. 0: no cap.
	MaxQueued int
	Clock     clock.Clock
	Log       *slog.Logger
}

// Service starts, resumes and reads bulk invitations. It is safe for
// concurrent use.
type Service struct {
	d Deps

	// ctx is the workers' context; Close cancels it.
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex // guards stopped and wg.Add
	stopped bool
	wg      sync.WaitGroup
}

// NewService returns a Service.
func NewService(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.Real{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{d: d, ctx: ctx, cancel: cancel}
}

// Start stores a job of rows uploaded by the admin by, in one
// transaction, and starts inviting them in this process. A tenant that
// has MaxQueued unfinished jobs is refused (a *QueueFullError).
func (s *Service) Start(ctx context.Context, t directory.Tenant, by directory.User, rows []Row) (Job, error) {
	now := s.d.Clock.Now()
	j := Job{
		TenantID: t.ID, ID: uuid.NewString(), CreatedBy: by.ID, InvitedBy: by.DisplayName, CreatedAt: now, Total: len(rows),
		LeaseOwner: uuid.NewString(), LeaseUntil: now.Add(Lease),
	}
	pending := make([]Row, len(rows))
	for i, r := range rows {
		pending[i] = Row{Line: r.Line, Email: r.Email, RedirectURL: r.RedirectURL, SendEmail: r.SendEmail, Message: r.Message, State: RowPending}
	}
	err := s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		if s.d.MaxQueued > 0 {
			n, err := s.d.Store.QueuedBulkJobs(ctx, t.ID)
			if err != nil {
				return err
			}
			if err := checkQueue(n, s.d.MaxQueued); err != nil {
				return err
			}
		}
		return s.d.Store.CreateBulkJob(ctx, j, pending)
	})
	if err != nil {
		return Job{}, fmt.Errorf("start bulk invitation: %w", err)
	}
	s.spawn(t, j)
	return j, nil
}

// WaitingUntil returns when j may go on, while its creator's write limit
// holds it back (the worker waits until then); zero when nothing holds it
// back: j is finished, or its creator may write.
func (s *Service) WaitingUntil(ctx context.Context, j Job) (time.Time, error) {
	if s.d.Limiter == nil || j.Finished() {
		return time.Time{}, nil
	}
	var le *ratelimit.LimitedError
	switch err := s.d.Limiter.Check(ctx, s.d.WriteLimit, writer(j)); {
	case errors.As(err, &le):
		return le.RetryAt, nil
	case err != nil:
		return time.Time{}, fmt.Errorf("bulk invitation %s: write limit: %w", j.ID, err)
	}
	return time.Time{}, nil
}

// writer is whose write limit j's rows count against: its creator's.
func writer(j Job) ratelimit.Subject { return ratelimit.MemberWrites(j.TenantID, j.CreatedBy) }

// Status returns the tenant's job and its progress, or store.ErrNotFound.
func (s *Service) Status(ctx context.Context, tenantID, id string) (Job, Progress, error) {
	j, p, err := s.d.Store.GetBulkJob(ctx, tenantID, id)
	if err != nil {
		return Job{}, Progress{}, fmt.Errorf("bulk invitation status: %w", err)
	}
	return j, p, nil
}

// Results returns the rows of the tenant's job with their results, in line
// order (an unknown job has none).
func (s *Service) Results(ctx context.Context, tenantID, id string) ([]Row, error) {
	rows, err := s.d.Store.ListBulkRows(ctx, tenantID, id)
	if err != nil {
		return nil, fmt.Errorf("bulk invitation results: %w", err)
	}
	return rows, nil
}

// Run resumes the jobs whose lease ran out (Sweep) and purges the jobs
// finished more than Retention ago (Purge): at once, then every interval,
// until ctx ends. It then closes the Service.
func (s *Service) Run(ctx context.Context, interval time.Duration) error {
	defer s.Close()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		s.housekeep(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (s *Service) housekeep(ctx context.Context) {
	if n, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
		s.d.Log.ErrorContext(ctx, "resuming bulk invitations failed", "err", err, "resumed", n)
	}
	n, err := s.Purge(ctx)
	if err != nil && ctx.Err() == nil {
		s.d.Log.ErrorContext(ctx, "purge of bulk invitations failed", "err", err)
	}
	if n > 0 {
		s.d.Log.InfoContext(ctx, "purged finished bulk invitations", "count", n)
	}
}

// Sweep takes over the jobs whose lease ran out and resumes them in this
// process. It returns how many it resumed.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.d.Clock.Now()
	jobs, err := s.d.Store.ExpiredBulkJobs(ctx, now, sweepBatch)
	if err != nil {
		return 0, fmt.Errorf("sweep bulk invitations: %w", err)
	}
	n := 0
	for _, j := range jobs {
		ok, err := s.resume(ctx, j, now)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// resume takes j over (false when another process was first) and starts
// a worker on it.
func (s *Service) resume(ctx context.Context, j Job, now time.Time) (bool, error) {
	previous := j.LeaseOwner
	j.LeaseOwner, j.LeaseUntil = uuid.NewString(), now.Add(Lease)
	err := s.d.Store.LeaseBulkJob(ctx, j.TenantID, j.ID, j.LeaseOwner, now, j.LeaseUntil)
	if errors.Is(err, store.ErrConflict) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("take over bulk invitation %s: %w", j.ID, err)
	}
	t, err := s.d.Tenants.GetTenant(ctx, j.TenantID)
	if err != nil {
		s.release(j)
		return false, fmt.Errorf("resume bulk invitation %s: %w", j.ID, err)
	}
	s.d.Log.InfoContext(ctx, "resuming a bulk invitation", "tenant_id", j.TenantID, "job_id", j.ID, "previous_worker", previous)
	s.spawn(t, j)
	return true, nil
}

// Purge deletes the jobs finished more than Retention ago and returns how
// many.
func (s *Service) Purge(ctx context.Context) (int, error) {
	n, err := s.d.Store.PurgeBulkJobs(ctx, s.d.Clock.Now().Add(-Retention))
	if err != nil {
		return n, fmt.Errorf("purge bulk invitations: %w", err)
	}
	return n, nil
}

// spawn runs a worker on j, unless this process is stopping: then j is
// given up for another process.
func (s *Service) spawn(t directory.Tenant, j Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		s.release(j)
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.work(s.ctx, t, j)
	}()
}

// Close stops this process's workers, which give their jobs up for
// another process to resume, and waits for them. Jobs started later are
// given up at once.
func (s *Service) Close() {
	s.mu.Lock()
	s.stopped = true
	s.cancel()
	s.mu.Unlock()
	s.wg.Wait()
}

// releaseTimeout bounds giving a job up once the worker's context ended.
const releaseTimeout = 5 * time.Second

// release gives j's lease up, so that the next sweep of any process
// resumes it without waiting for the lease to run out.
func (s *Service) release(j Job) {
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	now := s.d.Clock.Now()
	err := s.d.Store.LeaseBulkJob(ctx, j.TenantID, j.ID, j.LeaseOwner, now, now)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		s.d.Log.WarnContext(ctx, "giving up a bulk invitation failed; it is resumed when its lease runs out",
			"tenant_id", j.TenantID, "job_id", j.ID, "err", err)
	}
}
