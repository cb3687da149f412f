package oidc

import (
	"context"
	"errors"
	"testing"

	"github.com/guestgate/guestgate/internal/store"
)

// countingApps counts GetApp calls; the other AppStore methods are unused.
type countingApps struct {
	AppStore
	apps  map[string]App
	reads int
}

func (c *countingApps) GetApp(_ context.Context, tenantID, appID string) (App, error) {
	c.reads++
	a, ok := c.apps[tenantID+"/"+appID]
	if !ok {
		return App{}, store.ErrNotFound
	}
	return a, nil
}

func TestAppMemo(t *testing.T) {
	apps := &countingApps{apps: map[string]App{"t1/app": {TenantID: "t1", AppID: "app", DisplayName: "Wiki"}}}
	p := &Core{deps: Deps{Apps: apps}}
	req := WithRequestMemo(context.Background())
	for range 3 {
		if a, err := p.getApp(req, "t1", "app"); err != nil || a.DisplayName != "Wiki" {
			t.Fatalf("getApp = %+v, %v", a, err)
		}
	}
	if apps.reads != 1 {
		t.Errorf("three look-ups in one request read the store %d times, want 1", apps.reads)
	}
	if _, err := p.getApp(req, "t2", "app"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the same app id in another tenant: %v, want ErrNotFound", err)
	}
	// The next request reads again: a deleted app is gone for it.
	delete(apps.apps, "t1/app")
	if _, err := p.getApp(WithRequestMemo(context.Background()), "t1", "app"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a deleted app in the next request: %v, want ErrNotFound", err)
	}
	reads := apps.reads
	if _, err := p.getApp(context.Background(), "t1", "app"); !errors.Is(err, store.ErrNotFound) || apps.reads != reads+1 {
		t.Errorf("without a memo every look-up reads the store")
	}
}
