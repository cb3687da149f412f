package oidc

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RotateKeys creates a new signing key per algorithm (RS256 and ES256),
// which signs from now on, and retires the others. Retired keys stay
// published (and accepted) until tokens they signed have expired; keys
// retired longer ago are deleted. Other processes see the new keys within
// Config.KeyRefresh, or at once when they meet a token signed by one. It
// returns the new keys' ids.
func (p *Core) RotateKeys(ctx context.Context) (KeyIDs, error) {
	if p.cfg.AdminOnly {
		return KeyIDs{}, errors.New("rotate signing keys: signing keys are sealed with the deployment's secret; set GUESTGATE_SECRET or GUESTGATE_SECRET_FILE")
	}
	return p.keys.rotate(ctx)
}

// Cleanup deletes expired authorization requests and refresh tokens, and
// signing keys retired longer ago than any token they signed can live; it
// creates a signing key for an algorithm left without a current one. A
// completed request is kept, its code expired or spent, until the pending
// handle that made it no longer opens in any process (LoginTimeout after
// it was made, with leeway for clocks): until then its record is what
// makes the handle complete once. It is cheap when there is nothing to
// delete; run it every few minutes.
func (p *Provider) Cleanup(ctx context.Context) error {
	now := p.clock.Now()
	n, err := p.deps.AuthRequests.DeleteExpiredOIDCGrants(ctx, now, now.Add(-p.cfg.LoginTimeout-tokenLeeway))
	if err != nil {
		return fmt.Errorf("oidc cleanup: %w", err)
	}
	if err := p.deps.Keys.DeleteSigningKeysRetiredBefore(ctx, now.Add(-p.keys.publish)); err != nil {
		return fmt.Errorf("oidc cleanup: signing keys: %w", err)
	}
	if len(p.keys.missing()) > 0 {
		// A process of an earlier version, which knew RS256 alone, retired
		// the EC key in its rotation: make a current one again.
		if err := p.keys.ensure(ctx); err != nil {
			return fmt.Errorf("oidc cleanup: signing keys: %w", err)
		}
	}
	if n > 0 {
		p.deps.Log.InfoContext(ctx, "oidc cleanup", "deleted_grants", n)
	}
	return nil
}

// Run calls Cleanup every interval until ctx ends; errors are logged.
func (p *Provider) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := p.Cleanup(ctx); err != nil && ctx.Err() == nil {
				p.deps.Log.ErrorContext(ctx, "oidc cleanup failed", "err", err)
			}
		}
	}
}
