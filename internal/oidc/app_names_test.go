package oidc

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/guestgate/guestgate/internal/clock"
	"github.com/guestgate/guestgate/internal/store"
)

// TestAppNames: the sign-in page's app name comes from the read the
// authorize request made, for appNameTTL; an app deleted through this
// Core is forgotten at once, and errors are never cached.
func TestAppNames(t *testing.T) {
	apps := &countingApps{apps: map[string]App{
		"t1/app":  {TenantID: "t1", AppID: "app", DisplayName: "Wiki"},
		"t1/gone": {TenantID: "t1", AppID: "gone", DisplayName: "Old"},
	}}
	c := clock.NewFake(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	p := &Core{deps: Deps{Apps: &deletingApps{apps}}, clock: c}
	if _, err := p.getApp(WithRequestMemo(context.Background()), "t1", "app"); err != nil {
		t.Fatal(err)
	}
	if name, err := p.appName(WithRequestMemo(context.Background()), "t1", "app"); err != nil || name != "Wiki" || apps.reads != 1 {
		t.Fatalf("appName after authorize's read = %q, %v with %d reads; want Wiki from the cache", name, err, apps.reads)
	}
	c.Advance(appNameTTL)
	if name, err := p.appName(context.Background(), "t1", "app"); err != nil || name != "Wiki" || apps.reads != 2 {
		t.Fatalf("appName after the TTL = %q, %v with %d reads; want a read", name, err, apps.reads)
	}
	if _, err := p.appName(context.Background(), "t1", "gone"); err != nil {
		t.Fatal(err)
	}
	if err := p.DeleteApp(context.Background(), "t1", "gone"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := p.appName(context.Background(), "t1", "gone"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("appName of an app deleted here = %v, want ErrNotFound", err)
		}
	}
	if _, err := p.appName(context.Background(), "t2", "app"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the same app id in another tenant: %v, want ErrNotFound", err)
	}
}

// deletingApps is countingApps that also deletes.
type deletingApps struct{ *countingApps }

func (d *deletingApps) DeleteApp(_ context.Context, tenantID, appID string) error {
	delete(d.apps, tenantID+"/"+appID)
	return nil
}
