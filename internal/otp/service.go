package otp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/store"
)

// Service issues and verifies passcodes against a Store.
type Service struct {
	store  Store
	tx     store.Transactor
	hasher Hasher
	clock  clock.Clock
	limits Limits
}

// NewService returns a Service. limits must be valid.
func NewService(s Store, tx store.Transactor, h Hasher, c clock.Clock, l Limits) (*Service, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	return &Service{store: s, tx: tx, hasher: h, clock: c, limits: l}, nil
}

// Limits returns the limits the service applies.
func (s *Service) Limits() Limits { return s.limits }

// Issue makes a new code for address in tenantID at the request of the
// requester in ctx (RequesterOf), replacing (and so voiding) the older
// code of that requester's browser, and calls deliver with it inside the
// same transaction, so the mail that carries the code is committed with it
// (deliver enqueues to the outbox; it must not do network I/O). The send
// is counted for the requester's client network and for the address
// (CheckSend); a refused send writes nothing and returns a *ThrottledError.
func (s *Service) Issue(ctx context.Context, tenantID, address string, deliver func(ctx context.Context, code string) error) error {
	_, err := s.IssueState(ctx, tenantID, address, deliver)
	return err
}

// IssueState is Issue that also returns the State the new code leaves
// (State's answer right after the commit), decided from what the
// transaction read and wrote: the enter-code page that follows the send
// need not read it again.
func (s *Service) IssueState(ctx context.Context, tenantID, address string, deliver func(ctx context.Context, code string) error) (State, error) {
	address = strings.ToLower(address)
	req := RequesterOf(ctx)
	var st State
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		key := CodeKey{TenantID: tenantID, Address: address, Browser: req.Browser}
		prev, _, fromClient, toAddress, err := s.store.GetSendState(ctx, key, req.Client)
		if err != nil {
			return fmt.Errorf("issue passcode: %w", err)
		}
		counts, err := CheckSend(fromClient, toAddress, now, s.limits)
		if err != nil {
			return err
		}
		// Another request from this client network sent a code between our
		// read and write: it counts as this send, so this one is throttled.
		raced := &ThrottledError{RetryAt: now.Add(s.limits.ResendAfter)}
		if err := s.store.PutClientSends(ctx, tenantID, address, req.Client, counts.Client, fromClient.LastAt); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return raced
			}
			return fmt.Errorf("issue passcode: %w", err)
		}
		counted, err := s.store.AddAddressSend(ctx, tenantID, address, now, now.Add(-SendWindow))
		if err != nil {
			return fmt.Errorf("issue passcode: %w", err)
		}
		if err := CheckCounted(fromClient, counted, now, s.limits); err != nil {
			return err // the transaction rolls back: nothing was counted
		}
		code, err := Generate(s.limits.Digits)
		if err != nil {
			return err
		}
		next := Code{
			TenantID: tenantID, Address: address, Browser: req.Browser,
			Hash:     s.hasher.Hash(tenantID, address, code),
			IssuedAt: now,
		}
		if err := s.store.PutCode(ctx, next, prev.IssuedAt); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return raced
			}
			return fmt.Errorf("issue passcode: %w", err)
		}
		idle := now.Add(-max(SendWindow, s.limits.ResendAfter))
		if err := s.store.PurgeAddress(ctx, tenantID, address, now.Add(-s.limits.Validity-SendWindow), idle); err != nil {
			return fmt.Errorf("issue passcode: %w", err)
		}
		if err := deliver(ctx, code); err != nil {
			return fmt.Errorf("issue passcode: deliver: %w", err)
		}
		st = StateOf(next, true, counts.Client, counted, now, s.limits)
		return nil
	})
	if err != nil {
		return State{}, err
	}
	return st, nil
}

// Verify checks code for address in tenantID against the code of the
// requester's browser (RequesterOf(ctx)): a code asked for in another
// browser is not this browser's, and wrong entries count against this
// browser's code only. When it is accepted, Verify marks it used and runs
// onAccept in the same transaction (redeeming the guest, creating the
// session); if onAccept fails, the code stays unused. Of concurrent calls
// with one valid code exactly one reaches onAccept; the others get
// ErrUsed. A wrong entry is recorded before Verify returns ErrWrongCode,
// so it counts even though nothing else is written.
func (s *Service) Verify(ctx context.Context, tenantID, address, code string, onAccept func(ctx context.Context) error) error {
	key := CodeKey{TenantID: tenantID, Address: strings.ToLower(address), Browser: RequesterOf(ctx).Browser}
	code = NormalizeInput(code)
	now := s.clock.Now()
	// The code is read in the transaction that uses it (or records a wrong
	// entry): one transaction for the read and the write.
	var wrong bool
	err := s.tx.InTx(ctx, func(ctx context.Context) error {
		wrong = false
		c, err := s.store.GetCode(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNoCode
		}
		if err != nil {
			return fmt.Errorf("verify passcode: %w", err)
		}
		match := s.hasher.Matches(tenantID, key.Address, code, c.Hash)
		if err := Check(c, match, now, s.limits); err != nil {
			if errors.Is(err, ErrWrongCode) {
				wrong = true
				return s.recordWrong(ctx, c) // committed: the entry counts
			}
			return err
		}
		if err := s.store.UseCode(ctx, key, c.IssuedAt, now, s.limits.MaxAttempts); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return ErrUsed
			}
			return fmt.Errorf("verify passcode: %w", err)
		}
		return onAccept(ctx)
	})
	if err == nil && wrong {
		return ErrWrongCode
	}
	return err
}

// recordWrong counts a wrong entry against c; Verify then answers
// ErrWrongCode.
func (s *Service) recordWrong(ctx context.Context, c Code) error {
	_, err := s.store.AddWrongAttempt(ctx, c.Key(), c.IssuedAt)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("verify passcode: record wrong entry: %w", err)
	}
	// ErrConflict: a newer code replaced this one meanwhile; the entry was
	// wrong for it as well, and the old code is void anyway.
	return nil
}

// State returns what the enter-code page may offer the requester in ctx
// for address in tenantID now (StateOf). It reveals nothing about whether
// the address is a user: codes are issued alike for unknown addresses.
func (s *Service) State(ctx context.Context, tenantID, address string) (State, error) {
	address = strings.ToLower(address)
	req := RequesterOf(ctx)
	c, exists, fromClient, toAddress, err := s.store.GetSendState(ctx, CodeKey{TenantID: tenantID, Address: address, Browser: req.Browser}, req.Client)
	if err != nil {
		return State{}, fmt.Errorf("passcode state: %w", err)
	}
	return StateOf(c, exists, fromClient, toAddress, s.clock.Now(), s.limits), nil
}
