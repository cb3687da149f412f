package web

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"time"
)

// A form's submission may end in a redirect to an app (its registered
// redirect URI) or to an invitation's redirect URL, and browsers hold
// such redirects to the page's CSP form-action. So form-action names
// guestgate itself and exactly those origins, never "*".

// originCacheTTL bounds how long a new app waits to be reachable from a form.
const originCacheTTL = 10 * time.Second

// formOrigins caches, per tenant, the origins of its apps' redirect URIs.
type formOrigins struct {
	mu      sync.Mutex
	byID    map[string]cachedOrigins
	list    func(ctx context.Context, tenantID string) ([]string, error)
	now     func() time.Time
	maxSize int
}

type cachedOrigins struct {
	origins []string
	until   time.Time
}

// forTenant returns the tenant's redirect origins (none on error: the
// page's forms then reach guestgate only, which fails closed).
func (f *formOrigins) forTenant(ctx context.Context, tenantID string) []string {
	if tenantID == "" || f.list == nil {
		return nil
	}
	now := f.now()
	f.mu.Lock()
	c, ok := f.byID[tenantID]
	f.mu.Unlock()
	if ok && now.Before(c.until) {
		return c.origins
	}
	origins, err := f.list(ctx, tenantID)
	if err != nil {
		return nil
	}
	f.mu.Lock()
	if len(f.byID) >= f.maxSize {
		f.byID = map[string]cachedOrigins{}
	}
	f.byID[tenantID] = cachedOrigins{origins: origins, until: now.Add(originCacheTTL)}
	f.mu.Unlock()
	return origins
}

// origin is scheme://host of an absolute http(s) URL, else "".
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// cspFormAction is the form-action directive for a page.
func cspFormAction(origins ...[]string) string {
	b := strings.Builder{}
	b.WriteString("form-action 'self'")
	seen := map[string]bool{}
	for _, list := range origins {
		for _, o := range list {
			// Only scheme://host values reach here; anything else is dropped
			// so nothing can widen or break the directive.
			if o == "" || seen[o] || strings.ContainsAny(o, " ;,'\"") {
				continue
			}
			seen[o] = true
			b.WriteString(" " + o)
		}
	}
	return b.String()
}
