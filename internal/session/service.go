package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/store"
)

// Service creates, finds and ends sessions.
type Service struct {
	store    Store
	clock    clock.Clock
	lifetime time.Duration
}

// NewService returns a Service; lifetime 0 means DefaultLifetime.
func NewService(s Store, c clock.Clock, lifetime time.Duration) *Service {
	if lifetime <= 0 {
		lifetime = DefaultLifetime
	}
	return &Service{store: s, clock: c, lifetime: lifetime}
}

// Lifetime returns the absolute session lifetime.
func (s *Service) Lifetime() time.Duration { return s.lifetime }

// Create starts a session for a user who just authenticated and returns it
// with the cookie value (which only the browser keeps). It joins the
// transaction in ctx.
func (s *Service) Create(ctx context.Context, tenantID, userID, idp string, amr []string) (Session, string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Session{}, "", fmt.Errorf("create session: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b[:])
	now := s.clock.Now()
	sess := Session{
		TenantID: tenantID, IDHash: hashToken(token), UserID: userID,
		AuthTime: now, ExpiresAt: now.Add(s.lifetime), AMR: amr, IdP: idp,
	}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return Session{}, "", fmt.Errorf("create session: %w", err)
	}
	return sess, token, nil
}

// Lookup returns the live session a cookie value names in the tenant, or
// ErrNoSession, ErrExpired or ErrRevoked.
func (s *Service) Lookup(ctx context.Context, tenantID, token string) (Session, error) {
	if token == "" {
		return Session{}, ErrNoSession
	}
	sess, err := s.store.GetSession(ctx, tenantID, hashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, fmt.Errorf("look up session: %w", err)
	}
	if err := Check(sess, s.clock.Now()); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// End revokes the session a cookie value names (sign-out). An unknown token is not an error.
func (s *Service) End(ctx context.Context, tenantID, token string) error {
	if token == "" {
		return nil
	}
	err := s.store.RevokeSession(ctx, tenantID, hashToken(token), s.clock.Now())
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// ListUserSessions returns a user's sessions, newest first, each with
// whether it is still live now (not expired or revoked).
func (s *Service) ListUserSessions(ctx context.Context, tenantID, userID string) ([]Listed, error) {
	all, err := s.store.ListSessions(ctx, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	now := s.clock.Now()
	out := make([]Listed, len(all))
	for i, sess := range all {
		out[i] = Listed{Session: sess, Err: Check(sess, now)}
	}
	return out, nil
}

// Listed is a session with its state now: Err is nil while it is live,
// else ErrExpired or ErrRevoked.
type Listed struct {
	Session
	Err error
}
