package bulkinvite

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/guestgate/guestgate/internal/audit"
	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/ratelimit"
	"github.com/guestgate/guestgate/internal/store"
)

// errLeaseLost: another worker holds the job now (it took the job over
// after this one's lease ran out), or the job is finished.
var errLeaseLost = errors.New("the bulk invitation's lease is lost")

// internalError is what a row records for a failure the admin cannot act on.
var internalError = Failure{Reason: ReasonInternal}.String()

// work invites j's pending rows, then marks j finished. A worker that
// stops before (its context ended, the database failed) gives the job up;
// one that reached its creator's write limit keeps the job until the
// limit's window ends (wait).
func (s *Service) work(ctx context.Context, t directory.Tenant, j Job) {
	err := s.process(ctx, t, j)
	var le *ratelimit.LimitedError
	switch {
	case err == nil:
	case errors.As(err, &le):
		s.wait(ctx, j, le.RetryAt)
	case errors.Is(err, errLeaseLost), errors.Is(err, store.ErrConflict):
		s.d.Log.InfoContext(ctx, "a bulk invitation's worker stopped: another one took over", "tenant_id", j.TenantID, "job_id", j.ID)
	default:
		if ctx.Err() == nil {
			s.d.Log.ErrorContext(ctx, "a bulk invitation's worker stopped; the job is resumed later", "tenant_id", j.TenantID, "job_id", j.ID, "err", err)
		}
		s.release(j)
	}
}

// process invites j's rows in batches. Before each batch it checks that
// the job's creator may still invite; before each row, that the creator's
// write limit lets one more write through (else it returns the
// *ratelimit.LimitedError).
func (s *Service) process(ctx context.Context, t directory.Tenant, j Job) error {
	for {
		rows, err := s.d.Store.PendingBulkRows(ctx, j.TenantID, j.ID, pendingBatch)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return s.d.Store.FinishBulkJob(ctx, j.TenantID, j.ID, j.LeaseOwner, s.d.Clock.Now())
		}
		by, err := s.initiator(ctx, t, j)
		if errors.Is(err, ErrInviterRefused) {
			if err := s.refuse(ctx, j, rows); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := s.row(ctx, t, j, by, r); err != nil {
				return err
			}
		}
	}
}

// initiator returns j's creator as the initiator of its invitations'
// audit records, or ErrInviterRefused when they may no longer invite:
// deleted, disabled, no longer a member, or refused by MayInvite.
func (s *Service) initiator(ctx context.Context, t directory.Tenant, j Job) (audit.Actor, error) {
	u, err := s.d.Members.GetUser(ctx, j.TenantID, j.CreatedBy)
	if errors.Is(err, store.ErrNotFound) {
		return audit.Actor{}, ErrInviterRefused
	}
	if err != nil {
		return audit.Actor{}, fmt.Errorf("bulk invitation %s: its creator: %w", j.ID, err)
	}
	if u.UserType != directory.UserTypeMember || !u.AccountEnabled {
		return audit.Actor{}, ErrInviterRefused
	}
	if s.d.MayInvite != nil {
		ok, err := s.d.MayInvite(ctx, t, u)
		if err != nil {
			return audit.Actor{}, fmt.Errorf("bulk invitation %s: may its creator invite: %w", j.ID, err)
		}
		if !ok {
			return audit.Actor{}, ErrInviterRefused
		}
	}
	return audit.Actor{UserID: u.ID, UserName: u.DisplayName, UserPrincipalName: u.UserPrincipalName}, nil
}

// refuse records rows as failed because the job's creator may no longer
// invite; they are not counted against the write limit (nothing was
// tried).
func (s *Service) refuse(ctx context.Context, j Job, rows []Row) error {
	msg := Failure{Reason: ReasonInviterRefused}.String()
	s.d.Log.InfoContext(ctx, "a bulk invitation's creator may no longer invite; its remaining rows fail", "tenant_id", j.TenantID, "job_id", j.ID)
	for _, r := range rows {
		if err := s.fail(ctx, j, r, msg, false); err != nil {
			return err
		}
	}
	return nil
}

// row invites r's guest, initiated by by, and records the result; the row
// counts once against the creator's write limit, whatever its result. An
// error stops the worker: the write limit is reached, the lease is lost,
// the database failed, or ctx ended.
func (s *Service) row(ctx context.Context, t directory.Tenant, j Job, by audit.Actor, r Row) error {
	if s.d.Limiter != nil {
		if err := s.d.Limiter.Check(ctx, s.d.WriteLimit, writer(j)); err != nil {
			return err
		}
	}
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if err = s.invite(ctx, t, j, by, r); err == nil || stops(ctx, err) {
			return err
		}
		if f, ok := failureOf(err); ok {
			return s.fail(ctx, j, r, f.String(), true)
		}
	}
	s.d.Log.ErrorContext(ctx, "a bulk invitation row failed", "tenant_id", j.TenantID, "job_id", j.ID, "line", r.Line, "err", err)
	return s.fail(ctx, j, r, internalError, true)
}

// stops reports an error after which the worker must not go on.
func stops(ctx context.Context, err error) bool {
	return errors.Is(err, errLeaseLost) || errors.Is(err, store.ErrUnavailable) || ctx.Err() != nil
}

// invite claims the row, invites its guest, records the success and
// counts the write, in one transaction: a row is invited and counted
// once, whatever stops the worker.
func (s *Service) invite(ctx context.Context, t directory.Tenant, j Job, by audit.Actor, r Row) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.claim(ctx, j, r); err != nil {
			return err
		}
		res, err := s.d.Invitations.Invite(ctx, t, request(j, by, r))
		if err != nil {
			return err
		}
		r.State, r.UserID = RowOK, res.User.ID
		if err := s.d.Store.FinishBulkRow(ctx, j.TenantID, j.ID, r); err != nil {
			return err
		}
		return s.count(ctx, j)
	})
}

// fail records the row's failure with msg, counting the write when
// counted.
func (s *Service) fail(ctx context.Context, j Job, r Row, msg string, counted bool) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.claim(ctx, j, r); err != nil {
			return err
		}
		r.State, r.Error = RowFailed, msg
		if err := s.d.Store.FinishBulkRow(ctx, j.TenantID, j.ID, r); err != nil {
			return err
		}
		if !counted {
			return nil
		}
		return s.count(ctx, j)
	})
}

// count counts one write of j's creator, in ctx's transaction.
func (s *Service) count(ctx context.Context, j Job) error {
	if s.d.Limiter == nil {
		return nil
	}
	return s.d.Limiter.Count(ctx, s.d.WriteLimit, writer(j))
}

// claim locks the job for this worker and extends its lease.
func (s *Service) claim(ctx context.Context, j Job, r Row) error {
	err := s.d.Store.ClaimBulkRow(ctx, j.TenantID, j.ID, j.LeaseOwner, r.Line, s.d.Clock.Now().Add(Lease))
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: %w", errLeaseLost, err)
	}
	return err
}

// wait keeps j, unworked, until until, when its creator's write limit
// lets them write again: the worker renews its lease to then and stops,
// and the sweep of any process resumes the job once that lease has ended.
// Nothing is lost, and no process works on the job meanwhile. If the
// lease cannot be renewed, the job is given up (it is then resumed at the
// next sweep and waits again).
func (s *Service) wait(ctx context.Context, j Job, until time.Time) {
	s.d.Log.InfoContext(ctx, "a bulk invitation waits for its creator's write limit", "tenant_id", j.TenantID, "job_id", j.ID, "until", until)
	err := s.d.Store.LeaseBulkJob(ctx, j.TenantID, j.ID, j.LeaseOwner, s.d.Clock.Now(), until)
	switch {
	case err == nil:
	case errors.Is(err, store.ErrConflict):
		s.d.Log.InfoContext(ctx, "a bulk invitation's worker stopped: another one took over", "tenant_id", j.TenantID, "job_id", j.ID)
	default:
		if ctx.Err() == nil {
			s.d.Log.WarnContext(ctx, "a waiting bulk invitation could not keep its lease; it is given up", "tenant_id", j.TenantID, "job_id", j.ID, "err", err)
		}
		s.release(j)
	}
}

// request is the invitation of row r, initiated by by: the mail is sent
// unless sendEmail says false, as in the reproduced product's template.
func request(j Job, by audit.Actor, r Row) invitation.Request {
	return invitation.Request{
		Email: r.Email, RedirectURL: r.RedirectURL, SendMessage: !strings.EqualFold(r.SendEmail, "false"),
		CustomMessage: r.Message, InvitedBy: j.InvitedBy, UserType: directory.UserTypeGuest, By: by,
	}
}
