package oidc

import (
	"context"
	"sync"
)

// One sign-in request asks for the same app several times: the library
// looks the client up, the client authentication and the request's checks
// look it up again. guestgate's router gives each request a memo of the
// apps it read (WithRequestMemo), so each is read once per request. It
// lives no longer than the request, so a deleted app or a changed
// redirect URI counts from the next request on, as before.

type appMemoKey struct{}

type appMemo struct {
	mu   sync.Mutex
	apps map[string]App // by tenant id + "/" + app id
}

// WithRequestMemo returns a context for one HTTP request in which each app
// is read from the store once. Use it for a request's context only.
func WithRequestMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, appMemoKey{}, &appMemo{apps: map[string]App{}})
}

// getApp reads an app through the request's memo, if ctx has one.
func (p *Core) getApp(ctx context.Context, tenantID, appID string) (App, error) {
	m, _ := ctx.Value(appMemoKey{}).(*appMemo)
	if m == nil {
		a, err := p.deps.Apps.GetApp(ctx, tenantID, appID)
		if err == nil {
			p.keepAppName(a)
		}
		return a, err
	}
	key := tenantID + "/" + appID
	m.mu.Lock()
	a, ok := m.apps[key]
	m.mu.Unlock()
	if ok {
		return a, nil
	}
	a, err := p.deps.Apps.GetApp(ctx, tenantID, appID)
	if err != nil {
		return App{}, err
	}
	p.keepAppName(a)
	m.mu.Lock()
	m.apps[key] = a
	m.mu.Unlock()
	return a, nil
}
