package server

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/directory"
)

// tenantCache resolves {tenant} path segments with a short-lived cache:
// every guest request starts with this look-up, and tenants change rarely.
// Only hits are cached, so a new tenant is found at once; a changed one is
// seen within ttl by every process.
type tenantCache struct {
	store directory.Store
	clock clock.Clock
	ttl   time.Duration
	max   int

	mu      sync.Mutex
	entries map[string]tenantEntry
}

type tenantEntry struct {
	t       directory.Tenant
	expires time.Time
}

func newTenantCache(s directory.Store, c clock.Clock, ttl time.Duration, max int) *tenantCache {
	return &tenantCache{store: s, clock: c, ttl: ttl, max: max, entries: map[string]tenantEntry{}}
}

// Resolve finds a tenant by id or verified domain (directory.Resolve), cached.
func (c *tenantCache) Resolve(ctx context.Context, name string) (directory.Tenant, error) {
	key := strings.ToLower(name)
	now := c.clock.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.t, nil
	}
	t, err := directory.Resolve(ctx, c.store, name)
	if err != nil {
		return t, err
	}
	c.mu.Lock()
	if len(c.entries) >= c.max {
		c.entries = map[string]tenantEntry{} // crude but bounded; refills from hot tenants
	}
	c.entries[key] = tenantEntry{t: t, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return t, nil
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
