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

// Issue makes a new code for address in tenantID, replacing (and so
// voiding) any older one, and calls deliver with it inside the same
// transaction, so the mail that carries the code is committed with it
// (deliver enqueues to the outbox; it must not do network I/O).
// A refused send returns a *ThrottledError.
func (s *Service) Issue(ctx context.Context, tenantID, address string, deliver func(ctx context.Context, code string) error) error {
	address = strings.ToLower(address)
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		now := s.clock.Now()
		prev, err := s.store.GetCode(ctx, tenantID, address)
		exists := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("issue passcode: %w", err)
		}
		window, err := CheckSend(prev, exists, now, s.limits)
		if err != nil {
			return err
		}
		code, err := Generate(s.limits.Digits)
		if err != nil {
			return err
		}
		next := Code{
			TenantID: tenantID, Address: address,
			Hash:        s.hasher.Hash(tenantID, address, code),
			IssuedAt:    now,
			WindowStart: window.Start, WindowCount: window.Count,
		}
		if err := s.store.PutCode(ctx, next, prev.IssuedAt); err != nil {
			if errors.Is(err, store.ErrConflict) {
				// Another request issued a code between our read and write: it
				// counts as this address's send, so this one is throttled.
				return &ThrottledError{RetryAt: now.Add(s.limits.ResendAfter)}
			}
			return fmt.Errorf("issue passcode: %w", err)
		}
		if err := deliver(ctx, code); err != nil {
			return fmt.Errorf("issue passcode: deliver: %w", err)
		}
		return nil
	})
}

// Verify checks code for address in tenantID. When it is accepted, Verify
// marks it used and runs onAccept in the same transaction (redeeming the
// guest, creating the session); if onAccept fails, the code stays unused.
// Of concurrent calls with one valid code exactly one reaches onAccept; the
// others get ErrUsed. A wrong entry is recorded before Verify returns
// ErrWrongCode, so it counts even though nothing else is written.
func (s *Service) Verify(ctx context.Context, tenantID, address, code string, onAccept func(ctx context.Context) error) error {
	address = strings.ToLower(address)
	code = NormalizeInput(code)
	now := s.clock.Now()
	c, err := s.store.GetCode(ctx, tenantID, address)
	if errors.Is(err, store.ErrNotFound) {
		return ErrNoCode
	}
	if err != nil {
		return fmt.Errorf("verify passcode: %w", err)
	}
	match := s.hasher.Matches(tenantID, address, code, c.Hash)
	if err := Check(c, match, now, s.limits); err != nil {
		if errors.Is(err, ErrWrongCode) {
			return s.recordWrong(ctx, c)
		}
		return err
	}
	return s.tx.InTx(ctx, func(ctx context.Context) error {
		if err := s.store.UseCode(ctx, tenantID, address, c.IssuedAt, now, s.limits.MaxAttempts); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return ErrUsed
			}
			return fmt.Errorf("verify passcode: %w", err)
		}
		return onAccept(ctx)
	})
}

func (s *Service) recordWrong(ctx context.Context, c Code) error {
	_, err := s.store.AddWrongAttempt(ctx, c.TenantID, c.Address, c.IssuedAt)
	if err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("verify passcode: record wrong entry: %w", err)
	}
	// ErrConflict: a newer code replaced this one meanwhile; the entry was
	// wrong for it as well, and the old code is void anyway.
	return ErrWrongCode
}

// State returns what the enter-code page may offer for address in
// tenantID now (StateOf). It reveals nothing about whether the address is
// a user: codes are issued alike for unknown addresses.
func (s *Service) State(ctx context.Context, tenantID, address string) (State, error) {
	address = strings.ToLower(address)
	c, err := s.store.GetCode(ctx, tenantID, address)
	exists := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return State{}, fmt.Errorf("passcode state: %w", err)
	}
	return StateOf(c, exists, s.clock.Now(), s.limits), nil
}
