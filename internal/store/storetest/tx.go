package storetest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/guestgate/guestgate/internal/store"
)

// errRollback is what a transaction callback returns to roll back on purpose.
var errRollback = errors.New("roll back on purpose")

func testTx(t *testing.T, open Open) {
	t.Run("commit_writes_all", func(t *testing.T) {
		s := open(t)
		tn := sampleTenant("contoso")
		u := sampleGuest(tn, "alice@example.com")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			if err := s.CreateTenant(ctx, tn); err != nil {
				return err
			}
			return s.CreateUser(ctx, u)
		})
		must(t, "tx", err)
		_, err = s.GetUser(t.Context(), tn.ID, u.ID)
		must(t, "get user written in the tx", err)
	})
	t.Run("rollback_writes_nothing", func(t *testing.T) {
		s := open(t)
		tn := sampleTenant("contoso")
		u := sampleGuest(tn, "alice@example.com")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			must(t, "create tenant in tx", s.CreateTenant(ctx, tn))
			must(t, "create user in tx", s.CreateUser(ctx, u))
			// The transaction sees its own writes.
			_, err := s.GetUser(ctx, tn.ID, u.ID)
			must(t, "get user in tx", err)
			return errRollback
		})
		wantErr(t, "tx", err, errRollback)
		_, err = s.GetTenant(t.Context(), tn.ID)
		wantErr(t, "get tenant after rollback", err, store.ErrNotFound)
		_, err = s.GetTenantByDomain(t.Context(), tn.InitialDomain)
		wantErr(t, "get tenant by domain after rollback", err, store.ErrNotFound)
		_, err = s.GetUser(t.Context(), tn.ID, u.ID)
		wantErr(t, "get user after rollback", err, store.ErrNotFound)
	})
	t.Run("nested_tx_joins_outer", func(t *testing.T) {
		s := open(t)
		tn := sampleTenant("contoso")
		u := sampleGuest(tn, "alice@example.com")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			must(t, "create tenant in outer tx", s.CreateTenant(ctx, tn))
			err := s.InTx(ctx, func(ctx context.Context) error {
				// The inner transaction sees the outer one's uncommitted tenant.
				if _, err := s.GetTenant(ctx, tn.ID); err != nil {
					return err
				}
				return s.CreateUser(ctx, u)
			})
			must(t, "inner tx", err)
			return errRollback
		})
		wantErr(t, "outer tx", err, errRollback)
		_, err = s.GetUser(t.Context(), tn.ID, u.ID)
		wantErr(t, "user written by the inner tx after the outer rollback", err, store.ErrNotFound)
		_, err = s.GetTenant(t.Context(), tn.ID)
		wantErr(t, "tenant after the outer rollback", err, store.ErrNotFound)
	})
	t.Run("nested_tx_error_rolls_back_outer", func(t *testing.T) {
		s := open(t)
		tn := sampleTenant("contoso")
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			must(t, "create tenant in outer tx", s.CreateTenant(ctx, tn))
			return s.InTx(ctx, func(context.Context) error { return errRollback })
		})
		wantErr(t, "outer tx", err, errRollback)
		_, err = s.GetTenant(t.Context(), tn.ID)
		wantErr(t, "tenant after the inner error", err, store.ErrNotFound)
	})
	testAfterCommit(t, open)
}

func testAfterCommit(t *testing.T, open Open) {
	t.Run("after_commit_runs_after_commit", func(t *testing.T) {
		s := open(t)
		tn := sampleTenant("contoso")
		var ran atomic.Int32
		var sawTenant bool
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			s.AfterCommit(ctx, func() {
				ran.Add(1)
				// Committed: readers outside the transaction see its writes.
				_, err := s.GetTenant(context.Background(), tn.ID)
				sawTenant = err == nil
			})
			must(t, "create tenant", s.CreateTenant(ctx, tn))
			if ran.Load() != 0 {
				t.Error("AfterCommit ran before the commit")
			}
			return nil
		})
		must(t, "tx", err)
		wantEqual(t, "after-commit runs", ran.Load(), int32(1))
		if !sawTenant {
			t.Fatal("the after-commit function did not see the committed tenant")
		}
	})
	t.Run("after_commit_not_on_rollback", func(t *testing.T) {
		s := open(t)
		var ran atomic.Int32
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			s.AfterCommit(ctx, func() { ran.Add(1) })
			err := s.InTx(ctx, func(ctx context.Context) error {
				s.AfterCommit(ctx, func() { ran.Add(1) })
				return nil
			})
			must(t, "inner tx", err)
			return errRollback
		})
		wantErr(t, "tx", err, errRollback)
		wantEqual(t, "after-commit runs after a rollback", ran.Load(), int32(0))
	})
	t.Run("after_commit_nested_runs_once_after_outer_commit", func(t *testing.T) {
		s := open(t)
		var ran atomic.Int32
		err := s.InTx(t.Context(), func(ctx context.Context) error {
			err := s.InTx(ctx, func(ctx context.Context) error {
				s.AfterCommit(ctx, func() { ran.Add(1) })
				return nil
			})
			if ran.Load() != 0 {
				t.Error("AfterCommit registered in a nested tx ran before the outer commit")
			}
			return err
		})
		must(t, "tx", err)
		wantEqual(t, "after-commit runs", ran.Load(), int32(1))
	})
	t.Run("after_commit_without_tx_runs_now", func(t *testing.T) {
		s := open(t)
		ran := false
		s.AfterCommit(t.Context(), func() { ran = true })
		if !ran {
			t.Fatal("AfterCommit without a transaction did not run at once")
		}
	})
}
