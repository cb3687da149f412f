package branding

import (
	"context"
	"sync"
	"time"
)

// Every page of a sign-in and its passcode mail show the tenant's
// branding, which needs the default and the language's rows: eight reads
// per sign-in for something an admin changes a few times a year. So what
// pages and mails show comes from a short-lived cache: a change made
// through this process is seen at once (Update and SetLogo drop the
// tenant's entries); another process sees it within displayCacheTTL, as
// it sees a changed tenant. Tenants without branding are cached too.

// displayCacheTTL is how long another process's branding change may take
// to show.
const displayCacheTTL = 10 * time.Second

// displayCacheMax bounds the tenants cached; beyond it the cache starts over.
const displayCacheMax = 10000

type displayCache struct {
	mu      sync.Mutex
	tenants map[string]map[string]displayEntry // tenant id → lang → entry
}

type displayEntry struct {
	b       Branding
	expires time.Time
}

func (c *displayCache) get(tenantID, lang string, now time.Time) (Branding, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.tenants[tenantID][lang]
	if !ok || !now.Before(e.expires) {
		return Branding{}, false
	}
	return e.b, true
}

func (c *displayCache) put(tenantID, lang string, b Branding, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tenants == nil || len(c.tenants) >= displayCacheMax {
		c.tenants = map[string]map[string]displayEntry{}
	}
	if c.tenants[tenantID] == nil {
		c.tenants[tenantID] = map[string]displayEntry{}
	}
	c.tenants[tenantID][lang] = displayEntry{b: b, expires: now.Add(displayCacheTTL)}
}

func (c *displayCache) drop(tenantID string) {
	c.mu.Lock()
	delete(c.tenants, tenantID)
	c.mu.Unlock()
}

// ForDisplay is For without the logo's bytes (pages and mails link to the
// logo; the logo's own URL serves it through For), cached as said above.
func (s *Service) ForDisplay(ctx context.Context, tenantID, lang string) (Branding, error) {
	now := s.clock.Now()
	if b, ok := s.display.get(tenantID, lang, now); ok {
		return b, nil
	}
	b, err := s.For(ctx, tenantID, lang)
	if err != nil {
		return Branding{}, err
	}
	b.Logo = nil
	s.display.put(tenantID, lang, b, now)
	return b, nil
}
