package oidc

import (
	"context"
	"sync"
	"time"
)

// The sign-in page names the app a pending request is for; the request
// that sent the browser there (authorize) has just read that app. Apps'
// names never change, so the page takes the name from a short
// per-process cache (appNameTTL): a sign-in's authorize, like every
// request, still reads its app. An app deleted through this process is
// forgotten at once; one deleted through another process may be named for
// appNameTTL longer, and nothing more: completing its request reads the
// app again (CompleteAuthRequest's sign-in, the code exchange's client).

// appNameTTL bounds how long a name outlives its app deleted elsewhere.
const appNameTTL = 10 * time.Second

// appNamesMax bounds the cache; past it, it starts over.
const appNamesMax = 10000

type appNames struct {
	mu sync.Mutex
	m  map[string]appNameEntry // by tenant id + "/" + app id
}

type appNameEntry struct {
	name  string
	until time.Time
}

// appName returns the app's display name, cached; errors are the store's
// (store.ErrNotFound for an app that does not exist) and are not cached.
func (p *Core) appName(ctx context.Context, tenantID, appID string) (string, error) {
	c := &p.names
	c.mu.Lock()
	e, ok := c.m[tenantID+"/"+appID]
	c.mu.Unlock()
	if ok && p.clock.Now().Before(e.until) {
		return e.name, nil
	}
	a, err := p.getApp(ctx, tenantID, appID) // keeps the name (keepAppName)
	if err != nil {
		return "", err
	}
	return a.DisplayName, nil
}

// keepAppName caches the name of an app just read from the store: the
// authorize request's read of its app serves the sign-in page after it.
func (p *Core) keepAppName(a App) {
	if p.clock == nil {
		return // a Core built without a clock (in tests) caches nothing
	}
	c := &p.names
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= appNamesMax {
		c.m = map[string]appNameEntry{}
	}
	c.m[a.TenantID+"/"+a.AppID] = appNameEntry{name: a.DisplayName, until: p.clock.Now().Add(appNameTTL)}
}

// forgetAppName drops an app's cached name (the app was deleted).
func (p *Core) forgetAppName(tenantID, appID string) {
	p.names.mu.Lock()
	defer p.names.mu.Unlock()
	delete(p.names.m, tenantID+"/"+appID)
}
