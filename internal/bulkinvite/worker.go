package bulkinvite

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/directory"
	"github.com/guestgate/guestgate/internal/invitation"
	"github.com/guestgate/guestgate/internal/store"
)

// errLeaseLost: another worker holds the job now (it took the job over
// after this one's lease ran out), or the job is finished.
var errLeaseLost = errors.New("the bulk invitation's lease is lost")

// internalError is what a row records for a failure the admin cannot act on.
const internalError = "internal error"

// work invites j's pending rows, then marks j finished. A worker that
// stops before (its context ended, the database failed) gives the job up.
func (s *Service) work(ctx context.Context, t directory.Tenant, j Job) {
	err := s.process(ctx, t, j)
	switch {
	case err == nil:
	case errors.Is(err, errLeaseLost), errors.Is(err, store.ErrConflict):
		s.d.Log.InfoContext(ctx, "a bulk invitation's worker stopped: another one took over", "tenant_id", j.TenantID, "job_id", j.ID)
	default:
		if ctx.Err() == nil {
			s.d.Log.ErrorContext(ctx, "a bulk invitation's worker stopped; the job is resumed later", "tenant_id", j.TenantID, "job_id", j.ID, "err", err)
		}
		s.release(j)
	}
}

func (s *Service) process(ctx context.Context, t directory.Tenant, j Job) error {
	for {
		rows, err := s.d.Store.PendingBulkRows(ctx, j.TenantID, j.ID, pendingBatch)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return s.d.Store.FinishBulkJob(ctx, j.TenantID, j.ID, j.LeaseOwner, s.d.Clock.Now())
		}
		for _, r := range rows {
			if err := s.row(ctx, t, j, r); err != nil {
				return err
			}
		}
	}
}

// row invites r's guest and records the result. An error stops the
// worker: the lease is lost, the database failed, or ctx ended.
func (s *Service) row(ctx context.Context, t directory.Tenant, j Job, r Row) error {
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if err = s.invite(ctx, t, j, r); err == nil || stops(ctx, err) {
			return err
		}
		if msg, ok := s.d.Describe(err); ok {
			return s.fail(ctx, j, r, msg)
		}
	}
	s.d.Log.ErrorContext(ctx, "a bulk invitation row failed", "tenant_id", j.TenantID, "job_id", j.ID, "line", r.Line, "err", err)
	return s.fail(ctx, j, r, internalError)
}

// stops reports an error after which the worker must not go on.
func stops(ctx context.Context, err error) bool {
	return errors.Is(err, errLeaseLost) || errors.Is(err, store.ErrUnavailable) || ctx.Err() != nil
}

// invite claims the row, invites its guest and records the success, in one
// transaction: a row is invited once, whatever stops the worker.
func (s *Service) invite(ctx context.Context, t directory.Tenant, j Job, r Row) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.claim(ctx, j, r); err != nil {
			return err
		}
		res, err := s.d.Invitations.Invite(ctx, t, request(j, r))
		if err != nil {
			return err
		}
		r.State, r.UserID = RowOK, res.User.ID
		return s.d.Store.FinishBulkRow(ctx, j.TenantID, j.ID, r)
	})
}

// fail records the row's failure with msg.
func (s *Service) fail(ctx context.Context, j Job, r Row, msg string) error {
	return s.d.Tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.claim(ctx, j, r); err != nil {
			return err
		}
		r.State, r.Error = RowFailed, msg
		return s.d.Store.FinishBulkRow(ctx, j.TenantID, j.ID, r)
	})
}

// claim locks the job for this worker and extends its lease.
func (s *Service) claim(ctx context.Context, j Job, r Row) error {
	err := s.d.Store.ClaimBulkRow(ctx, j.TenantID, j.ID, j.LeaseOwner, r.Line, s.d.Clock.Now().Add(Lease))
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: %w", errLeaseLost, err)
	}
	return err
}

// request is the invitation of row r: the mail is sent unless sendEmail
// says false, as in the reproduced product's template.
func request(j Job, r Row) invitation.Request {
	return invitation.Request{
		Email: r.Email, RedirectURL: r.RedirectURL, SendMessage: !strings.EqualFold(r.SendEmail, "false"),
		CustomMessage: r.Message, InvitedBy: j.InvitedBy, UserType: directory.UserTypeGuest,
	}
}
