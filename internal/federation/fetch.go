package federation

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/sync/singleflight"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/egress"
)

// Every fetch from a partner's provider (SAML metadata, OpenID Connect
// discovery, its keys, its token endpoint) goes through one egress client
// (internal/egress: public https addresses only unless the operator
// allow-lists others, checked at dial time; redirects re-checked; 1 MiB
// and 10 s at most). A failed fetch tells the tenant which step failed,
// never why: the cause (a refused address, a closed port, a status, the
// answer's first bytes) goes to the deployment's log only (issue 20,
// finding 4).

// Discovery results are kept, so a sign-in does not fetch the partner's
// discovery document each time (anyone can start a sign-in at a federated
// domain): a document for DiscoveryTTL (its keys are fetched again when
// an unknown key signs a token), a failure for DiscoveryFailureTTL.
const (
	DiscoveryTTL        = time.Hour
	DiscoveryFailureTTL = time.Minute
)

// maxCachedIssuers bounds the cache; expired entries are dropped first.
const maxCachedIssuers = 4096

// unreachable is a partner's document that could not be fetched, as the
// guest's page and the sign-in log tell it: the step, not the cause.
func unreachable(step string) *PartnerError {
	return &PartnerError{Problem: ProblemUnreachable, Detail: step + " (the deployment's log has the cause)"}
}

// logText is an error as the log keeps it: bounded, since an error of a
// library may quote a whole answer.
func logText(err error) string {
	const max = 512
	s := err.Error()
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// discovered is one issuer's discovery: the provider, or the failure.
type discovered struct {
	prov  *gooidc.Provider
	err   error
	until time.Time
}

// discoveryCache keeps discovery results per issuer, shared by every
// tenant and sign-in of the process; concurrent sign-ins wait for one
// fetch.
type discoveryCache struct {
	fetch func(ctx context.Context, issuer string) (*gooidc.Provider, error)
	clock clock.Clock
	log   *slog.Logger
	group singleflight.Group

	mu      sync.Mutex
	entries map[string]discovered
}

func newDiscoveryCache(client *http.Client, clk clock.Clock, log *slog.Logger) *discoveryCache {
	return &discoveryCache{
		fetch: func(ctx context.Context, issuer string) (*gooidc.Provider, error) {
			// The provider keeps the client for its keys.
			return gooidc.NewProvider(gooidc.ClientContext(ctx, client), issuer)
		},
		clock: clk, log: log, entries: map[string]discovered{},
	}
}

// provider returns f's discovered provider: kept, or fetched now.
func (c *discoveryCache) provider(ctx context.Context, f Federation) (*gooidc.Provider, error) {
	issuer := f.Issuer
	c.mu.Lock()
	e, ok := c.entries[issuer]
	c.mu.Unlock()
	if ok && c.clock.Now().Before(e.until) {
		return e.prov, e.err
	}
	v, _, _ := c.group.Do(issuer, func() (any, error) {
		// The fetch serves every waiting sign-in: it does not end with
		// the request that started it.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), egress.DefaultTimeout)
		defer cancel()
		prov, err := c.fetch(fctx, issuer)
		e := discovered{prov: prov, until: c.clock.Now().Add(DiscoveryTTL)}
		if err != nil {
			c.log.WarnContext(ctx, "federation: OpenID Connect discovery failed", "tenant_id", f.TenantID,
				"federation_id", f.ID, "issuer", issuer, "err", logText(err))
			e = discovered{err: unreachable("OpenID Connect discovery at " + issuer + " failed"), until: c.clock.Now().Add(DiscoveryFailureTTL)}
		}
		c.keep(issuer, e)
		return e, nil
	})
	e = v.(discovered)
	return e.prov, e.err
}

func (c *discoveryCache) keep(issuer string, e discovered) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCachedIssuers {
		now := c.clock.Now()
		for k, old := range c.entries {
			if !now.Before(old.until) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCachedIssuers {
			clear(c.entries)
		}
	}
	c.entries[issuer] = e
}
