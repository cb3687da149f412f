package oidc

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/guestgate/guestgate/internal/store"
)

// Refresh tokens are 256-bit random strings; only their SHA-256 is stored.
// They live as long as the sign-in's session (RefreshTokenLifetime from
// auth_time) and rotate on every use: the used token is marked used in the
// transaction that stores its successor, so of concurrent uses exactly one
// succeeds.
//
// Reuse detection (OAuth 2.0 Security BCP, refresh token rotation): every
// token of a chain carries the family id of the authorization it descends
// from. A token presented again after it was rotated (a stolen copy, or
// the legitimate client after the thief used it first) revokes the whole
// family: every refresh token of it is deleted and its access tokens are
// refused at userinfo. A client that loses a race between two concurrent
// refreshes of one token is treated the same way: it signs in again.

// refreshFromAuthRequest is the refresh token grant of a redeemed request.
func refreshFromAuthRequest(r AuthRequestRecord) RefreshTokenRecord {
	return RefreshTokenRecord{
		TenantID:  r.TenantID,
		FamilyID:  r.ID,
		ClientID:  r.ClientID,
		UserID:    r.UserID,
		SessionID: r.SessionID,
		Scopes:    r.Scopes,
		AMR:       r.AMR,
		IdP:       r.IdP,
		AuthTime:  r.AuthTime,
	}
}

// createRefreshToken stores a new refresh token for the grant and returns
// it; it joins the transaction in ctx. The expiry is the session's end; a
// sign-in whose session already ended gets no refresh token ("").
func (p *Provider) createRefreshToken(ctx context.Context, grant RefreshTokenRecord) (string, error) {
	now := p.clock.Now()
	if grant.ExpiresAt.IsZero() {
		grant.ExpiresAt = grant.AuthTime.Add(p.cfg.RefreshTokenLifetime)
	}
	if !grant.ExpiresAt.After(now) {
		return "", nil
	}
	token, err := randomToken()
	if err != nil {
		return "", err
	}
	grant.TokenHash = hashToken(token)
	grant.CreatedAt = now
	if err := p.deps.AuthRequests.CreateOIDCRefreshToken(ctx, grant); err != nil {
		return "", fmt.Errorf("create refresh token: %w", err)
	}
	return token, nil
}

// liveRefreshToken returns the unexpired refresh token of the tenant in
// ctx, of a user still allowed in (liveUser), as a refresh request that
// keeps that check's reads: the user and the user's access to the app give
// the new tokens' claims without being read again.
func (p *Provider) liveRefreshToken(ctx context.Context, token string) (*refreshRequest, error) {
	tid, err := tenantID(ctx)
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	rec, err := p.deps.AuthRequests.GetOIDCRefreshToken(ctx, tid, hashToken(token))
	if errors.Is(err, store.ErrNotFound) || err == nil && !rec.ExpiresAt.After(p.clock.Now()) {
		return nil, oidc.ErrInvalidGrant().WithDescription("The refresh token is invalid or has expired.")
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(fmt.Errorf("get refresh token: %w", err))
	}
	if !rec.UsedAt.IsZero() {
		return nil, p.refreshReplayed(ctx, rec)
	}
	r, err := p.newRefreshRequest(ctx, rec)
	if err != nil {
		return nil, err
	}
	// Ending a user's access deletes its refresh tokens; this also refuses
	// one a code exchange created from an older sign-in meanwhile.
	u, err := p.liveUser(ctx, &r.access, tid, rec.ClientID, rec.UserID, rec.AuthTime)
	if err != nil {
		return nil, err
	}
	r.live = &liveUserResult{user: u}
	return r, nil
}

// rotateRefreshToken redeems the current token and stores its successor,
// with the same grant, family and expiry, in one transaction.
func (p *Provider) rotateRefreshToken(ctx context.Context, r *refreshRequest, current string) (string, error) {
	var next string
	err := p.deps.Tx.InTx(ctx, func(ctx context.Context) error {
		old, err := p.deps.AuthRequests.ConsumeOIDCRefreshToken(ctx, r.rec.TenantID, hashToken(current), p.clock.Now())
		if err != nil {
			return err
		}
		old.UsedAt = time.Time{}
		if old.FamilyID == "" {
			old.FamilyID = uuid.NewString() // a token from before families
		}
		next, err = p.createRefreshToken(ctx, old)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		// Another use of the same token won (or it expired meanwhile): a
		// replay, unless it is simply gone.
		if rec, gerr := p.deps.AuthRequests.GetOIDCRefreshToken(ctx, r.rec.TenantID, hashToken(current)); gerr == nil && !rec.UsedAt.IsZero() {
			return "", p.refreshReplayed(ctx, rec)
		}
		return "", oidc.ErrInvalidGrant().WithDescription("The refresh token was already used or has expired.")
	}
	if err != nil {
		return "", oidc.ErrServerError().WithParent(fmt.Errorf("rotate refresh token: %w", err))
	}
	if next == "" {
		return "", oidc.ErrInvalidGrant().WithDescription("The session of the refresh token has ended.")
	}
	return next, nil
}

// refreshReplayed answers a rotated refresh token presented again: the
// family it belongs to is revoked (revokeGrant) and the answer is
// invalid_grant, whatever the revocation's outcome.
func (p *Provider) refreshReplayed(ctx context.Context, rec RefreshTokenRecord) error {
	p.deps.Log.WarnContext(ctx, "oidc: rotated refresh token presented again; revoking its family",
		"tenant", rec.TenantID, "client_id", rec.ClientID, "user_id", rec.UserID, "family", rec.FamilyID)
	if rec.FamilyID != "" {
		if err := p.revokeGrant(ctx, rec.TenantID, rec.FamilyID); err != nil {
			return oidc.ErrServerError().WithParent(err)
		}
	}
	return oidc.ErrInvalidGrant().WithDescription("The refresh token was already used; every token of this sign-in is revoked. Sign in again.")
}

// revokeGrant revokes one authorization: its refresh tokens are deleted and
// its access tokens refused until the last of them has expired.
func (p *Provider) revokeGrant(ctx context.Context, tenantID, familyID string) error {
	until := p.clock.Now().Add(p.cfg.AccessTokenLifetime + tokenLeeway)
	if err := p.deps.AuthRequests.RevokeOIDCGrant(ctx, tenantID, familyID, until); err != nil {
		return fmt.Errorf("revoke grant: %w", err)
	}
	return nil
}

// randomToken returns 256 random bits, base64url.
func randomToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}
